// The tutorials' SimpleRNN grid (examples/rnn_space.hpp: layers, units, learning rate, Keras's
// learning-rate decay, dropout, batch size, epochs; 3^7 = 2187 points) searched with randomized
// search and stratified k-fold cross-validation, as scikit-learn's RandomizedSearchCV around a
// Keras model. Fashion-MNIST images are read row by row: 28 steps of 28 features ([N, 28, 28]),
// or with --window L, a seeded random window of L consecutive rows per image ([N, L, 28]).
// The model: a stack of tanh RNN layers (dropout between them, Keras's initialisation) and a
// Linear head on the last step; pixels are standardised, gradients clipped to norm --clip.
// The search cross-validates each candidate on a slice of the training images with its epochs
// capped (the table shows the epochs each candidate's models trained), two candidates at a
// time; the best candidate is then refitted on all training images (--refit-size) for
// --refit-epochs and tested.
//   rnn_search_cv [--n-iter 8] [--folds 3] [--train-size 6000] [--max-epochs 4] [--refit-size 0]
//                 [--refit-epochs 30] [--clip 1] [--workers 2] [--window 0] [--seed 3] [--quick]
//                 [--storage URL] [--study NAME] [--worker]  (processes on one study share --n-iter)
// --max-epochs 0 trains each candidate for the grid's epochs (10, 20 or 30); --refit-epochs 0
// refits for the candidate's own (capped) epochs.
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <tuple>

#include <CLI/CLI.hpp>

#include <typetune/torch/search.hpp>

#include "example_support.hpp"
#include "../rnn_space.hpp"

namespace tt = typetune;

namespace {

// [model]
struct rnn_classifierImpl : ::torch::nn::Module {
  rnn_classifierImpl(std::int64_t features, std::int64_t layers, std::int64_t units, double dropout)
      : rnn(register_module("rnn", ::torch::nn::RNN(::torch::nn::RNNOptions(features, units)
                                                        .num_layers(layers)
                                                        .nonlinearity(::torch::kTanh)
                                                        .batch_first(true)
                                                        .dropout(layers > 1 ? dropout : 0.0)))),
        head(register_module("head", ::torch::nn::Linear(units, 10))) {
    // Keras's SimpleRNN initialisation: Glorot-uniform input weights, orthogonal recurrent
    // weights, zero biases.
    ::torch::NoGradGuard no_grad;
    for (auto& item : rnn->named_parameters()) {
      const auto& name = item.key();
      auto& w = item.value();
      if (name.rfind("weight_hh", 0) == 0) ::torch::nn::init::orthogonal_(w);
      else if (name.rfind("weight_ih", 0) == 0) ::torch::nn::init::xavier_uniform_(w);
      else w.zero_();
    }
  }
  // x: [batch, steps, features]; the class scores come from the last step's output.
  ::torch::Tensor forward(const ::torch::Tensor& x) {
    const auto out = std::get<0>(rnn->forward(x));
    return head->forward(out.select(1, -1));
  }
  ::torch::nn::RNN rnn;
  ::torch::nn::Linear head;
};
TORCH_MODULE(rnn_classifier);
// [model]

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Randomized search with stratified k-fold CV of the tutorials' SimpleRNN on Fashion-MNIST rows"};
  bool quick = false;
  std::uint64_t n_iter = 8;
  std::int64_t folds = 3;
  std::int64_t train_size = 6000;
  std::int64_t refit_size = 0;
  std::int64_t test_size = 0;
  std::int64_t max_epochs = 4;
  std::int64_t refit_epochs = 30;
  std::int64_t window = 0;
  std::uint64_t seed = 3;
  double clip = 1.0;
  std::size_t workers = 2;
  app.add_flag("--quick", quick, "500 images, windows of 14 rows, 2 candidates, 1 epoch each (the test suite's run)");
  app.add_option("--n-iter", n_iter, "candidates drawn from the grid")->check(CLI::Range(1, 2187));
  app.add_option("--folds", folds, "stratified folds")->check(CLI::Range(2, 100));
  app.add_option("--train-size", train_size, "training images the search cross-validates on (stratified; 0: all 60,000)");
  app.add_option("--refit-size", refit_size, "training images the best candidate is refitted on (stratified; 0: all 60,000)");
  app.add_option("--test-size", test_size, "test images for the refitted model (stratified; 0: all 10,000)");
  app.add_option("--max-epochs", max_epochs, "cap on the grid's epochs in the search (0: no cap)")->check(CLI::Range(0, 1000));
  app.add_option("--refit-epochs", refit_epochs, "epochs of the refit (0: the candidate's own, capped by --max-epochs)")
      ->check(CLI::Range(0, 1000));
  app.add_option("--window", window, "read a seeded random window of this many rows per image (0: all 28)")
      ->check(CLI::Range(0, 28));
  app.add_option("--clip", clip, "clip the gradients' global norm to this (0: no clipping)")->check(CLI::Range(0.0, 1e6));
  app.add_option("--workers", workers, "candidates cross-validated at a time (one thread each)")->check(CLI::Range(1, 64));
  app.add_option("--seed", seed, "seed of the sampler, the folds, the windows and every model");
  examples::shared_study shared("rnn-search-cv");
  shared.add_flags(app);
  CLI11_PARSE(app, argc, argv);
  if (!shared.usable("rnn_search_cv")) return 2;
  if (quick) {
    n_iter = std::min<std::uint64_t>(n_iter, 2);
    max_epochs = 1;
    refit_epochs = 1;
    train_size = 500;
    refit_size = 500;
    test_size = 500;
    if (window == 0) window = 14;
  }

