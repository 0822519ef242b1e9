// The study's run-level features: named metrics, enqueued configurations, the per-trial time
// limit, stop requests, failure summaries and exhaustion, and the fixes found by probing (a
// race in optimize's count, Hyperband totals that wrapped, finish() of a NaN).
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/spaces.hpp"
#include "typetune/engine/errors.hpp"
#include "typetune/engine/grid_sampler.hpp"
#include "typetune/engine/hyperband.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/study_core.hpp"

using namespace typetune;

namespace {

study_options options(std::uint64_t seed = 42) {
  study_options o;
  o.metric = "val_loss";
  o.seed = seed;
  return o;
}

run_budget trials(std::uint64_t n, std::size_t workers = 1) {
  return {.max_trials = n, .time_limit = std::nullopt, .workers = workers};
}

double bot(const trial_context& t) { return static_cast<double>(std::get<std::int64_t>(t.at("dense_bot"))); }

}  // namespace

TEST_CASE("to_string names the interrupted state") { CHECK(to_string(trial_state::interrupted) == "interrupted"); }

TEST_CASE("named metrics are recorded per trial, kept in trials() and shown in the log line") {
  auto o = options();
  std::vector<std::string> lines;
  const auto space = testing::mlp_space(false);
  o.on_trial_end = [&](const trial_record& t) { lines.push_back(describe_trial(space, t, "val_loss")); };
  study_core study(space, make_random_sampler(), o);
  const auto summary = study.optimize(
      [](trial_context& t) {
        t.set_metric("val_accuracy", 0.5 + static_cast<double>(t.number()) / 100);
        t.set_metric("epochs", 3);
        t.set_metric("epochs", 4);  // replaces
        return bot(t) / 100;
      },
      trials(20, 4));
  CHECK(summary.trials_started == 20);
  for (const auto& t : study.trials()) {
    REQUIRE(t.state == trial_state::complete);
    CHECK(t.metrics.size() == 2);
    CHECK(t.metrics.at("val_accuracy") == Approx(0.5 + static_cast<double>(t.number) / 100));
    CHECK(t.metrics.at("epochs") == 4);
  }
  REQUIRE(lines.size() == 20);
  for (const auto& line : lines) {
    CHECK_THAT(line, Catch::Matches(R"(trial \d+ complete val_loss=\S+ epochs=4 val_accuracy=\S+ in .*)"));
  }
  CHECK(study.best_trial()->metrics.count("epochs") == 1);

  // The objective's own metric, or no name, is refused: the trial fails with the reason.
  study_core refused(space, make_random_sampler(), options());
  refused.optimize([](trial_context& t) {
    t.set_metric("val_loss", 1.0);
    return 1.0;
  }, trials(1));
  CHECK(refused.trial(0).state == trial_state::failed);
  CHECK_THAT(refused.trial(0).message, Catch::Contains("'val_loss' is the study's objective metric"));
  const auto ticket = refused.ask();
  CHECK_THROWS_AS(refused.set_metric(ticket->number, "", 1.0), std::invalid_argument);
  refused.tell(ticket->number, "val_loss", 1.0);
  CHECK_THROWS_WITH(refused.set_metric(ticket->number, "late", 1.0), Catch::Contains("not running"));
}

TEST_CASE("enqueued configurations run first, in order, and a grid still visits everything") {
  const auto space = testing::nested_space();
  study_core source(space, make_random_sampler(), options(3));
  const auto a = source.ask()->params;
  const auto b = source.ask()->params;

  study_core study(space, make_grid_sampler(), options());
  study.enqueue(a);
  study.enqueue(b);
  CHECK(study.enqueued() == 2);
  const auto summary = study.optimize([](trial_context&) { return 1.0; }, trials(5000, 2));
  CHECK(summary.exhausted);
  CHECK(summary.trials_started == 1017 + 2);
  const auto all = study.trials();
  CHECK(all[0].params == a);
  CHECK(all[1].params == b);
  std::set<std::string> distinct;
  for (std::size_t n = 2; n < all.size(); ++n) distinct.insert(space.format(all[n].params));
  CHECK(distinct.size() == 1017);  // no grid point lost to the enqueued trials
  CHECK(study.enqueued() == 0);

  // An assignment that does not fit is refused, naming the parameter.
  auto bad = a;
  bad.values[0] = std::monostate{};
  CHECK_THROWS_AS(study.enqueue(bad), assignment_error);
  study_core mlp(testing::mlp_space(true), make_grid_sampler(), options());
  auto wrong = mlp.ask()->params;
  wrong.values[0] = std::int64_t{75};  // not on dense_bot's step
  CHECK_THROWS_WITH(mlp.enqueue(wrong), Catch::Contains("'dense_bot'"));
  CHECK(mlp.enqueued() == 0);
}

