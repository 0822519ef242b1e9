// How much one seed hides. First, one configuration of the tutorials' Fashion-MNIST MLP
// (784-350-100-10, dropout 0.1, Adam at 1e-3) trained under N seeds: each seed's validation
// accuracy, then the mean and standard deviation. Then a tuner that runs each configuration
// under 3 seeds (executions_per_trial = 3): each trial's mean val_loss and its spread
// (val_loss_std): two configurations whose means lie within a std of each other are not told
// apart by one seed, and a configuration that wins under one seed can lose under the next.
//   seed_variance [--seeds 5] [--epochs 3] [--train-size 6000] [--trials 4] [--quick]
//                 [--storage URL] [--study NAME] [--worker]
// With --storage, processes started on one study share the tuner's --trials (docs/cluster.md); a
// --worker runs only the tuner's trials.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>

#include <CLI/CLI.hpp>

#include <typetune/torch/search.hpp>

#include "example_support.hpp"
#include "fashion_mlp_model.hpp"

namespace tt = typetune;

int main(int argc, char** argv) {
  CLI::App app{"Seed-to-seed spread of the tutorials' Fashion-MNIST MLP, and a tuner that averages seeds"};
  bool quick = false;
  std::size_t seeds = 5;
  std::int64_t epochs = 3;
  std::int64_t train_size = 6000;
  std::uint64_t trials = 4;
  std::size_t executions = 3;
  std::uint64_t seed = 1;
  examples::shared_study shared("seed-variance");
  app.add_flag("--quick", quick, "1000 images, 3 seeds of 1 epoch, 2 trials (the test suite's run)");
  app.add_option("--seeds", seeds, "seeds of the fixed configuration")->check(CLI::Range(2, 1000));
  app.add_option("--epochs", epochs, "epochs per run")->check(CLI::Range(1, 1000));
  app.add_option("--train-size", train_size, "training images (stratified; 0: all 60,000), 10 % of them validate");
  app.add_option("--trials", trials, "configurations the tuner tries")->check(CLI::Range(1, 10000));
  app.add_option("--executions", executions, "seeds per configuration in the tuner")->check(CLI::Range(2, 100));
  app.add_option("--seed", seed, "base seed");
  shared.add_flags(app);
  CLI11_PARSE(app, argc, argv);
  if (!shared.usable("seed_variance")) return 2;
  if (quick) {
    seeds = std::min<std::size_t>(seeds, 3);
    epochs = 1;
    train_size = 1000;
    trials = std::min<std::uint64_t>(trials, 2);
  }

  const auto start = std::chrono::steady_clock::now();
  const auto data = tt::torch::load_fashion_mnist();
  const auto all = examples::slice(tt::torch::tensor_dataset(data.train.x().reshape({-1, 784}), data.train.y()), train_size, seed);
  const auto split = tt::torch::stratified_split(all.y(), 0.1, seed);
  const auto train = all.subset(split.train);
  const auto validation = all.subset(split.validation);
  std::cout << "Fashion-MNIST: " << train.size() << " to train, " << validation.size() << " to validate, " << epochs
            << " epochs per run\n";

  tt::torch::fit_options fit;
  fit.epochs = epochs;
  fit.batch_size = 32;
  // The tuner below, which alone is shared: --trials is a stored study's budget.
  const auto seed_averaging_tuner = [&] {
    tt::torch::tuner_options options{
        .objective = "val_loss", .max_trials = trials, .executions_per_trial = executions, .seed = seed};
    options.count_stored_trials = !shared.storage.empty();
    return tt::torch::make_tuner(fashion_mlp::space, fashion_mlp::build, options, tt::random{},
                                 tt::storage{shared.url()}, tt::study_name{shared.name});
  };
  if (shared.worker) {  // a worker of a shared study: the tuner's trials only
    auto tuner = seed_averaging_tuner();
    const auto summary = tuner.search(train, validation, fit);
    return summary.has_best ? shared.worker_done(summary.trials_started, summary.trials) : summary.exit_status();
  }

  // [seeds]
  const fashion_mlp::mlp_params config{
      .dense_bot = 350, .hidden = {{.units = 100, .dropout = 0.1}}, .optimizer = fashion_mlp::adam{.learning_rate = 1e-3}};
  const tt::torch::model_factory factory = [&](std::uint64_t s) {
    tt::torch::built_model b{tt::torch::model_ref{}, fit};
    b.fit.seed = s;
    const auto lock = tt::torch::seeded_build(s);
    b.model = fashion_mlp::build(config, b.fit);
    return b;
  };
  const auto spread = tt::torch::seed_scores(factory, train, validation, "accuracy", seeds, seed);
  // [seeds]
  std::cout << "== one configuration (784-350-100-10, dropout 0.1, adam 1e-3) under " << seeds << " seeds ==\n"
            << std::fixed << std::setprecision(2);
  for (std::size_t i = 0; i < spread.values.size(); ++i)
    std::cout << "  seed " << i << ": val accuracy " << spread.values[i] * 100 << " %\n";
  const double lo = *std::min_element(spread.values.begin(), spread.values.end());
  const double hi = *std::max_element(spread.values.begin(), spread.values.end());
  std::cout << "  mean " << spread.mean() * 100 << " % +- " << spread.std() * 100 << " (std), range " << lo * 100 << " .. "
            << hi * 100 << " %\n";

  // [tuner]
  auto tuner = seed_averaging_tuner();  // each trial: the mean over --executions seeds
  tuner.enqueue(config);
  tuner.search(train, validation, fit);
  // [tuner]
  std::cout << "== a tuner with executions_per_trial = " << executions << " ==\n" << std::setprecision(4);
  std::cout << "trial  mean val_loss  val_loss_std  params\n";
  for (const auto& row : tuner.results()) {
    if (!row.value) {
      std::cout << std::setw(5) << row.number << "  " << row.state << "  " << row.params << '\n';
      continue;
    }
    const auto sd = row.metrics.find("val_loss_std");
    std::cout << std::setw(5) << row.number << "  " << std::setw(13) << *row.value << "  " << std::setw(12)
              << (sd != row.metrics.end() ? sd->second : std::nan("")) << "  " << row.params << '\n';
  }
  const auto best = tuner.best_metrics();
  std::cout << "best by the mean of " << executions << " seeds: trial " << tuner.study().best().number << ", val_loss "
            << tuner.best_value() << " +- " << best.at("val_loss_std")
            << ". Trials whose means lie within one std of each other are not told apart by one seed.\n"
            << std::setprecision(1) << "in " << examples::seconds_since(start) << " s\n";
  // Chance is 10 %: a configuration that learns nothing, or a spread as large as the mean, is broken.
  const bool sane = spread.mean() > (quick ? 0.5 : 0.75) && spread.std() < 0.1 && std::isfinite(tuner.best_value());
  return sane ? 0 : 1;
}
