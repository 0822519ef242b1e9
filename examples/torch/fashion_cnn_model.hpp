// The tutorials' small CNN as a LibTorch builder over the typed parameters of cnn_space.hpp:
// images [N, 1, 28, 28], one or two conv blocks (Conv2d 3x3 with "valid" or "same" padding,
// ReLU, MaxPool2d(2), Dropout), then flatten, a dense layer with ReLU, and 10 classes. The
// optimizer and its learning rate come from the parameters' branch.
#pragma once

#include <cstdint>
#include <type_traits>
#include <variant>

#include <typetune/torch/trainer.hpp>

#include "../cnn_space.hpp"

namespace fashion_cnn {

inline constexpr std::int64_t image_side = 28;
inline constexpr std::int64_t kernel = 3;

// [builder]
inline ::torch::nn::Sequential build(const cnn_params& p, tt::torch::fit_options& fit) {
  ::torch::nn::Sequential model;
  std::int64_t channels = 1;
  std::int64_t side = image_side;
  for (const auto& block : p.conv) {
    const bool same = block.padding == "same";
    model->push_back(::torch::nn::Conv2d(
        ::torch::nn::Conv2dOptions(channels, block.filters, kernel).padding(same ? kernel / 2 : 0)));
    model->push_back(::torch::nn::ReLU());
    model->push_back(::torch::nn::MaxPool2d(::torch::nn::MaxPool2dOptions(2)));
    model->push_back(::torch::nn::Dropout(block.dropout));
    channels = block.filters;
    side = (same ? side : side - (kernel - 1)) / 2;  // the convolution, then the pooling (floor)
  }
  model->push_back(::torch::nn::Flatten());
  model->push_back(::torch::nn::Linear(channels * side * side, p.dense_units));
  model->push_back(::torch::nn::ReLU());
  model->push_back(::torch::nn::Linear(p.dense_units, 10));
  fit.optimizer = std::visit(
      [](const auto& o) -> tt::torch::optimizer_spec {
        if constexpr (std::is_same_v<std::decay_t<decltype(o)>, sgd>) {
          return tt::torch::sgd{.learning_rate = o.learning_rate, .momentum = o.momentum};
        } else {
          return tt::torch::adam{.learning_rate = o.learning_rate};
        }
      },
      p.optimizer);
  return model;
}
// [builder]

}  // namespace fashion_cnn
