// The tutorials' Fashion-MNIST MLP search space and its builder's typed parameters, shared by
// the examples, the tests and the benchmarks.
#pragma once

#include <variant>
#include <vector>

#include <typetune/spaces.hpp>

namespace fashion_mlp {
namespace tt = typetune;

// [params]
struct adam {
  double learning_rate;
};
struct sgd {
  double learning_rate;
  double momentum;  // exists only for sgd (the tutorial fixes it at 0.9)
};
struct dense_layer {
  int units;
  double dropout;
};
struct mlp_params {
  int dense_bot;
  std::vector<dense_layer> hidden;    // its size is a searched count
  std::variant<adam, sgd> optimizer;  // a conditional branch is a sum type
};
// [params]

// [space]
inline constexpr auto space = tt::space(
    tt::int_<"dense_bot">(50, 350, tt::step{50}),
    tt::repeat<"hidden">(tt::count(1, 2),
                         tt::int_<"units">(50, 100, tt::step{25}),
                         tt::choice<"dropout">(0.0, 0.1, 0.2)),
    tt::branch<"optimizer">(
        tt::option<"adam", adam>(tt::choice<"learning_rate">(1e-1, 1e-2, 1e-3)),
        tt::option<"sgd", sgd>(tt::choice<"learning_rate">(1e-1, 1e-2, 1e-3),
                               tt::constant<"momentum">(0.9))));
// [space]

}  // namespace fashion_mlp

// [reflect]
TYPETUNE_REFLECT(fashion_mlp::adam, learning_rate);  // at global scope; Hana-adapted structs work too
TYPETUNE_REFLECT(fashion_mlp::sgd, learning_rate, momentum);
TYPETUNE_REFLECT(fashion_mlp::dense_layer, units, dropout);
TYPETUNE_REFLECT(fashion_mlp::mlp_params, dense_bot, hidden, optimizer);
// [reflect]

// The header checks its own space, so that typetune_check_spaces can hold it in CI alone.
static_assert(typetune::fits<fashion_mlp::mlp_params>(fashion_mlp::space));
