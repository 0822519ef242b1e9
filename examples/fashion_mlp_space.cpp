// The Fashion-MNIST MLP space: its description, and the typed parameters a builder receives.
#include <iostream>
#include <string>
#include <variant>

#include "example_support.hpp"
#include "mlp_space.hpp"

namespace {
using namespace fashion_mlp;

// [builder]
// A builder reads plain fields; the optimizer is reached through the variant, so `momentum`
// can only be read where the optimizer is sgd.
std::string build(const mlp_params& p) {
  std::string model = "Dense(784->" + std::to_string(p.dense_bot) + ") ReLU";
  int width = p.dense_bot;
  for (const auto& layer : p.hidden) {
    model += " | Dense(" + std::to_string(width) + "->" + std::to_string(layer.units) + ") ReLU Dropout(" +
             std::to_string(layer.dropout).substr(0, 3) + ")";
    width = layer.units;
  }
  model += " | Dense(" + std::to_string(width) + "->10); ";
  model += std::visit(
      [](const auto& opt) {
        using T = std::decay_t<decltype(opt)>;
        if constexpr (std::is_same_v<T, sgd>)
          return "SGD(lr=" + std::to_string(opt.learning_rate) + ", momentum=" + std::to_string(opt.momentum) + ")";
        else
          return "Adam(lr=" + std::to_string(opt.learning_rate) + ")";
      },
      p.optimizer);
  return model;
}
// [builder]

// [check]
static_assert(tt::fits(space, build));  // also implied by every use of the space with build
static_assert(space.size() == 8);       // declared parameters, all scopes
static_assert(tt::is_finite_v<decltype(space)>);
// 7 dense_bot x (1 layer: 3x3 + 2 layers: 9x9) x (adam: 3 + sgd: 3)
static_assert(tt::grid_size(space) == 7 * (9 + 81) * (3 + 3));
// [check]
}  // namespace

int main() {
  const auto desc = tt::describe(space);
  examples::print_description("Fashion-MNIST MLP", desc);
  const auto a = examples::lowest_assignment(desc);
  desc.validate(a);
  const auto params = tt::decode<mlp_params>(space, a);
  std::cout << "lowest configuration: " << desc.format(a) << "\nbuilds: " << build(params) << '\n';
  if (tt::encode(space, params) != a) {
    std::cerr << "round trip through the typed parameters changed the assignment\n";
    return 1;
  }
  return 0;
}
