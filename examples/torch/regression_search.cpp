// The tutorials' regression MLP search (RandomizedSearchCV with a reciprocal learning rate,
// examples/regression_space.hpp) on the diabetes table shipped with python3-sklearn: 442
// patients, 10 features, the disease progression a year later. 20 % is held out as test data;
// features and targets are standardised with statistics of the training part only (the model
// learns standardised targets; every MSE and MAE printed is in the target's own units). Each
// candidate is scored by 3-fold cross-validation, trained with SGD and early stopping on the
// held-out fold's loss; the best is refitted on the whole training part and tested beside the
// baseline that predicts the training mean.
//   regression_search [--n-iter 10] [--folds 3] [--epochs 100] [--patience 10] [--quick]
//                     [--storage URL] [--study NAME] [--worker]
// With --storage, processes started on one study share its --n-iter candidates (docs/cluster.md).
#include <chrono>
#include <iomanip>
#include <iostream>

#include <CLI/CLI.hpp>

#include <typetune/torch/search.hpp>

#include "example_support.hpp"
#include "../regression_space.hpp"

namespace tt = typetune;

namespace {

// [builder]
::torch::nn::Sequential build(const housing_regression::regression_params& p, tt::torch::fit_options& fit) {
  ::torch::nn::Sequential model;
  std::int64_t width = 10;
  for (int i = 0; i < p.hidden_layers; ++i) {
    model->push_back(::torch::nn::Linear(width, p.layer_size));
    model->push_back(::torch::nn::ReLU());
    width = p.layer_size;
  }
  model->push_back(::torch::nn::Linear(width, 1));
  fit.optimizer = tt::torch::sgd{.learning_rate = p.learning_rate};
  return model;
}
// [builder]

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Randomized search with k-fold CV of the tutorials' regression MLP on the diabetes table"};
  bool quick = false;
  std::uint64_t n_iter = 10;
  std::int64_t folds = 3;
  std::int64_t epochs = 100;
  std::int64_t patience = 10;
  std::uint64_t seed = 42;
  app.add_flag("--quick", quick, "3 candidates of at most 20 epochs (the test suite's run)");
  app.add_option("--n-iter", n_iter, "candidates drawn from the space")->check(CLI::Range(1, 100000));
  app.add_option("--folds", folds, "k-fold splits")->check(CLI::Range(2, 50));
  app.add_option("--epochs", epochs, "most epochs per fit")->check(CLI::Range(1, 100000));
  app.add_option("--patience", patience, "early stopping: epochs without a better held-out loss")->check(CLI::Range(1, 1000));
  app.add_option("--seed", seed, "seed of the split, the sampler, the folds and every model");
  examples::shared_study shared("regression-search");
  shared.add_flags(app);
  CLI11_PARSE(app, argc, argv);
  if (!shared.usable("regression_search")) return 2;
  if (quick) {
    n_iter = std::min<std::uint64_t>(n_iter, 3);
    epochs = std::min<std::int64_t>(epochs, 20);
  }

  const auto start = std::chrono::steady_clock::now();
  // [data]
  const auto all = tt::torch::load_diabetes();
  const auto split = tt::torch::random_split(all.size(), 0.2, seed);
  const auto train_raw = all.subset(split.train);
  const auto test_raw = all.subset(split.validation);
  const auto x_scaler = tt::torch::standardizer::fit(train_raw.x());
  const auto y_scaler = tt::torch::standardizer::fit(train_raw.y());
  const tt::torch::tensor_dataset train(x_scaler.apply(train_raw.x()), y_scaler.apply(train_raw.y()));
  const ::torch::Tensor test_x = x_scaler.apply(test_raw.x());
  // [data]
  std::cout << "diabetes (" << tt::torch::sklearn_data_dir().string() << "): " << train.size() << " to search on, "
            << test_raw.size() << " to test; features and targets standardised on the training part\n";

  // [search]
  tt::torch::fit_options fit;
  fit.epochs = epochs;
  fit.batch_size = 32;
  fit.loss = tt::torch::loss_kind::mse;
  fit.early_stop = tt::torch::early_stopping{.monitor = "val_loss", .patience = patience};
  auto cv = tt::torch::randomized_search_cv(housing_regression::space, build,
                                            {.n_iter = n_iter,
                                             .cv = tt::torch::k_fold{.n_splits = folds, .shuffle = true, .seed = seed},
                                             .scoring = "mse",
                                             .refit = !shared.worker,
                                             .seed = seed,
                                             .log = &std::cout,
                                             .storage = shared.storage,
                                             .study_name = shared.name},
                                            fit);
  cv.fit(train);
  // [search]
  if (shared.worker) return shared.worker_done(cv.trials_run(), cv.study().trials().size());
  std::cout << cv.results_table();

  // Test figures in the target's units: predictions mapped back through the target's scaler.
  const auto predicted = tt::torch::predict(cv.best_model(), test_x) * y_scaler.scale + y_scaler.mean;
  const auto diff = predicted - test_raw.y();
  const double test_mse = diff.square().mean().item<double>();
  const double test_mae = diff.abs().mean().item<double>();
  const auto baseline_diff = train_raw.y().mean() - test_raw.y();
  const double base_mse = baseline_diff.square().mean().item<double>();
  const double base_mae = baseline_diff.abs().mean().item<double>();
  const double cv_mse = cv.best_score() * y_scaler.scale.square().item<double>();
  std::cout << std::fixed << std::setprecision(4) << "best: mean CV mse " << cv.best_score() << " (standardised; "
            << std::setprecision(1) << cv_mse << " in target units), " << cv.best_params() << '\n'
            << "test: MSE " << test_mse << ", MAE " << test_mae << "; baseline (the training mean): MSE " << base_mse
            << ", MAE " << base_mae << "; in " << examples::seconds_since(start) << " s\n";
  // A model no better than the training mean has learnt nothing (a linear fit reaches about
  // half of the baseline's MSE on this table).
  return std::isfinite(test_mse) && test_mse < (quick ? 0.9 : 0.75) * base_mse ? 0 : 1;
}
