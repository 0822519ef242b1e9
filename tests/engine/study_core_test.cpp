// The study: every trial state, the consecutive-failure stop, metric checks, exhaustion of
// finite spaces, and the same configurations whether 1 or 4 workers run the trials.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <future>
#include <limits>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "engine/detail/process_probes.hpp"
#include "support/spaces.hpp"
#include "typetune/engine/errors.hpp"
#include "typetune/engine/grid_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/sobol_sampler.hpp"
#include "typetune/engine/study_core.hpp"
#include "typetune/engine/trial_storage.hpp"

using namespace typetune;

namespace {

study_options options(std::uint64_t seed = 42) {
  study_options o;
  o.metric = "val_loss";
  o.seed = seed;
  return o;
}

// A cheap deterministic objective of the configuration.
double score(const trial_context& t) {
  double v = static_cast<double>(std::get<std::int64_t>(t.at("dense_bot"))) / 350.0;
  if (const auto* lr = std::get_if<double>(&t.at("optimizer.adam.learning_rate"))) v += std::abs(std::log10(*lr) + 3);
  return v;
}

}  // namespace

TEST_CASE("to_string names every trial state") {
  CHECK(to_string(trial_state::running) == "running");
  CHECK(to_string(trial_state::complete) == "complete");
  CHECK(to_string(trial_state::pruned) == "pruned");
  CHECK(to_string(trial_state::failed) == "failed");
  CHECK(to_string(trial_state::diverged) == "diverged");
  CHECK(to_string(trial_state::out_of_memory) == "out_of_memory");
}

TEST_CASE("optimize records every trial state") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  const auto summary = study.optimize(
      [](trial_context& t) -> outcome {
        t.report(1, 0.5);
        switch (t.number() % 7) {
          case 0: return 0.25 + static_cast<double>(t.number());
          case 1: return outcome::pruned();
          case 2: throw std::runtime_error("cuda error: device-side assert");
          case 3: return std::numeric_limits<double>::quiet_NaN();
          case 4: throw out_of_memory_error("CUDA out of memory");
          case 5: throw std::bad_alloc();
          default: throw trial_pruned();
        }
      },
      {.max_trials = 7, .time_limit = std::nullopt, .workers = 1});
  CHECK(summary.trials_started == 7);
  const auto trials = study.trials();
  REQUIRE(trials.size() == 7);
  CHECK(trials[0].state == trial_state::complete);
  CHECK(trials[0].value == std::optional<double>(0.25));
  CHECK(trials[1].state == trial_state::pruned);
  CHECK(trials[1].value == std::optional<double>(0.5));  // the last reported value
  CHECK(trials[2].state == trial_state::failed);
  CHECK(trials[2].message == "cuda error: device-side assert");
  CHECK(trials[3].state == trial_state::diverged);
  CHECK_FALSE(trials[3].value);
  CHECK(trials[4].state == trial_state::out_of_memory);
  CHECK(trials[4].message == "CUDA out of memory");
  CHECK(trials[5].state == trial_state::out_of_memory);
  CHECK(trials[6].state == trial_state::pruned);
  for (const auto& t : trials) {
    CHECK(t.intermediate.at(1) == 0.5);
    CHECK_NOTHROW(study.space().validate(t.params));  // only active parameters recorded
    CHECK(t.duration_s >= 0);
  }
  REQUIRE(study.best_trial());
  CHECK(study.best_trial()->number == 0);
}

