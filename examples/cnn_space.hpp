// The tutorials' small CNN search: one or two conv blocks (filters, padding, dropout), a dense
// layer, and an optimizer whose learning-rate range depends on which optimizer it is.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include <typetune/spaces.hpp>

namespace fashion_cnn {
namespace tt = typetune;

struct adam {
  double learning_rate;
};
struct sgd {
  double learning_rate;
  double momentum;
};
struct conv_block {
  int filters;
  std::string padding;
  double dropout;
};
struct cnn_params {
  std::vector<conv_block> conv;
  int dense_units;
  std::variant<adam, sgd> optimizer;
};

inline constexpr auto space = tt::space(
    tt::repeat<"conv">(tt::count(1, 2),
                       tt::choice<"filters">(32, 64),
                       tt::choice<"padding">("valid", "same"),
                       tt::real<"dropout">(0.0, 0.5, tt::step{0.25})),
    tt::int_<"dense_units">(25, 150, tt::step{25}).with_default(100),
    tt::branch<"optimizer">(
        tt::option<"adam", adam>(tt::real<"learning_rate">(1e-4, 1e-2, tt::log).with_default(1e-3)),
        tt::option<"sgd", sgd>(tt::real<"learning_rate">(1e-3, 1e-1, tt::log),
                               tt::real<"momentum">(0.5, 0.99))));

}  // namespace fashion_cnn

TYPETUNE_REFLECT(fashion_cnn::adam, learning_rate);
TYPETUNE_REFLECT(fashion_cnn::sgd, learning_rate, momentum);
TYPETUNE_REFLECT(fashion_cnn::conv_block, filters, padding, dropout);
TYPETUNE_REFLECT(fashion_cnn::cnn_params, conv, dense_units, optimizer);

static_assert(typetune::fits<fashion_cnn::cnn_params>(fashion_cnn::space));
