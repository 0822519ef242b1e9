// The search front ends on small synthetic data: cross_val_score, randomized and grid search
// with cross-validation, and the tuners (best trial, repeated executions, enqueue, seeding,
// the threads of a search's last trial); the seed and the epochs said once, the typed best
// trial, printing, saving, the end-of-search summary, the progress line's default and the
// builder concept.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <vector>

#include "torch/openblas.hpp"
#include "typetune/torch/search.hpp"

#include <unistd.h>

namespace tt = typetune;

namespace search_test {
struct toy_params {
  int units;
  double learning_rate;
};
inline constexpr auto space =
    tt::space(tt::int_<"units">(4, 16, tt::step{4}), tt::choice<"learning_rate">(0.01, 0.1));  // 4 x 2 points
}  // namespace search_test
TYPETUNE_REFLECT(search_test::toy_params, units, learning_rate);

namespace {
using search_test::toy_params;

// Two classes separated by the sign of the features' sum; inputs [N, features] or [N, T, F].
tt::torch::tensor_dataset toy_data(std::vector<std::int64_t> shape, std::uint64_t seed = 7) {
  const auto lock = tt::torch::seeded_build(seed);
  const auto x = ::torch::randn(shape);
  const auto y = (x.reshape({shape[0], -1}).sum(1) > 0).to(::torch::kLong);
  return {x, y};
}

// Flattens any input rank: [N, ...] -> [N, features].
::torch::nn::Sequential build(const toy_params& p, tt::torch::fit_options& fit, std::int64_t features) {
  fit.optimizer = tt::torch::adam{.learning_rate = p.learning_rate};
  return ::torch::nn::Sequential(::torch::nn::Flatten(), ::torch::nn::Linear(features, p.units), ::torch::nn::ReLU(),
                                 ::torch::nn::Linear(p.units, 2));
}
auto flat_builder() {
  return [](const toy_params& p, tt::torch::fit_options& fit) { return build(p, fit, 6); };
}

tt::torch::fit_options small_fit() {
  tt::torch::fit_options fit;
  fit.epochs = 2;
  fit.batch_size = 16;
  return fit;
}

std::string format(const toy_params& p) {
  return tt::describe(search_test::space).format(tt::encode(search_test::space, p));
}

}  // namespace

TEST_CASE("cross_val_score returns one score per fold, on rank-2 and rank-3 inputs", "[search]") {
  const toy_params p{.units = 8, .learning_rate = 0.05};
  const auto flat = toy_data({60, 6});
  const auto s2 = tt::torch::cross_val_score(flat_builder(), p, flat, tt::torch::stratified_k_fold{.n_splits = 4}, small_fit());
  CHECK(s2.values.size() == 4);
  const auto seq = toy_data({60, 3, 4});
  auto build3 = [](const toy_params& q, tt::torch::fit_options& fit) { return build(q, fit, 12); };
  const auto s3 = tt::torch::cross_val_score(build3, p, seq, tt::torch::k_fold{.n_splits = 3, .shuffle = true}, small_fit());
  REQUIRE(s3.values.size() == 3);
  for (double v : s3.values) CHECK((v >= 0 && v <= 1));
}

TEST_CASE("randomized_search_cv ranks complete candidates and refits the rank-1 configuration", "[search]") {
  const auto data = toy_data({60, 6});
  auto cv = tt::torch::randomized_search_cv(
      search_test::space, flat_builder(),
      {.n_iter = 4, .cv = tt::torch::stratified_k_fold{.n_splits = 3, .shuffle = true, .seed = 1}, .scoring = "loss", .seed = 3},
      small_fit());
  cv.fit(data);
  const auto rows = cv.results();
  REQUIRE(rows.size() == 4);
  std::vector<std::size_t> ranks;
  const tt::torch::cv_candidate* first = nullptr;
  for (const auto& r : rows) {
    CHECK(r.fold_scores.size() == 3);
    CHECK(r.epochs == 2);  // what the folds trained: small_fit's 2 epochs
    if (r.state != "complete") continue;
    ranks.push_back(r.rank);
    if (r.rank == 1) first = &r;
    for (const auto& other : rows)
      if (other.state == "complete" && other.rank < r.rank) CHECK(other.mean <= r.mean);  // loss: lower is better
  }
  std::sort(ranks.begin(), ranks.end());
  REQUIRE(!ranks.empty());
  for (std::size_t i = 0; i < ranks.size(); ++i) CHECK(ranks[i] == i + 1);
  REQUIRE(first != nullptr);
  CHECK(format(cv.best_params()) == first->params);
  CHECK(cv.best_score() == Approx(first->mean));
  CHECK(static_cast<bool>(cv.best_model()));
  CHECK(cv.results_table().find(first->params) != std::string::npos);
}