TEST_CASE("ask/tell: running trials, metric checks, best trial by direction") {
  auto o = options();
  o.dir = direction::maximize;
  study_core study(testing::mlp_space(false), make_random_sampler(), o);
  const auto a = study.ask();
  const auto b = study.ask();
  const auto c = study.ask();
  REQUIRE((a && b && c));
  CHECK(a->number == 0);
  CHECK(c->number == 2);
  CHECK(study.trial(1).state == trial_state::running);
  CHECK(study.trial(1).params == b->params);
  CHECK_THROWS_WITH(study.tell(a->number, "val_acc", 0.9),
                    Catch::Contains("measures 'val_loss', but tell() got 'val_acc'"));
  CHECK(study.trial(0).state == trial_state::running);  // the rejected tell changed nothing
  study.tell(a->number, "val_loss", 0.7);
  study.tell(b->number, "val_loss", 0.9);
  study.tell(c->number, "val_loss", std::numeric_limits<double>::infinity());
  CHECK(study.trial(2).state == trial_state::diverged);
  CHECK_THROWS_AS(study.tell(a->number, "val_loss", 0.1), std::invalid_argument);  // not running
  CHECK(study.best_trial()->number == 1);  // maximize
  const auto d = study.ask();
  study.tell_failure(d->number, trial_state::out_of_memory, "oom");
  CHECK(study.trial(3).state == trial_state::out_of_memory);
  CHECK_THROWS_AS(study.tell_failure(study.ask()->number, trial_state::complete, ""),
                  std::invalid_argument);
}

TEST_CASE("the in-memory store shares a finished trial's record and copies a running one on write") {
  const auto storage = make_memory_storage();
  study_core study(testing::mlp_space(false), make_random_sampler(), options(), nullptr, storage);
  const auto a = study.ask();
  const auto b = study.ask();
  REQUIRE((a && b));
  study.report(b->number, 1, 0.5);
  study.tell(a->number, "val_loss", 0.7);
  const auto id = storage->find_study(options().study_name)->id;
  const auto first = storage->read_trials(id, 0);
  const auto second = storage->read_trials(id, 0);
  REQUIRE(first.trials.size() == 2);
  // Finished: one record, whoever reads it.
  CHECK(first.trials[0].get() == second.trials[0].get());
  CHECK(first.trials[0]->value == 0.7);
  // Running: each reader gets its own copy, which the store's later writes leave alone.
  CHECK(first.trials[1].get() != second.trials[1].get());
  study.report(b->number, 2, 0.4);
  study.tell(b->number, "val_loss", 0.4);
  CHECK(first.trials[1]->state == trial_state::running);
  CHECK(first.trials[1]->intermediate.size() == 1);
  const auto third = storage->read_trials(id, 0);
  CHECK(third.trials[1]->state == trial_state::complete);
  CHECK(third.trials[1]->intermediate.size() == 2);
  // The study's own copies agree with the store.
  CHECK(study.trial(1).intermediate == third.trials[1]->intermediate);
  CHECK(study.trial(0).value == 0.7);
}

TEST_CASE("heartbeat and retry settings that cannot work are refused, naming them") {
  auto o = options();
  o.heartbeat_interval = std::chrono::seconds(0);
  CHECK_THROWS_WITH(study_core(testing::mlp_space(false), make_random_sampler(), o),
                    Catch::Contains("heartbeat interval must be positive"));
  o = options();
  o.heartbeat_interval = std::chrono::seconds(10);
  o.stale_after = std::chrono::seconds(5);
  CHECK_THROWS_WITH(study_core(testing::mlp_space(false), make_random_sampler(), o),
                    Catch::Contains("stale_after (5.000000 s) must be longer than the heartbeat interval"));
  o = options();
  o.storage_retry = std::chrono::seconds(-1);
  CHECK_THROWS_WITH(study_core(testing::mlp_space(false), make_random_sampler(), o), Catch::Contains("storage_retry"));
  o = options();
  o.storage_retry = std::chrono::seconds(0);  // no retry is a choice
  CHECK_NOTHROW(study_core(testing::mlp_space(false), make_random_sampler(), o));
}