  const auto start = std::chrono::steady_clock::now();
  const auto data = tt::torch::load_fashion_mnist();
  // [data]
  // Each (row, column) pixel standardised over the training images: tanh units start in their
  // linear range, which the raw [0, 1] pixels (mostly 0 at the borders) do not give them.
  const auto scaler = tt::torch::standardizer::fit(tt::torch::as_sequences(data.train.x()));
  auto sequences = [&](const tt::torch::tensor_dataset& d, std::uint64_t window_seed) {
    auto x = scaler.apply(tt::torch::as_sequences(d.x()));  // [N, 28 steps, 28 features]
    if (window > 0) x = tt::torch::random_windows(x, window, window_seed);
    return tt::torch::tensor_dataset(x.contiguous(), d.y());
  };
  const auto train = sequences(examples::slice(data.train, train_size, seed), seed);
  const auto test = sequences(examples::slice(data.test, test_size, seed), seed + 1);
  // [data]
  std::cout << "Fashion-MNIST rows as sequences [N, " << train.x().size(1) << ", " << train.x().size(2) << "]: " << train.size()
            << " to search on, " << test.size() << " to test; " << n_iter << " candidates x " << folds
            << " stratified folds, epochs capped at " << (max_epochs > 0 ? std::to_string(max_epochs) : "none") << '\n';

  // [search]
  auto build = [max_epochs, clip](const sequence_rnn::rnn_params& p, tt::torch::fit_options& fit) {
    if (clip > 0) fit.clip_grad_norm = clip;
    fit.epochs = max_epochs > 0 ? std::min<std::int64_t>(p.epochs, max_epochs) : p.epochs;
    fit.batch_size = p.batch_size;
    fit.optimizer = tt::torch::adam{.learning_rate = p.learning_rate};
    fit.schedule = tt::torch::inverse_time_lr{.decay = p.decay};  // Keras's decay (see inverse_time_lr)
    return rnn_classifier(28, p.layers, p.units, p.dropout);
  };
  auto cv = tt::torch::randomized_search_cv(
      sequence_rnn::space, build,
      {.n_iter = n_iter,
       .cv = tt::torch::stratified_k_fold{.n_splits = folds, .shuffle = true, .seed = seed},
       .scoring = "accuracy",
       .refit = false,
       .seed = seed,
       .workers = workers,
       .log = &std::cout,
       .storage = shared.storage,
       .study_name = shared.name});
  cv.fit(train);
  // [search]
  if (shared.worker) return shared.worker_done(cv.trials_run(), cv.study().trials().size());
  std::cout << cv.results_table();
  const auto best = cv.best_params();
  std::cout << std::fixed << std::setprecision(4) << "best: mean CV accuracy " << cv.best_score() << ", " << best
            << "; search in " << std::setprecision(1) << examples::seconds_since(start) << " s\n";

  // The refit: the best candidate on more images, for --refit-epochs (its learning rate, decay,
  // batch size and layers as the grid gave them).
  const auto refit_start = std::chrono::steady_clock::now();
  const auto refit_data = sequences(examples::slice(data.train, refit_size, seed + 2), seed + 2);
  auto refit_build = [&](const sequence_rnn::rnn_params& p, tt::torch::fit_options& fit) {
    auto model = build(p, fit);
    if (refit_epochs > 0) fit.epochs = refit_epochs;
    return model;
  };
  auto refit = tt::torch::build_seeded(refit_build, best, tt::torch::fit_options{}, tt::torch::derive_seed(seed, 0));
  tt::torch::trainer trainer(refit.model, refit.fit);
  const auto& h = trainer.fit(refit_data);
  const auto test_metrics = tt::torch::evaluate(trainer.model(), test, tt::torch::loss_kind::cross_entropy);
  std::cout << std::setprecision(2) << "refitted on " << refit_data.size() << " images for " << h.epochs_trained()
            << " epochs in " << std::setprecision(1) << examples::seconds_since(refit_start) << " s: test accuracy "
            << std::setprecision(2) << test_metrics.at("accuracy") * 100 << " %, test loss " << std::setprecision(4)
            << test_metrics.at("loss") << "; " << std::setprecision(1) << examples::seconds_since(start) << " s in all\n";
  // Chance is 10 %; the thresholds only say "clearly above chance" (the quick run trains 1 epoch on 400 images).
  return cv.best_score() > (quick ? 0.15 : 0.25) && test_metrics.at("accuracy") > (quick ? 0.15 : 0.5) ? 0 : 1;
}
