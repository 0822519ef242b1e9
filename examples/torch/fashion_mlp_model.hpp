// The tutorials' Fashion-MNIST MLP as a LibTorch builder over the typed parameters of
// mlp_space.hpp: 784 inputs, a bottom dense layer, 1-2 hidden layers with dropout, 10 classes;
// the optimizer (and its learning rate) comes from the parameters' branch.
#pragma once

#include <variant>

#include <typetune/torch/dropout.hpp>
#include <typetune/torch/trainer.hpp>

#include "../mlp_recipe_space.hpp"
#include "../mlp_space.hpp"

namespace fashion_mlp {

// [builder]
inline ::torch::nn::Sequential build(const mlp_params& p, tt::torch::fit_options& fit) {
  ::torch::nn::Sequential model(::torch::nn::Linear(784, p.dense_bot), ::torch::nn::ReLU());
  int width = p.dense_bot;
  for (const auto& layer : p.hidden) {
    model->push_back(::torch::nn::Linear(width, layer.units));
    model->push_back(::torch::nn::ReLU());
    model->push_back(tt::torch::Dropout(layer.dropout));
    width = layer.units;
  }
  model->push_back(::torch::nn::Linear(width, 10));
  fit.optimizer = std::visit(
      [](const auto& o) -> tt::torch::optimizer_spec {
        if constexpr (std::is_same_v<std::decay_t<decltype(o)>, sgd>) {
          return tt::torch::sgd{.learning_rate = o.learning_rate, .momentum = o.momentum, .nesterov = true};
        } else {
          return tt::torch::adam{.learning_rate = o.learning_rate};
        }
      },
      p.optimizer);
  return model;
}
// [builder]

// The tutorial's baseline before any search: 784-350-10 with Adam at its default rate.
inline ::torch::nn::Sequential baseline() {
  return ::torch::nn::Sequential(::torch::nn::Linear(784, 350), ::torch::nn::ReLU(), ::torch::nn::Linear(350, 10));
}

}  // namespace fashion_mlp

namespace fashion_mlp_recipe {

// The main job's builder: the layers, and the recipe (optimizer, batch size, label smoothing)
// written into the fit options the trainer runs with.
inline ::torch::nn::Sequential build(const recipe_params& p, tt::torch::fit_options& fit) {
  ::torch::nn::Sequential model(::torch::nn::Linear(784, p.dense_bot), ::torch::nn::ReLU());
  if (p.dropout_bot > 0) model->push_back(tt::torch::Dropout(p.dropout_bot));
  int width = p.dense_bot;
  for (const auto& layer : p.hidden) {
    model->push_back(::torch::nn::Linear(width, layer.units));
    model->push_back(::torch::nn::ReLU());
    if (layer.dropout > 0) model->push_back(tt::torch::Dropout(layer.dropout));
    width = layer.units;
  }
  model->push_back(::torch::nn::Linear(width, 10));
  fit.optimizer = std::visit(
      [](const auto& o) -> tt::torch::optimizer_spec {
        if constexpr (std::is_same_v<std::decay_t<decltype(o)>, sgd>) {
          return tt::torch::sgd{
              .learning_rate = o.learning_rate, .momentum = o.momentum, .nesterov = true, .weight_decay = o.weight_decay};
        } else {
          return tt::torch::adamw{.learning_rate = o.learning_rate, .weight_decay = o.weight_decay};
        }
      },
      p.optimizer);
  fit.batch_size = p.batch_size;
  fit.label_smoothing = p.label_smoothing;
  return model;
}

}  // namespace fashion_mlp_recipe