TEST_CASE("a worker's name carries the scheduler's job and task, and a gone worker is still found by its pid") {
  const auto plain = this_worker();
  REQUIRE(plain.find(' ') == std::string::npos);  // no scheduler around the test
  ::setenv("SLURM_ARRAY_JOB_ID", "7781", 1);
  ::setenv("SLURM_ARRAY_TASK_ID", "3", 1);
  ::setenv("SLURM_JOB_ID", "7785", 1);
  CHECK(this_worker() == plain + " slurm:7781_3");
  ::unsetenv("SLURM_ARRAY_JOB_ID");
  ::unsetenv("SLURM_ARRAY_TASK_ID");
  CHECK(this_worker() == plain + " slurm:7785");
  ::unsetenv("SLURM_JOB_ID");
  ::setenv("JOB_COMPLETION_INDEX", "12", 1);
  CHECK(this_worker() == plain + " k8s-index:12");
  ::unsetenv("JOB_COMPLETION_INDEX");
  CHECK(this_worker() == plain);

  // A process of this host that has ended, named with a scheduler's suffix: gone.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  REQUIRE(child > 0);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  const auto host = plain.substr(0, plain.rfind(':'));
  CHECK(detail::worker_is_gone(host + ":" + std::to_string(child) + " slurm:7781_3", plain + " slurm:7781_1"));
  CHECK_FALSE(detail::worker_is_gone(plain + " slurm:7781_3", plain));               // this process: alive
  CHECK_FALSE(detail::worker_is_gone("elsewhere:" + std::to_string(child), plain));  // another host: unknown
}

TEST_CASE("trial_span reads records from a vector of records and from shared records alike") {
  std::vector<trial_record> records(3);
  std::vector<shared_trial> shared;
  for (std::uint64_t i = 0; i < 3; ++i) {
    records[i].number = i;
    records[i].value = 0.1 * static_cast<double>(i);
    shared.push_back(std::make_shared<const trial_record>(records[i]));
  }
  for (const trial_span span : {trial_span(records), trial_span(shared)}) {
    REQUIRE(span.size() == 3);
    CHECK_FALSE(span.empty());
    CHECK(span[1].number == 1);
    CHECK(span.back().number == 2);
    CHECK(span.end() - span.begin() == 3);
    std::uint64_t expected = 0;
    for (const auto& t : span) CHECK(t.number == expected++);
    CHECK(expected == 3);
    CHECK(span.first(2).size() == 2);
    CHECK(std::find_if(span.begin(), span.end(), [](const trial_record& t) { return t.number == 2; })->value == 0.2);
  }
  CHECK(trial_span().empty());
}

TEST_CASE("better() compares by direction, a tie is not better, NaN never is, improves() takes finite values only") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(better(direction::minimize, 0.1, 0.2));
  CHECK_FALSE(better(direction::minimize, 0.2, 0.1));
  CHECK(better(direction::maximize, 0.2, 0.1));
  CHECK_FALSE(better(direction::maximize, 0.1, 0.2));
  for (const auto dir : {direction::minimize, direction::maximize}) {
    CHECK_FALSE(better(dir, 0.5, 0.5));
    CHECK_FALSE(better(dir, nan, 0.5));
    CHECK_FALSE(better(dir, 0.5, nan));
    CHECK(improves(dir, 0.5, std::nullopt));
    CHECK_FALSE(improves(dir, nan, std::nullopt));
    CHECK_FALSE(improves(dir, inf, std::nullopt));
    CHECK_FALSE(improves(dir, -inf, std::nullopt));
    CHECK_FALSE(improves(dir, 0.5, 0.5));
  }
  CHECK(improves(direction::minimize, 0.1, 0.5));
  CHECK_FALSE(improves(direction::minimize, -inf, 0.5));
  CHECK(improves(direction::maximize, 0.9, 0.5));
  CHECK_FALSE(improves(direction::maximize, inf, 0.5));
}

TEST_CASE("summarize_run() counts the trials given in any order and groups their failures") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  const auto a = study.ask();
  const auto b = study.ask();
  const auto c = study.ask();
  study.tell_failure(c->number, trial_state::failed, "boom");
  study.tell(b->number, "val_loss", 0.5);
  study.tell_failure(a->number, trial_state::failed, "boom");
  const auto summary = study.summarize_run({c->number, a->number, b->number},
                                           {.exhausted = true, .timed_out = false, .interrupted = true});
  CHECK(summary.trials_started == 3);
  CHECK(summary.exhausted);
  CHECK_FALSE(summary.timed_out);
  CHECK(summary.interrupted);
  REQUIRE(summary.failures.size() == 1);
  CHECK(summary.failures[0].count == 2);
  CHECK(summary.failures[0].first_trial == a->number);
  CHECK(summary.failures_text() == "2 of 3 trials did not complete:\n  2 failed (first: trial 0): boom\n");
}