TEST_CASE("refit trains on all the data even when the folds stop early", "[search]") {
  const auto data = toy_data({40, 6});
  auto fit = small_fit();
  fit.early_stop = tt::torch::early_stopping{.monitor = "val_loss", .patience = 1};
  auto cv = tt::torch::randomized_search_cv(search_test::space, flat_builder(),
                                            {.n_iter = 2, .cv = tt::torch::k_fold{.n_splits = 2}, .scoring = "accuracy"}, fit);
  cv.fit(data);
  CHECK(static_cast<bool>(cv.best_model()));
}

TEST_CASE("grid_search_cv tries every point of a finite space exactly once", "[search]") {
  const auto data = toy_data({40, 6});
  auto fit = small_fit();
  fit.epochs = 1;
  auto cv = tt::torch::grid_search_cv(search_test::space, flat_builder(),
                                      {.cv = tt::torch::stratified_k_fold{.n_splits = 2}, .refit = false}, fit);
  cv.fit(data);
  const auto rows = cv.results();
  CHECK(rows.size() == tt::grid_size(search_test::space));
  std::set<std::string> distinct;
  for (const auto& r : rows) distinct.insert(r.params);
  CHECK(distinct.size() == 8);
  CHECK_THROWS_AS(cv.best_model(), std::logic_error);
}

TEST_CASE("a tuner's best is its best trial, executions_per_trial sets the objective's std", "[search]") {
  const auto data = toy_data({80, 6});
  const auto split = tt::torch::stratified_split(data.y(), 0.25, 1);
  const auto train = data.subset(split.train);
  const auto validation = data.subset(split.validation);
  auto tuner = tt::torch::random_tuner(search_test::space, flat_builder(),
                                       {.objective = "val_loss", .max_trials = 3, .executions_per_trial = 2, .seed = 5});
  tuner.search(train, validation, small_fit());
  const auto rows = tuner.results();
  REQUIRE(rows.size() == 3);
  const tt::torch::trial_row* best = nullptr;
  for (const auto& r : rows) {
    REQUIRE(r.value.has_value());
    CHECK(r.metrics.contains("val_loss_std"));
    CHECK(r.metrics.at("val_loss_std") >= 0);
    if (best == nullptr || *r.value < *best->value) best = &r;
  }
  CHECK(tuner.best_value() == *best->value);
  CHECK(format(tuner.best_params()) == best->params);
  CHECK(tuner.best_metrics().contains("val_loss_std"));
  CHECK(static_cast<bool>(tuner.best_trained_model()));
  CHECK(static_cast<bool>(tuner.best_model(train, 1)));  // rebuilt and retrained without validation data
}

TEST_CASE("enqueue makes the first trial the enqueued configuration", "[search]") {
  const auto data = toy_data({60, 6});
  const auto split = tt::torch::stratified_split(data.y(), 0.25, 1);
  auto tuner = tt::torch::tpe_tuner(search_test::space, flat_builder(), {.objective = "val_accuracy", .max_trials = 2, .seed = 2});
  const toy_params wanted{.units = 12, .learning_rate = 0.01};
  tuner.enqueue(wanted);
  tuner.search(data.subset(split.train), data.subset(split.validation), small_fit());
  const auto rows = tuner.results();
  REQUIRE(rows.size() == 2);
  CHECK(rows.front().number == 0);
  CHECK(rows.front().params == format(wanted));
}

