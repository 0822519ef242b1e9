// The tutorials' small CNN on Fashion-MNIST images [N, 1, 28, 28]: one or two conv blocks
// (filters, padding, dropout), a dense layer, and Adam or SGD with their own learning-rate
// ranges, searched by a Bayesian tuner (a Gaussian process) on the validation accuracy of a
// stratified slice of the training images; the best configuration is then rebuilt and trained
// on all 60,000 (keras-tuner's rebuild-and-retrain) and tested on all 10,000. It prints one line
// per trial, the best configuration, and the test accuracy of the retrained model.
//   fashion_cnn_search [--trials 6] [--epochs 3] [--train-size 12000] [--retrain-epochs 10] [--device cuda] [--quick]
//                      [--storage URL] [--study NAME] [--worker]
// With --storage, processes started on one study share its --trials (docs/cluster.md).
// --train-size 0 searches on all 60,000 training images (57,000 to train, 3,000 to validate);
// --retrain-epochs 0 keeps the search's model of the best trial instead of retraining.
#include <chrono>
#include <iomanip>
#include <iostream>

#include <CLI/CLI.hpp>

#include <typetune/torch/search.hpp>

#include "example_support.hpp"
#include "fashion_cnn_model.hpp"

namespace tt = typetune;

int main(int argc, char** argv) {
  CLI::App app{"Hyperparameter search of the tutorials' Fashion-MNIST CNN"};
  bool quick = false;
  std::uint64_t trials = 6;
  std::int64_t epochs = 3;
  std::int64_t train_size = 12000;
  std::int64_t retrain_epochs = 10;
  std::int64_t test_size = 0;
  std::int64_t batch_size = 64;
  std::uint64_t seed = 1;
  std::string device_name = "cpu";
  examples::shared_study shared("fashion-cnn");
  app.add_flag("--quick", quick, "1000 images to train, 200 to validate, 500 to test; 2 trials of 1 epoch, no retraining");
  app.add_option("--trials", trials, "configurations to try")->check(CLI::Range(1, 10000));
  app.add_option("--epochs", epochs, "epochs per trial")->check(CLI::Range(1, 1000));
  app.add_option("--train-size", train_size, "training images the search draws from (stratified; 0: all 60,000), 5 % of them validate");
  app.add_option("--retrain-epochs", retrain_epochs, "epochs of the best configuration retrained on all 60,000 images (0: keep the search's model)")
      ->check(CLI::Range(0, 1000));
  app.add_option("--test-size", test_size, "test images (stratified; 0: all 10,000)");
  app.add_option("--batch-size", batch_size, "mini-batch size")->check(CLI::Range(1, 65536));
  app.add_option("--seed", seed, "seed of the tuner, the slices and every model");
  app.add_option("--device", device_name, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  shared.add_flags(app);
  CLI11_PARSE(app, argc, argv);
  if (!shared.usable("fashion_cnn_search")) return 2;

  ::torch::Device device(::torch::kCPU);
  if (device_name == "cuda") {
    if (!::torch::cuda::is_available()) {
      std::cerr << "fashion_cnn_search: --device cuda, but LibTorch finds no CUDA device (or was built without CUDA)\n";
      return 2;
    }
    device = ::torch::Device(::torch::kCUDA);
  }

  const auto start = std::chrono::steady_clock::now();
  const auto data = tt::torch::load_fashion_mnist();
  auto images = [](const tt::torch::tensor_dataset& d) { return tt::torch::tensor_dataset(d.x().unsqueeze(1), d.y()); };
  const tt::torch::tensor_dataset all_train = images(data.train);
  tt::torch::tensor_dataset train_all = all_train;
  tt::torch::tensor_dataset test = images(data.test);
  tt::torch::tensor_dataset train;
  tt::torch::tensor_dataset validation;
  if (quick) {
    trials = std::min<std::uint64_t>(trials, 2);
    epochs = 1;
    retrain_epochs = 0;
    train_all = examples::slice(train_all, 1200, seed);
    const auto split = tt::torch::stratified_split(train_all.y(), 200.0 / 1200.0, seed);
    train = train_all.subset(split.train);
    validation = train_all.subset(split.validation);
    test = examples::slice(test, 500, seed);
  } else {
    train_all = examples::slice(train_all, train_size, seed);
    const auto split = tt::torch::stratified_split(train_all.y(), 0.05, seed);
    train = train_all.subset(split.train);
    validation = train_all.subset(split.validation);
    test = examples::slice(test, test_size, seed);
  }
  std::cout << "Fashion-MNIST images [N, 1, 28, 28]: " << train.size() << " to train, " << validation.size()
            << " to validate, " << test.size() << " to test; " << trials << " trials of " << epochs << " epochs on "
            << device_name << '\n';

  // [search]
  tt::torch::tuner_options options{.objective = "val_accuracy", .max_trials = trials, .seed = seed, .log = &std::cout};
  options.count_stored_trials = !shared.storage.empty();  // --trials is the stored study's budget
  auto tuner = tt::torch::make_tuner(fashion_cnn::space, fashion_cnn::build, options, tt::gp{},
                                     tt::storage{shared.url()}, tt::study_name{shared.name});
  // The tutorial's starting point first: one block of 32 filters, 100 units, Adam at 1e-3 (queued
  // by the run that reports, not by each worker of a shared study).
  if (!shared.worker)
    tuner.enqueue({.conv = {{.filters = 32, .padding = "same", .dropout = 0.25}},
                   .dense_units = 100,
                   .optimizer = fashion_cnn::adam{.learning_rate = 1e-3}});
  tt::torch::fit_options fit;
  fit.epochs = epochs;
  fit.batch_size = batch_size;
  fit.device = device;
  const auto summary = tuner.search(train, validation, fit);
  // [search]
  if (shared.worker)
    return summary.has_best ? shared.worker_done(summary.trials_started, summary.trials) : summary.exit_status();
  if (!summary.has_best) return summary.exit_status();
  const auto best = tuner.best();
  std::cout << std::fixed << std::setprecision(4) << "best: val_accuracy " << best.value << ", val_loss "
            << best.metrics.at("val_loss") << ", " << best.parameters << " weights, " << best.params << "; search in "
            << std::setprecision(1) << examples::seconds_since(start) << " s\n";
  // The best trial may have trained in another process: then its configuration is trained here.
  auto model = tuner.best_trained_here() ? tuner.best_trained_model() : tuner.best_model(train, epochs);
  if (retrain_epochs > 0) {
    const auto retrain_start = std::chrono::steady_clock::now();
    model = tuner.best_model(all_train, retrain_epochs);
    std::cout << "retrained on all " << all_train.size() << " training images for " << retrain_epochs << " epochs in "
              << std::setprecision(1) << examples::seconds_since(retrain_start) << " s\n";
  }
  const auto test_metrics = tt::torch::evaluate(model, test, tt::torch::loss_kind::cross_entropy);
  std::cout << std::setprecision(2) << "best model: test accuracy " << test_metrics.at("accuracy") * 100 << " %, test loss "
            << std::setprecision(4) << test_metrics.at("loss") << "; " << tuner.study().trials().size() << " trials, "
            << std::setprecision(1) << examples::seconds_since(start) << " s in all\n";
  // Chance is 10 %: a search whose best model is not well above it has failed.
  const double accuracy = test_metrics.at("accuracy");
  return accuracy > (quick ? 0.5 : 0.75) ? 0 : 1;
}
