// The main job: the tutorials' Fashion-MNIST MLP search on the real data set (Debian's
// dataset-fashion-mnist). TPE proposes configurations; each trains up to --epochs with a cosine
// learning-rate schedule, and ASHA stops the weak ones at epochs 1, 3, 9, ... without waiting
// for a rung to fill, so both workers stay busy. It prints one line per trial (and a live line
// on a terminal), the best configuration, and the test accuracy of the best model beside the
// tutorial's untuned baseline (784-350-10, trained the same way), with the wall time of each.
//   fashion_mlp_search [--trials 24] [--epochs 12] [--workers 2] [--threads 1] [--seed 1] [--no-baseline] [--quick]
//                      [--export study.jsonl] [--report report.html]
#include <chrono>
#include <iomanip>
#include <iostream>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <typetune/torch/search.hpp>

#include "example_support.hpp"
#include "fashion_mlp_model.hpp"

namespace tt = typetune;

int main(int argc, char** argv) {
  CLI::App app{"Hyperparameter search of the tutorials' Fashion-MNIST MLP"};
  bool quick = false;
  bool baseline = true;
  std::uint64_t trials = 24;
  std::int64_t epochs = 12;
  std::int64_t eta = 3;
  std::size_t workers = 2;
  std::uint64_t seed = 1;
  std::int64_t batch_size = 32;
  int threads = 1;
  std::string export_path, report_path;
  app.add_flag("--quick", quick, "a slice of the data, 4 trials of up to 3 epochs (the test suite's run)");
  app.add_flag("!--no-baseline", baseline, "skip training the untuned baseline");
  app.add_option("--trials", trials, "configurations to try")->check(CLI::Range(1, 100000));
  app.add_option("--epochs", epochs, "epochs of a configuration that survives every rung")->check(CLI::Range(1, 1000));
  app.add_option("--eta", eta, "ASHA's reduction factor: each rung keeps the best 1/eta")->check(CLI::Range(2, 10));
  app.add_option("--workers", workers, "trials trained at a time")
      ->check(CLI::Range(1, 64));
  app.add_option("--threads", threads, "LibTorch threads per worker (at batch 32, one is fastest)")
      ->check(CLI::Range(1, 256));
  app.add_option("--seed", seed, "seed of the sampler, the split and every model");
  app.add_option("--batch-size", batch_size, "mini-batch size")->check(CLI::Range(1, 65536));
  app.add_option("--export", export_path, "write the study as JSON Lines here (for the typetune command line)");
  app.add_option("--report", report_path, "write the study's HTML report here");
  CLI11_PARSE(app, argc, argv);
  if (quick) {
    epochs = std::min<std::int64_t>(epochs, 3);
    trials = std::min<std::uint64_t>(trials, 4);
  }

  const auto start = std::chrono::steady_clock::now();
  // [data]
  auto data = tt::torch::load_fashion_mnist();
  auto train_all = examples::flatten(data.train);
  auto test = examples::flatten(data.test);
  if (quick) {  // a stratified slice: 3000 images to train and validate on, 1000 to test
    train_all = examples::slice(train_all, 3000, seed);
    test = examples::slice(test, 1000, seed);
  }
  // The tutorial's split: 5 % of the training images, stratified, validate the search.
  const auto split = tt::torch::stratified_split(train_all.y(), 0.05, seed);
  const auto train = train_all.subset(split.train);
  const auto validation = train_all.subset(split.validation);
  // [data]
  std::cout << "Fashion-MNIST from " << tt::torch::fashion_mnist_dir().string() << ": " << train.size() << " to train, "
            << validation.size() << " to validate, " << test.size() << " to test\n";

  // [search]
  tt::torch::fit_options fit;
  fit.epochs = epochs;
  fit.batch_size = batch_size;
  fit.schedule = tt::torch::cosine_lr{};  // over fit.epochs: a trial stopped early never reaches the low rates
  auto tuner = tt::torch::asha_tuner(
      fashion_mlp::space, fashion_mlp::build,
      {.objective = "val_loss", .max_trials = trials, .seed = seed, .workers = workers, .threads = threads, .log = &std::cout,
       .progress = isatty(STDERR_FILENO) != 0 ? &std::cerr : nullptr},
      tt::asha{.min_resource = 1, .max_resource = epochs, .reduction_factor = eta}, tt::tpe{});
  const auto summary = tuner.search(train, validation, fit);
  // [search]
  examples::save_study(tuner, "fashion-mlp", export_path, report_path);
  if (const auto status = examples::report_search(summary, tuner)) return *status;

  const auto best = tuner.best_params();
  const auto model = tuner.best_trained_model();
  const auto test_metrics = tt::torch::evaluate(model, test, tt::torch::loss_kind::cross_entropy);
  const double search_seconds = examples::seconds_since(start);
  std::cout << std::fixed << std::setprecision(4) << "best: val_loss " << tuner.best_value() << ", epochs "
            << static_cast<int>(tuner.best_metrics().at("epochs")) << ", " << tuner.study().description().format(tt::encode(fashion_mlp::space, best))
            << "\nbest model: test accuracy " << test_metrics.at("accuracy") * 100 << " %, test loss "
            << test_metrics.at("loss") << "; search, and test of the best model, in " << std::setprecision(1)
            << search_seconds << " s (" << tuner.study().trials().size() << " trials)\n";

  if (baseline) {
    const auto baseline_start = std::chrono::steady_clock::now();
    tt::torch::set_threads(threads);
    tt::torch::fit_options base_fit = fit;
    base_fit.seed = seed;
    ::torch::nn::Sequential base_model = [&] {
      const auto lock = tt::torch::seeded_build(seed);
      return fashion_mlp::baseline();
    }();
    tt::torch::trainer base(base_model, base_fit);
    base.fit(train, validation);
    const auto base_test = tt::torch::evaluate(base.model(), test, tt::torch::loss_kind::cross_entropy);
    std::cout << std::setprecision(4) << "baseline 784-350-10 (adam 1e-3, " << epochs << " epochs): test accuracy "
              << base_test.at("accuracy") * 100 << " % in " << std::setprecision(1) << examples::seconds_since(baseline_start) << " s\n";
  }
  std::cout << "job: " << std::setprecision(1) << examples::seconds_since(start) << " s in all, from loading the data\n";
  const double accuracy = test_metrics.at("accuracy");
  // A search that trains nothing useful is a failure, even on the quick slice.
  return accuracy > (quick ? 0.6 : 0.85) ? 0 : 1;
}
