// typetune's side of ../shared/anchors/optuna_fashion_mlp.py: the tutorial's Fashion-MNIST MLP
// search with TPE, one worker, batch 32, validation loss on a stratified 5 % split, and the test
// accuracy of the best configuration. With --configs FILE it trains exactly the configurations
// the reference dumped (--dump), in order, for timing identical work. Threads: each worker's
// matrix products run on --threads OpenBLAS threads (tt::torch::set_threads; LibTorch's pool
// stays at one). The default is one: at batch 32 a second OpenBLAS thread spins in sched_yield
// between the small products, and on the shared 2-core machines the same 20 x 3 list took
// 47-93 s with two threads against a steady 51-55 s with one (AVX2 kernels). The reference's
// torch.set_num_threads(1) leaves its OpenBLAS on one thread per core. --workers N trains N
// trials at a time (give each one thread: --workers 2 --threads 1 on 2 cores).
//   fashion_mlp_tpe [trials=10] [epochs=2] [--configs FILE] [--workers 1] [--threads 1]
// Prints one line in the reference's format: wall_s, per_trial_s, best_val_loss, best_test_acc.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <typetune/torch/search.hpp>

#include "torch/example_support.hpp"
#include "torch/fashion_mlp_model.hpp"

namespace tt = typetune;

namespace {

// One configuration of the reference's dump: dense_bot, num_dense_layers, dense_i, dropout_i,
// optimizer, learning_rate (momentum is the tutorial's fixed 0.9).
fashion_mlp::mlp_params from_reference(const nlohmann::json& c) {
  fashion_mlp::mlp_params p;
  p.dense_bot = c.at("dense_bot").get<int>();
  const int layers = c.at("num_dense_layers").get<int>();
  for (int i = 0; i < layers; ++i)
    p.hidden.push_back(
        {c.at("dense_" + std::to_string(i)).get<int>(), c.at("dropout_" + std::to_string(i)).get<double>()});
  const double lr = c.at("learning_rate").get<double>();
  if (c.at("optimizer").get<std::string>() == "sgd") p.optimizer = fashion_mlp::sgd{lr, 0.9};
  else p.optimizer = fashion_mlp::adam{lr};
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"typetune's TPE search of the tutorial's Fashion-MNIST MLP, as the Optuna reference runs it"};
  std::uint64_t trials = 10;
  std::int64_t epochs = 2;
  std::string configs;
  std::size_t workers = 1;
  int threads = 1;
  app.add_option("--threads", threads, "OpenBLAS threads per worker, LibTorch's staying at 1 (tt::torch::set_threads)")
      ->check(CLI::Range(1, 256));
  app.add_option("trials", trials, "trials (ignored with --configs)");
  app.add_option("epochs", epochs, "epochs per trial")->check(CLI::Range(1, 1000));
  app.add_option("--configs", configs, "train exactly these configurations (the reference's --dump)")
      ->check(CLI::ExistingFile);
  app.add_option("--workers", workers, "trials at a time")->check(CLI::Range(1, 64));
  CLI11_PARSE(app, argc, argv);

  const auto data = tt::torch::load_fashion_mnist();
  const auto train_all = examples::flatten(data.train);
  const auto test = examples::flatten(data.test);
  const auto split = tt::torch::stratified_split(train_all.y(), 0.05, 48);
  const auto train = train_all.subset(split.train);
  const auto validation = train_all.subset(split.validation);
  const auto start = std::chrono::steady_clock::now();  // as the reference: the data are loaded

  std::vector<fashion_mlp::mlp_params> enqueued;
  if (!configs.empty()) {
    std::ifstream in(configs);
    for (const auto& c : nlohmann::json::parse(in)) enqueued.push_back(from_reference(c));
    trials = enqueued.size();
  }
  auto tuner = tt::torch::tpe_tuner(
      fashion_mlp::space, fashion_mlp::build,
      {.objective = "val_loss", .max_trials = trials, .seed = 1, .workers = workers, .threads = threads});
  for (const auto& p : enqueued) tuner.enqueue(p);
  tt::torch::fit_options fit;
  fit.epochs = epochs;
  fit.batch_size = 32;
  tuner.search(train, validation, fit);
  const auto test_metrics = tt::torch::evaluate(tuner.best_trained_model(), test, tt::torch::loss_kind::cross_entropy);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "typetune %s workers=%zu threads=%d trials=%llu epochs=%lld wall_s=%.1f per_trial_s=%.2f best_val_loss=%.4f "
      "best_val_acc=%.4f best_test_acc=%.4f\n",
      configs.empty() ? "tpe" : "configs", workers, threads, static_cast<unsigned long long>(trials),
      static_cast<long long>(epochs), wall, wall / static_cast<double>(trials), tuner.best_value(),
      tuner.best_metrics().at("val_accuracy"), test_metrics.at("accuracy"));
  return 0;
}
