// The main job's default space for the Fashion-MNIST MLP: the tutorial's architecture with
// ranges that contain its untuned baseline (784-350-10, no hidden layer), and the training
// recipe that decides an MLP's accuracy on this data: an optimizer-dependent learning rate on a
// log scale, decoupled weight decay, dropout, batch size and label smoothing. Epochs are not a
// parameter: ASHA gives each configuration its epochs. The tutorial's own space stays in
// mlp_space.hpp (`--space tutorial`).
#pragma once

#include <variant>
#include <vector>

#include <typetune/spaces.hpp>

namespace fashion_mlp_recipe {
namespace tt = typetune;

// [params]
struct adamw {
  double learning_rate;
  double weight_decay;  // decoupled: lr * weight_decay shrinks the weights each step
};
struct sgd {
  double learning_rate;
  double momentum;
  double weight_decay;  // L2, added to the gradient
};
struct dense_layer {
  int units;
  double dropout;
};
struct recipe_params {
  int dense_bot;
  double dropout_bot;               // after the first dense layer
  std::vector<dense_layer> hidden;  // 0-2 more layers: 0 is the baseline's shape
  std::variant<adamw, sgd> optimizer;
  int batch_size;
  double label_smoothing;
};
// [params]

// clang-format off
// [space]
inline constexpr auto space = tt::space(
    tt::int_<"dense_bot">(256, 1024, tt::log),
    tt::real<"dropout_bot">(0.0, 0.5),
    tt::repeat<"hidden">(tt::count(0, 2),
                         tt::int_<"units">(128, 512, tt::log),
                         tt::real<"dropout">(0.0, 0.5)),
    tt::branch<"optimizer">(
        tt::option<"adamw", adamw>(tt::real<"learning_rate">(3e-4, 3e-3, tt::log),
                                   tt::real<"weight_decay">(1e-4, 1e-1, tt::log)),
        tt::option<"sgd", sgd>(tt::real<"learning_rate">(1e-2, 3e-1, tt::log),
                               tt::real<"momentum">(0.8, 0.99),
                               tt::real<"weight_decay">(1e-5, 1e-3, tt::log))),
    tt::choice<"batch_size">(128, 256),
    tt::real<"label_smoothing">(0.0, 0.2));
// [space]
// clang-format on

}  // namespace fashion_mlp_recipe

TYPETUNE_REFLECT(fashion_mlp_recipe::adamw, learning_rate, weight_decay);
TYPETUNE_REFLECT(fashion_mlp_recipe::sgd, learning_rate, momentum, weight_decay);
TYPETUNE_REFLECT(fashion_mlp_recipe::dense_layer, units, dropout);
TYPETUNE_REFLECT(fashion_mlp_recipe::recipe_params, dense_bot, dropout_bot, hidden, optimizer, batch_size,
                 label_smoothing);

static_assert(typetune::fits<fashion_mlp_recipe::recipe_params>(fashion_mlp_recipe::space));
