// A space with conditional leaves: a boolean with a child, and a learning rate shared by two of
// a branch's three options under one path. Shared by the unit and description tests.
#pragma once

#include <optional>
#include <variant>

#include "typetune/spaces.hpp"

namespace conditional_space {

namespace tt = typetune;

struct adam {};
struct sgd {
  double momentum;
};
struct rmsprop {};

struct params {
  int width;
  bool use_dropout;
  std::optional<double> dropout_rate;           // only when use_dropout
  std::variant<adam, sgd, rmsprop> optimizer;
  std::optional<double> learning_rate;          // only for adam and sgd: one parameter, one path
};
TYPETUNE_REFLECT(sgd, momentum);
TYPETUNE_REFLECT(params, width, use_dropout, dropout_rate, optimizer, learning_rate);

inline constexpr auto space = tt::space(
    tt::int_<"width">(8, 16, tt::step{8}),
    tt::boolean<"use_dropout">().when(true, tt::choice<"dropout_rate">(0.1, 0.3)),
    tt::branch<"optimizer">(tt::option<"adam", adam>(),
                            tt::option<"sgd", sgd>(tt::choice<"momentum">(0.5, 0.9)),
                            tt::option<"rmsprop", rmsprop>())
        .with_default("sgd")
        .when<"adam", "sgd">(tt::choice<"learning_rate">(1e-3, 1e-2, 1e-1)));

// 2 widths x (no dropout + 2 rates) x (adam: 3 rates + sgd: 2 momenta x 3 rates + rmsprop: 1)
inline constexpr std::uint64_t grid = 2 * (1 + 2) * (3 + 2 * 3 + 1);

}  // namespace conditional_space