TEST_CASE("best_trial() keeps the lowest number among equal values") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  for (const double v : {0.3, 0.2, 0.2, 0.4}) {
    const auto t = study.ask();
    study.tell(t->number, "val_loss", v);
  }
  CHECK(study.best_trial()->number == 1);
}

TEST_CASE("an objective that names another metric stops the run") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  CHECK_THROWS_WITH(study.optimize([](trial_context&) { return outcome("accuracy", 0.5); },
                                   {.max_trials = 5, .time_limit = std::nullopt, .workers = 1}),
                    Catch::Contains("returned metric 'accuracy'"));
  CHECK(study.trials().size() == 1);
  CHECK(study.trials()[0].state == trial_state::failed);
}

TEST_CASE("the study stops after the configured number of consecutive failures") {
  auto o = options();
  o.max_consecutive_failures = 3;
  study_core study(testing::mlp_space(false), make_random_sampler(), o);
  std::atomic<int> calls{0};
  // Trials 0-1 fail, 2 completes (resets the count), 3 diverges (does not count), then failures.
  const auto f = [&](trial_context& t) -> outcome {
    ++calls;
    if (t.number() == 2) return 1.0;
    if (t.number() == 3) return std::nan("");
    throw std::runtime_error("loader crashed on trial " + std::to_string(t.number()));
  };
  CHECK_THROWS_AS(study.optimize(f, {.max_trials = 100, .time_limit = std::nullopt, .workers = 1}),
                  too_many_failures_error);
  CHECK(calls == 7);  // 0 1 fail, 2 ok, 3 diverged, 4 5 6 fail -> stop
  CHECK(study.consecutive_failures() == 3);
  CHECK_THROWS_WITH(study.ask(), Catch::Contains("3 consecutive failed trials") &&
                                     Catch::Contains("loader crashed on trial 6"));

  // With 4 workers the stop also comes, and every started trial is finished.
  study_core parallel(testing::mlp_space(false), make_random_sampler(), o);
  CHECK_THROWS_AS(parallel.optimize([](trial_context&) -> outcome { throw std::runtime_error("x"); },
                                    {.max_trials = 1000, .time_limit = std::nullopt, .workers = 4}),
                  too_many_failures_error);
  const auto trials = parallel.trials();
  CHECK(trials.size() < 10);
  for (const auto& t : trials) CHECK(t.state == trial_state::failed);
}

TEST_CASE("a time limit ends the run without starting new trials") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  const auto summary = study.optimize(
      [](trial_context& t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return score(t);
      },
      {.max_trials = 10000, .time_limit = std::chrono::milliseconds(60), .workers = 2});
  CHECK(summary.timed_out);
  CHECK(summary.trials_started > 2);
  CHECK(summary.trials_started < 100);
  for (const auto& t : study.trials()) CHECK(t.state == trial_state::complete);
}

TEST_CASE("finite samplers end the run cleanly at exactly the space's size") {
  const auto space = testing::nested_space();
  for (auto make : {make_grid_sampler, make_random_sampler}) {
    for (const std::size_t workers : {1u, 4u}) {
      study_core study(space, make(), options());
      const auto summary = study.optimize([](trial_context&) { return 1.0; },
                                          {.max_trials = 5000, .time_limit = std::nullopt, .workers = workers});
      CHECK(summary.exhausted);
      CHECK(summary.trials_started == 1017);
      std::set<std::string> distinct;
      for (const auto& t : study.trials()) distinct.insert(space.format(t.params));
      CHECK(distinct.size() == 1017);
      CHECK_FALSE(study.ask());  // stays exhausted
    }
  }
  study_core continuous(testing::mlp_space(false), make_grid_sampler(), options());
  CHECK_THROWS_WITH(continuous.optimize([](trial_context&) { return 1.0; }, {}),
                    Catch::Contains("optimizer.adam.learning_rate"));
  CHECK(continuous.trials().empty());
}

