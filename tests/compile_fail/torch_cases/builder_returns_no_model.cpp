// A builder that returns a number, not a model: randomized_search_cv's one error names
// tt::builder_for and lists the accepted forms.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: use of deleted function 'auto typetune::torch::randomized_search_cv\(
// EXPECT: not a tt::builder_for<Builder, Space>: .*Model a LibTorch module holder
#include <typetune/torch/search.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

int main() {
  auto build = [](const fashion_mlp::mlp_params& p, tt::torch::fit_options& fit) {
    fit.batch_size = 64;
    return p.dense_bot;
  };
  auto cv = tt::torch::randomized_search_cv(fashion_mlp::space, build, {.n_iter = 4, .scoring = "accuracy"});
  cv.fit(::torch::zeros({8, 784}), ::torch::zeros({8}, ::torch::kLong));
  return cv.best_score() > 0.5 ? 0 : 1;
}