TEST_CASE("with the same seed and one worker, two tuner searches give identical trials", "[search]") {
  const auto data = toy_data({60, 6});
  const auto split = tt::torch::stratified_split(data.y(), 0.25, 1);
  auto run = [&] {
    auto tuner = tt::torch::random_tuner(search_test::space, flat_builder(),
                                         {.objective = "val_loss", .max_trials = 3, .seed = 11, .workers = 1});
    tuner.search(data.subset(split.train), data.subset(split.validation), small_fit());
    return tuner.results();
  };
  const auto a = run();
  const auto b = run();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].params == b[i].params);
    REQUIRE(a[i].value.has_value());
    REQUIRE(b[i].value.has_value());
    CHECK(*a[i].value == *b[i].value);
  }
}

TEST_CASE("a tuner on a stored study continues it up to max_trials with count_stored_trials", "[search][storage]") {
  const auto dir = std::filesystem::temp_directory_path() / ("typetune-tuner-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string url = "sqlite://" + (dir / "study.db").string();
  const auto data = toy_data({80, 6});
  const auto train = data.subset(::torch::arange(0, 60));
  const auto validation = data.subset(::torch::arange(60, 80));
  const auto run = [&](std::uint64_t max_trials) {
    auto tuner = tt::torch::make_tuner(search_test::space, flat_builder(),
                                       {.max_trials = max_trials, .seed = 5, .count_stored_trials = true},
                                       tt::random_search{.seed = 5}, tt::storage{url}, tt::study_name{"continued"});
    const auto summary = tuner.search(train, validation, small_fit());
    return std::tuple{summary.trials_started, tuner.study().trials().size(), tuner.best_trained_here(),
                      tuner.best_value(), tuner.has_best()};
  };
  const auto [first_run, first_total, first_here, first_best, first_has] = run(3);
  CHECK(first_run == 3);
  CHECK(first_total == 3);
  CHECK(first_here);  // this search trained its best
  const auto [second_run, second_total, second_here, second_best, second_has] = run(5);
  CHECK(second_run == 2);  // 3 were stored: 2 more make 5
  CHECK(second_total == 5);
  CHECK(second_best <= first_best);
  // Nothing left to run: the study is read back, and its best was trained by an earlier run.
  auto tuner = tt::torch::make_tuner(search_test::space, flat_builder(),
                                     {.max_trials = 5, .seed = 5, .count_stored_trials = true},
                                     tt::random_search{.seed = 5}, tt::storage{url}, tt::study_name{"continued"});
  const auto summary = tuner.search(train, validation, small_fit());
  CHECK(summary.trials_started == 0);
  CHECK(tuner.study().trials().size() == 5);
  CHECK(tuner.best_value() == second_best);
  CHECK_FALSE(tuner.best_trained_here());
  CHECK_THROWS_AS(tuner.best_trained_model(), std::logic_error);
  // best_model() rebuilds the stored best configuration: 6 inputs, `units` hidden, 2 classes.
  const auto units = static_cast<std::int64_t>(tuner.best_params().units);
  CHECK(tuner.best_model(train, 1).parameter_count() == 6 * units + units + units * 2 + 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the last trial of a search takes the idle workers' BLAS threads, and search() gives them back", "[search][threads]") {
  const auto blas_threads = typetune::torch::detail::openblas_threads;
  REQUIRE(blas_threads() > 0);  // Debian's LibTorch runs on OpenBLAS
  const auto cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const auto data = toy_data({4000, 6});
  const auto split = tt::torch::stratified_split(data.y(), 0.25, 1);
  std::mutex mutex;
  std::vector<int> seen;  // OpenBLAS's threads after each epoch of the long trial
  // units = 4: one epoch; units = 16: 30 epochs, recording the threads its products run on.
  auto builder = [&](const toy_params& p, tt::torch::fit_options& fit) {
    fit.epochs = p.units == 4 ? 1 : 30;
    if (p.units == 16)
      fit.on_epoch = [&](const tt::torch::epoch_record&) {
        std::lock_guard lock(mutex);
        seen.push_back(blas_threads());
      };
    return build(p, fit, 6);
  };
  auto tuner = tt::torch::random_tuner(search_test::space, builder,
                                       {.objective = "val_loss", .max_trials = 2, .seed = 4, .workers = 2, .threads = 1});
  tuner.enqueue({.units = 4, .learning_rate = 0.01});
  tuner.enqueue({.units = 16, .learning_rate = 0.01});
  tuner.search(data.subset(split.train), data.subset(split.validation), small_fit());
  REQUIRE(seen.size() == 30);
  // Once the short trial has ended nothing is left to start: the long one runs on every core.
  CHECK(*std::max_element(seen.begin(), seen.end()) == std::min(2, cores));
  CHECK(seen.back() == std::min(2, cores));
  CHECK(blas_threads() == 1);
}

TEST_CASE("tail_work takes the tail's idle cores while it runs, then the last trial does", "[search][threads]") {
  const auto blas_threads = typetune::torch::detail::openblas_threads;
  REQUIRE(blas_threads() > 0);  // Debian's LibTorch runs on OpenBLAS
  const auto cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const auto data = toy_data({4000, 6});
  const auto split = tt::torch::stratified_split(data.y(), 0.25, 1);
  std::mutex mutex;
  std::vector<int> seen;  // OpenBLAS's threads after each epoch of the long trial
  std::atomic<bool> short_done{false};
  auto builder = [&](const toy_params& p, tt::torch::fit_options& fit) {
    fit.epochs = p.units == 4 ? 1 : 30;
    if (p.units == 16)
      fit.on_epoch = [&](const tt::torch::epoch_record&) {
        std::lock_guard lock(mutex);
        seen.push_back(blas_threads());
      };
    else
      fit.on_epoch = [&](const tt::torch::epoch_record&) { short_done = true; };
    return build(p, fit, 6);
  };
  std::size_t calls = 0;
  bool before_short_ended = false;
  std::size_t busy_for = 0;  // calls answered "still running"
  auto tuner = tt::torch::random_tuner(
      search_test::space, builder,
      {.objective = "val_loss", .max_trials = 2, .seed = 4, .workers = 2, .threads = 1, .tail_work = [&] {
         std::lock_guard lock(mutex);
         if (!short_done) before_short_ended = true;
         return ++calls <= busy_for;
       }});
  tuner.enqueue({.units = 4, .learning_rate = 0.01});
  tuner.enqueue({.units = 16, .learning_rate = 0.01});

  SECTION("work that outlasts the tail keeps its cores: the last trial stays on one thread") {
    busy_for = 1000;
    tuner.search(data.subset(split.train), data.subset(split.validation), small_fit());
    REQUIRE(seen.size() == 30);
    CHECK(calls > 0);
    CHECK(calls <= 30);  // after the long trial's epochs only
    CHECK_FALSE(before_short_ended);
    CHECK(*std::max_element(seen.begin(), seen.end()) == 1);
  }
  SECTION("once the work is done, the last trial's products take the idle cores") {
    busy_for = 3;
    tuner.search(data.subset(split.train), data.subset(split.validation), small_fit());
    REQUIRE(seen.size() == 30);
    REQUIRE(calls > busy_for);  // the tail outlasted the work
    CHECK_FALSE(before_short_ended);
    const auto first_shared = std::find(seen.begin(), seen.end(), std::min(2, cores));
    CHECK(seen.front() == 1);
    CHECK(seen.back() == std::min(2, cores));
    // While the work ran (its calls answered true), the trial had one thread.
    CHECK(std::count(seen.begin(), first_shared, 1) >= 3);
  }
  CHECK(blas_threads() == 1);
}

TEST_CASE("a search has one seed: the tuner's or the sampler's, and two different ones are an error naming both",
          "[search][seed]") {
  // Either place gives it; it then seeds the sampler and every run.
  auto from_tuner = tt::torch::make_tuner(search_test::space, flat_builder(), {.seed = 7}, tt::tpe{});
  CHECK(from_tuner.seed() == 7);
  auto from_sampler = tt::torch::make_tuner(search_test::space, flat_builder(), {}, tt::tpe{.seed = 3});
  CHECK(from_sampler.seed() == 3);
  auto same = tt::torch::make_tuner(search_test::space, flat_builder(), {.seed = 3}, tt::tpe{.seed = 3});
  CHECK(same.seed() == 3);
  auto defaulted = tt::torch::make_tuner(search_test::space, flat_builder(), {});  // tt::auto_sampler
  CHECK(defaulted.seed() == 0);
  // Two different seeds: the error names both, and where the one seed goes.
  const auto conflict = [] {
    return tt::torch::make_tuner(search_test::space, flat_builder(), {.seed = 1}, tt::tpe{.seed = 2});
  };
  CHECK_THROWS_AS(conflict(), std::invalid_argument);
  CHECK_THROWS_WITH(conflict(), Catch::Contains("tuner_options::seed = 1") && Catch::Contains("tt::tpe{.seed = 2}") &&
                                    Catch::Contains("give the seed once"));
  CHECK_THROWS_WITH(tt::torch::hyperband_tuner(search_test::space, flat_builder(), {.seed = 4}, tt::hyperband{},
                                               tt::random_search{.seed = 5}),
                    Catch::Contains("tuner_options::seed = 4") && Catch::Contains("tt::random_search{.seed = 5}"));
  // The search with cross-validation takes its sampler the same way.
  using cv_type = tt::torch::search_cv<std::remove_cvref_t<decltype(search_test::space)>, decltype(flat_builder()),
                                       tt::random_search>;
  CHECK_THROWS_WITH(cv_type(search_test::space, flat_builder(), {.seed = 3}, small_fit(), tt::random_search{.seed = 4}),
                    Catch::Contains("search_cv_options::seed = 3") && Catch::Contains("tt::random_search{.seed = 4}"));
  CHECK(cv_type(search_test::space, flat_builder(), {}, small_fit(), tt::random_search{.seed = 4}).seed() == 4);
}

TEST_CASE("a search's epochs are said once: fit.epochs or the pruner's or scheduler's max_resource",
          "[search][epochs]") {
  const auto data = toy_data({60, 6});
  const auto split = tt::torch::stratified_split(data.y(), 0.25, 1);
  const auto train = data.subset(split.train);
  const auto validation = data.subset(split.validation);
  SECTION("both given and different: an error naming both, before any training") {
    auto tuner = tt::torch::make_tuner(search_test::space, flat_builder(), {.max_trials = 2, .seed = 1}, tt::random{},
                                       tt::asha{.max_resource = 5});
    CHECK_THROWS_WITH(tuner.search(train, validation, small_fit()),
                      Catch::Contains("fit_options::epochs = 2") && Catch::Contains("tt::asha{.max_resource = 5}"));
    CHECK_THROWS_AS(tuner.study(), std::logic_error);  // no study was made
  }
  SECTION("both given and equal, or the pruner's left at its default: the trials train fit.epochs") {
    for (const auto& pruner : {tt::asha{.max_resource = 2}, tt::asha{}}) {
      auto tuner = tt::torch::make_tuner(search_test::space, flat_builder(), {.max_trials = 2, .seed = 1}, tt::random{},
                                         pruner);
      tuner.search(train, validation, small_fit());
      for (const auto& row : tuner.results()) CHECK(row.metrics.at("epochs") <= 2);
    }
  }
  SECTION("a scheduler's max_resource with fit.epochs at its default sets the epochs") {
    auto fit = small_fit();
    fit.epochs = tt::torch::fit_options{}.epochs;
    auto tuner = tt::torch::hyperband_tuner(search_test::space, flat_builder(), {.seed = 1},
                                            tt::hyperband{.min_resource = 1, .max_resource = 3, .reduction_factor = 3});
    tuner.search(train, validation, fit);
    REQUIRE(tuner.study().schedule_plan().has_value());
    CHECK(tuner.study().schedule_plan()->options.max_resource == 3);
    for (const auto& row : tuner.results()) CHECK(row.metrics.at("epochs") <= 3);
  }
}

TEST_CASE("a tuner's best trial is typed, prints, saves with its report, and says how the search ended",
          "[search][api]") {
  const auto data = toy_data({80, 6});
  const auto split = tt::torch::stratified_split(data.y(), 0.25, 1);
  std::ostringstream log;
  auto tuner = tt::torch::random_tuner(
      search_test::space, flat_builder(),
      {.objective = "val_loss", .max_trials = 3, .executions_per_trial = 2, .seed = 5, .log = &log});
  const auto summary = tuner.search(data.subset(split.train), data.subset(split.validation), small_fit());
  CHECK(summary.has_best);
  CHECK(summary.trials == 3);
  CHECK(summary.exit_status() == 0);

  // The figures the tuner records are fields, and by name in `metrics`.
  const auto best = tuner.best();
  CHECK(best.value == tuner.best_value());
  CHECK(best.params.units == tuner.best_params().units);
  CHECK(best.epochs == static_cast<std::int64_t>(best.metrics.at("epochs")));
  CHECK(best.epochs == 2);
  CHECK(best.parameters == static_cast<std::int64_t>(best.metrics.at("parameters")));
  CHECK(best.parameters == 6 * best.params.units + best.params.units + best.params.units * 2 + 2);
  REQUIRE(best.value_std.has_value());
  CHECK(*best.value_std == best.metrics.at("val_loss_std"));

  std::ostringstream printed;
  printed << tuner.best_params();
  CHECK(printed.str() == tt::to_string(best.params));
  CHECK_THAT(printed.str(), Catch::StartsWith("units=" + std::to_string(best.params.units) + ", learning_rate="));

  const auto dir = std::filesystem::temp_directory_path() / ("typetune-save-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  tuner.save(dir / "study.jsonl", dir / "report.html");
  CHECK(std::filesystem::file_size(dir / "study.jsonl") > 0);
  CHECK(std::filesystem::file_size(dir / "report.html") > 0);
  CHECK_THAT(log.str(), Catch::Contains("study: " + (dir / "study.jsonl").string()) &&
                            Catch::Contains("report: " + (dir / "report.html").string()));
  CHECK_THROWS_WITH(tuner.save(dir / "missing" / "study.jsonl"), Catch::Contains("cannot write"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a search without a best trial has an exit status and says why", "[search][api]") {
  tt::torch::search_summary none;
  CHECK(none.exit_status() == 1);
  none.trials = 2;
  std::ostringstream text;
  text << none;
  CHECK(text.str() == "no trial completed (2 started)\n");
  none.interrupted = true;
  CHECK(none.exit_status() == 130);
  tt::torch::search_summary ended{};
  ended.has_best = true;
  ended.interrupted = true;
  CHECK(ended.exit_status() == 0);
  std::ostringstream interrupted;
  interrupted << ended;
  CHECK(interrupted.str() == "interrupted: the results so far follow\n");
}

TEST_CASE("the progress line is on by default only where standard error is a terminal", "[search][api]") {
  CHECK(tt::torch::tuner_options{}.progress == tt::torch::stderr_if_terminal());
  CHECK(tt::torch::stderr_if_terminal() == (::isatty(STDERR_FILENO) != 0 ? &std::cerr : nullptr));
  std::ostringstream elsewhere;
  CHECK_FALSE(tt::torch::writes_to_terminal(elsewhere));
  CHECK(tt::torch::writes_to_terminal(std::cout) == (::isatty(STDOUT_FILENO) != 0));
}

TEST_CASE("builder_for accepts the two forms of a builder whose struct fits the space", "[search][api]") {
  using space_type = std::remove_cvref_t<decltype(search_test::space)>;
  STATIC_REQUIRE(tt::builder_for<decltype(flat_builder()), space_type>);
  const auto params_only = [](const toy_params& p) { return ::torch::nn::Linear(6, p.units); };
  STATIC_REQUIRE(tt::builder_for<decltype(params_only), space_type>);
  const auto not_a_model = [](const toy_params& p) { return p.units; };
  STATIC_REQUIRE_FALSE(tt::builder_for<decltype(not_a_model), space_type>);
  const auto generic = [](const auto& p) { return ::torch::nn::Linear(6, p.units); };
  STATIC_REQUIRE_FALSE(tt::builder_for<decltype(generic), space_type>);
  struct other {
    int width;
  };
  const auto other_struct = [](const other& p) { return ::torch::nn::Linear(6, p.width); };
  STATIC_REQUIRE_FALSE(tt::builder_for<decltype(other_struct), space_type>);
}
