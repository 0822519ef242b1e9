// The tutorials' regression MLP search (RandomizedSearchCV with a reciprocal learning rate):
// how many hidden layers, how wide, and a log-uniform learning rate.
#pragma once

#include <typetune/spaces.hpp>

namespace housing_regression {
namespace tt = typetune;

struct regression_params {
  int hidden_layers;
  int layer_size;
  double learning_rate;
};

inline constexpr auto space = tt::space(
    tt::int_<"hidden_layers">(0, 3),                 // n_hidden: [0, 1, 2, 3]
    tt::int_<"layer_size">(1, 99),                   // n_neurons: np.arange(1, 100)
    tt::real<"learning_rate">(3e-4, 3e-2, tt::log));  // learning_rate: reciprocal(3e-4, 3e-2)

}  // namespace housing_regression

TYPETUNE_REFLECT(housing_regression::regression_params, hidden_layers, layer_size, learning_rate);

static_assert(typetune::fits<housing_regression::regression_params>(housing_regression::space));