TEST_CASE("random, grid and Sobol give the same configurations for 1 and 4 workers") {
  struct setup {
    std::unique_ptr<sampler> (*make)();
    space_desc space;
  };
  for (const auto& [make, space] : {setup{make_random_sampler, testing::mlp_space(false)},
                                    setup{make_random_sampler, testing::mlp_space(true)},
                                    setup{make_grid_sampler, testing::mlp_space(true)},
                                    setup{make_sobol_sampler, testing::mlp_space(false)}}) {
    const auto run = [&, &make = make, &space = space](std::size_t workers) {
      study_core study(space, make(), options(7));
      study.optimize(
          [](trial_context& t) {
            std::this_thread::sleep_for(std::chrono::microseconds(50 * (t.number() % 3)));
            return score(t);
          },
          {.max_trials = 120, .time_limit = std::nullopt, .workers = workers});
      std::multiset<std::string> configs;
      for (const auto& t : study.trials()) configs.insert(space.format(t.params));
      return std::pair{configs, study.trials()};
    };
    const auto [one, one_trials] = run(1);
    const auto [four, four_trials] = run(4);
    CHECK(one.size() == 120);
    CHECK(one == four);
    // Stronger: trial n got the same configuration in both runs.
    for (std::size_t n = 0; n < one_trials.size(); ++n) CHECK(one_trials[n].params == four_trials[n].params);
  }
}

TEST_CASE("a slow proposal does not hold up other threads' report, should_prune and tell") {
  // A sampler whose second proposal waits until the test lets it go: a GP fit that takes long.
  struct slow_sampler final : sampler {
    std::unique_ptr<sampler> inner = make_random_sampler();
    std::promise<void> entered;
    std::shared_future<void> go;
    std::shared_ptr<std::vector<trial_record>> seen = std::make_shared<std::vector<trial_record>>();
    std::shared_ptr<bool> consistent = std::make_shared<bool>(true);
    std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
      if (number == 1) {
        entered.set_value();
        go.wait();
        // The trial told meanwhile is in what the sampler sees next time, not necessarily now;
        // what it saw is consistent: the trials in order, trial 0 among them. (Checked by the
        // test's thread: Catch's assertions are not thread-safe.)
        for (std::size_t i = 0; i < view.trials.size(); ++i) *consistent &= view.trials[i].number == i;
        *consistent &= !view.trials.empty();
      }
      if (number == 2) {
        for (const auto& t : view.trials)
          if (t.state == trial_state::complete) seen->push_back(t);
      }
      return inner->sample(view, number);
    }
    std::string_view name() const override { return "slow"; }
  };
  std::promise<void> release;
  auto owned = std::make_unique<slow_sampler>();
  owned->go = release.get_future().share();
  auto entered = owned->entered.get_future();
  const auto seen_at_2 = owned->seen;
  const auto consistent_at_1 = owned->consistent;
  auto o = options();
  study_core study(testing::mlp_space(false), std::move(owned), o);
  const auto first = study.ask();
  REQUIRE(first);
  auto second = std::async(std::launch::async, [&] { return study.ask(); });
  REQUIRE(entered.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
  // The second ask() is inside the sampler now. The first trial's worker goes on.
  auto work = std::async(std::launch::async, [&] {
    study.report(first->number, 1, 0.75);
    const bool pruned = study.should_prune(first->number);
    study.tell(first->number, "val_loss", 0.5);
    return pruned;
  });
  const auto status = work.wait_for(std::chrono::seconds(20));
  release.set_value();  // let the sampler go either way, so that a failure does not hang
  REQUIRE(status == std::future_status::ready);
  CHECK_FALSE(work.get());
  const auto ticket = second.get();
  REQUIRE(ticket);
  CHECK(*consistent_at_1);
  CHECK(ticket->number == 1);
  CHECK(study.trial(0).state == trial_state::complete);
  CHECK(study.trial(0).intermediate.at(1) == 0.75);
  CHECK(study.trial(1).state == trial_state::running);
  // The next proposal sees both told trials, with their values and reports.
  study.tell(ticket->number, "val_loss", 0.25);
  REQUIRE(study.ask());
  CHECK(seen_at_2->size() == 2);
  CHECK(seen_at_2->at(0).value == 0.5);
  CHECK(seen_at_2->at(0).intermediate.size() == 1);
  CHECK(seen_at_2->at(1).value == 0.25);
}