TEST_CASE("the per-trial time limit: deadline, time left, out_of_time and trial_timeout") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  auto budget = trials(3);
  budget.trial_time_limit = std::chrono::milliseconds(20);
  std::atomic<int> checks{0};
  const auto summary = study.optimize(
      [&](trial_context& t) -> outcome {
        REQUIRE(t.deadline());
        REQUIRE(t.time_left());
        CHECK(*t.time_left() <= std::chrono::milliseconds(20));
        while (!t.out_of_time()) {
          ++checks;
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        CHECK(t.time_left()->count() == 0);
        if (t.number() == 1) return 0.5;  // stopped and kept what it had
        throw trial_timeout();
      },
      budget);
  CHECK(summary.trials_started == 3);
  CHECK(checks > 3);
  const auto all = study.trials();
  CHECK(all[0].state == trial_state::failed);
  CHECK(all[0].message == "time limit of 0.02 s reached");
  CHECK(all[0].duration_s >= 0.02);
  CHECK(all[1].state == trial_state::complete);
  CHECK(all[2].state == trial_state::failed);

  study_core unlimited(testing::mlp_space(false), make_random_sampler(), options());
  unlimited.optimize([](trial_context& t) {
    CHECK_FALSE(t.deadline());
    CHECK_FALSE(t.time_left());
    CHECK_FALSE(t.out_of_time());
    return 1.0;
  }, trials(1));
}

TEST_CASE("request_stop: no new trial starts, running ones end as interrupted, results are kept") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  std::atomic<int> calls{0};
  const auto summary = study.optimize(
      [&](trial_context& t) -> outcome {
        ++calls;
        CHECK_FALSE(t.stop_requested());
        if (t.number() == 3) {
          study.request_stop();
          if (t.stop_requested()) throw interrupted();
        }
        return bot(t);
      },
      trials(100));
  CHECK(summary.interrupted);
  CHECK(summary.trials_started == 4);
  CHECK(calls == 4);
  auto all = study.trials();
  REQUIRE(all.size() == 4);
  for (int n = 0; n < 3; ++n) CHECK(all[n].state == trial_state::complete);
  CHECK(all[3].state == trial_state::interrupted);
  CHECK(study.consecutive_failures() == 0);
  CHECK_FALSE(study.stop_requested());  // cleared when optimize() returned

  // Returning (not throwing) after seeing the request also records interrupted, with the value.
  const auto second = study.optimize(
      [&](trial_context& t) -> outcome {
        study.request_stop();
        return t.stop_requested() ? 0.125 : 1.0;
      },
      trials(10, 2));
  CHECK(second.interrupted);
  all = study.trials();
  CHECK(second.trials_started == all.size() - 4);
  CHECK(second.trials_started <= 2);
  for (std::size_t n = 4; n < all.size(); ++n) {
    CHECK(all[n].state == trial_state::interrupted);
    CHECK(all[n].value == std::optional<double>(0.125));
  }
  REQUIRE(study.best_trial());
  CHECK(study.best_trial()->number < 3);  // an interrupted value never counts as best

  // A request made before a run stops it before its first trial.
  study.request_stop();
  const auto third = study.optimize([](trial_context&) { return 1.0; }, trials(10));
  CHECK(third.interrupted);
  CHECK(third.trials_started == 0);
  CHECK(study.optimize([](trial_context&) { return 1.0; }, trials(2)).trials_started == 2);
}

TEST_CASE("run_schedule stops asking and promoting after a stop request") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  const auto plan = plan_hyperband({.min_resource = 1, .max_resource = 9, .reduction_factor = 3});
  std::atomic<int> calls{0};
  const auto report = run_schedule(
      study,
      [&](trial_context& t) -> outcome {
        if (++calls == 5) study.request_stop();
        return bot(t) / static_cast<double>(*t.resource());
      },
      plan, 1);
  CHECK_FALSE(report.matches(plan));
  CHECK(report.brackets.size() == 1);
  for (const auto& t : study.trials()) CHECK(t.state != trial_state::running);
  bool any_interrupted = false;
  for (const auto& t : study.trials()) any_interrupted |= t.state == trial_state::interrupted;
  CHECK(any_interrupted);
  CHECK(study.clear_stop_request());
}

