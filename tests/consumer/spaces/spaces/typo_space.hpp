// The team's MLP space after a pull request that misspells the builder field `momentum`:
// typetune_check_spaces must fail on it, and the compiler must name `momentm`.
#pragma once

#include <variant>
#include <vector>

#include <typetune/spaces.hpp>

namespace team {
namespace tt = typetune;

struct adam {
  double learning_rate;
};
struct sgd {
  double learning_rate;
  double momentm;  // the pull request's typo
};
struct dense_layer {
  int units;
  double dropout;
};
struct mlp_params {
  int dense_bot;
  std::vector<dense_layer> hidden;
  std::variant<adam, sgd> optimizer;
};

inline constexpr auto mlp_space = tt::space(
    tt::int_<"dense_bot">(50, 350, tt::step{50}),
    tt::repeat<"hidden">(tt::count(1, 2), tt::int_<"units">(50, 100, tt::step{25}),
                         tt::choice<"dropout">(0.0, 0.1, 0.2)),
    tt::branch<"optimizer">(tt::option<"adam", adam>(tt::real<"learning_rate">(1e-4, 1e-2, tt::log)),
                            tt::option<"sgd", sgd>(tt::real<"learning_rate">(1e-3, 1e-1, tt::log),
                                                   tt::real<"momentum">(0.5, 0.99))));
}  // namespace team

TYPETUNE_REFLECT(team::adam, learning_rate);
TYPETUNE_REFLECT(team::sgd, learning_rate, momentm);
TYPETUNE_REFLECT(team::dense_layer, units, dropout);
TYPETUNE_REFLECT(team::mlp_params, dense_bot, hidden, optimizer);

namespace team {
class model;  // defined in the training code, which links LibTorch
model build_mlp(const mlp_params& p);
}  // namespace team

static_assert(typetune::fits(team::mlp_space, team::build_mlp));
