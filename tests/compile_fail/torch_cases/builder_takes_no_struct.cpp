// A builder that takes an int instead of the parameter struct: make_tuner's one error names
// tt::builder_for and lists the accepted forms; the rest of the program adds no second error.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: use of deleted function 'auto typetune::torch::make_tuner\(
// EXPECT: not a tt::builder_for<Builder, Space>: a builder is Model build\(const P&\) or Model build\(const P&, tt::torch::fit_options&\)
#include <typetune/torch/search.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

int main() {
  auto build = [](int units) { return ::torch::nn::Linear(784, units); };
  auto tuner = tt::torch::make_tuner(fashion_mlp::space, build, {.objective = "val_accuracy", .max_trials = 4}, tt::tpe{});
  const tt::torch::tensor_dataset data(::torch::zeros({8, 784}), ::torch::zeros({8}, ::torch::kLong));
  tuner.search(data, data, tt::torch::fit_options{});
  return tuner.best().epochs > 0 ? 0 : 1;
}