TEST_CASE("the failure summary groups messages, exhausted also when the budget ends at the last point") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  const auto summary = study.optimize(
      [](trial_context& t) -> outcome {
        switch (t.number() % 5) {
          case 1: throw std::runtime_error("loader crashed");
          case 2: throw out_of_memory_error("CUDA out of memory");
          case 3: return std::numeric_limits<double>::quiet_NaN();
          default: return 1.0;
        }
      },
      trials(10));
  CHECK_FALSE(summary.exhausted);
  REQUIRE(summary.failures.size() == 3);
  CHECK(summary.failures[0].state == trial_state::failed);
  CHECK(summary.failures[0].message == "loader crashed");
  CHECK(summary.failures[0].count == 2);
  CHECK(summary.failures[0].first_trial == 1);
  CHECK(summary.failures[1].state == trial_state::out_of_memory);
  CHECK(summary.failures[1].first_trial == 2);
  CHECK(summary.failures[2].state == trial_state::diverged);
  CHECK(summary.failures[2].count == 2);
  const auto text = summary.failures_text();
  CHECK_THAT(text, Catch::StartsWith("6 of 10 trials did not complete:\n") &&
                       Catch::Contains("  2 failed (first: trial 1): loader crashed\n") &&
                       Catch::Contains("  2 out_of_memory (first: trial 2): CUDA out of memory\n") &&
                       Catch::Contains("  2 diverged (first: trial 3): objective returned nan\n"));
  CHECK(study.optimize([](trial_context&) { return 1.0; }, trials(2)).failures_text().empty());

  const auto space = testing::nested_space();
  for (auto make : {make_grid_sampler, make_random_sampler}) {
    study_core exact(space, make(), options());
    CHECK_FALSE(exact.optimize([](trial_context&) { return 1.0; }, trials(1016, 2)).exhausted);
    CHECK(exact.optimize([](trial_context&) { return 1.0; }, trials(1, 2)).exhausted);  // 1017 in all
    study_core at_once(space, make(), options());
    const auto s = at_once.optimize([](trial_context&) { return 1.0; }, trials(1017, 4));
    CHECK(s.exhausted);
    CHECK(s.trials_started == 1017);
  }
}

TEST_CASE("two optimize() calls at once each count only their own trials") {
  for (int round = 0; round < 5; ++round) {
    study_core study(testing::mlp_space(false), make_random_sampler(), options());
    run_summary a, b;
    const auto f = [](trial_context& t) {
      std::this_thread::sleep_for(std::chrono::microseconds(100 * (t.number() % 3)));
      return bot(t);
    };
    {
      std::jthread first([&] { a = study.optimize(f, trials(40, 2)); });
      std::jthread second([&] { b = study.optimize(f, trials(30, 2)); });
    }
    CHECK(a.trials_started == 40);
    CHECK(b.trials_started == 30);
    CHECK(study.trials().size() == 70);
  }
}

TEST_CASE("Hyperband plans whose totals do not fit in 64 bits are rejected, not wrapped") {
  CHECK_THROWS_AS(plan_hyperband({.min_resource = 1, .max_resource = 10'000'000'000'000'000, .reduction_factor = 2}),
                  std::overflow_error);
  CHECK_THROWS_WITH(plan_hyperband({.min_resource = 1, .max_resource = 10'000'000'000'000'000, .reduction_factor = 2}),
                    Catch::Contains("does not fit in a 64-bit integer"));
  CHECK_THROWS_AS(plan_successive_halving({}, std::numeric_limits<std::int64_t>::max()), std::overflow_error);
  // A large plan that fits: every total positive, the table's rows as wide as its header.
  const auto plan = plan_hyperband({.min_resource = 1, .max_resource = 1'000'000'000'000, .reduction_factor = 10});
  CHECK(plan.total_resource() > 0);
  CHECK(plan.total_resource_resumed() > 0);
  CHECK(plan.total_configs() > 0);
  const auto big = plan_successive_halving({.min_resource = 1, .max_resource = 81, .reduction_factor = 3},
                                           1'000'000'000'000'000);
  for (const auto& p : {plan, big}) {
    std::istringstream text(p.to_text());
    std::string line;
    std::getline(text, line);  // the options
    std::getline(text, line);  // the header
    const auto width = line.size();
    int rows = 0;
    while (std::getline(text, line) && line.rfind("total:", 0) != 0) {
      CHECK(line.size() == width);
      ++rows;
    }
    CHECK(rows > 0);
  }
}

TEST_CASE("finish() applies tell()'s rule: a complete trial needs a finite value") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  const auto a = study.ask();
  const auto b = study.ask();
  const auto c = study.ask();
  const auto d = study.ask();
  study.finish(a->number, {trial_state::complete, std::numeric_limits<double>::quiet_NaN(), {}});
  study.finish(b->number, {trial_state::complete, std::nullopt, {}});
  study.finish(c->number, {trial_state::complete, -std::numeric_limits<double>::infinity(), {}});
  CHECK(study.trial(0).state == trial_state::diverged);
  CHECK_FALSE(study.trial(0).value);
  CHECK(study.trial(1).state == trial_state::failed);
  CHECK_THAT(study.trial(1).message, Catch::Contains("without a value"));
  CHECK(study.trial(2).state == trial_state::diverged);
  CHECK_FALSE(study.best_trial());
  study.finish(d->number, {trial_state::complete, 2.0, {}});
  REQUIRE(study.best_trial());
  CHECK(study.best_trial()->number == 3);
  CHECK(*study.best_trial()->value == 2.0);
}
