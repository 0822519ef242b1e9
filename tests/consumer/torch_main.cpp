// A user's LibTorch program against the installed package's torch component: a small space, a
// builder, a tuner over synthetic data. Exits 0 only if the search ran, the best parameters
// come back as the builder's struct, and the best model beats chance.
#include <iostream>

#include <typetune/torch/search.hpp>

namespace tt = typetune;

namespace consumer {
struct net_params {
  int units;
  double learning_rate;
};
}  // namespace consumer
TYPETUNE_REFLECT(consumer::net_params, units, learning_rate);

namespace consumer {
inline constexpr auto space =
    tt::space(tt::int_<"units">(4, 16, tt::step{4}), tt::real<"learning_rate">(1e-2, 1e-1, tt::log));

::torch::nn::Sequential build(const net_params& p, tt::torch::fit_options& fit) {
  fit.optimizer = tt::torch::adam{.learning_rate = p.learning_rate};
  return ::torch::nn::Sequential(::torch::nn::Linear(2, p.units), ::torch::nn::ReLU(), ::torch::nn::Linear(p.units, 2));
}
}  // namespace consumer

int main() {
  ::torch::manual_seed(0);
  const auto x = ::torch::randn({400, 2});
  const auto y = (x.select(1, 0) + x.select(1, 1) > 0).to(::torch::kLong);
  const tt::torch::tensor_dataset all(x, y);
  const auto split = tt::torch::stratified_split(y, 0.25, 1);
  auto tuner = tt::torch::random_tuner(consumer::space, consumer::build, {.objective = "val_accuracy", .max_trials = 3});
  tt::torch::fit_options fit;
  fit.epochs = 5;
  tuner.search(all.subset(split.train), all.subset(split.validation), fit);
  const consumer::net_params best = tuner.best_params();
  std::cout << "best units " << best.units << ", learning rate " << best.learning_rate << ", val_accuracy "
            << tuner.best_value() << '\n';
  return tuner.best_value() > 0.8 && best.units % 4 == 0 ? 0 : 1;
}
