// Median pruner, ASHA, and the Hyperband / successive-halving plans and runs.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "support/spaces.hpp"
#include "typetune/engine/asha_pruner.hpp"
#include "typetune/engine/hyperband.hpp"
#include "typetune/engine/median_pruner.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/study_core.hpp"

using namespace typetune;

namespace {

study_options options() {
  study_options o;
  o.metric = "val_loss";
  o.seed = 3;
  return o;
}

constexpr run_budget sequential(std::uint64_t trials) { return {trials, std::nullopt, 1}; }

}  // namespace

TEST_CASE("the median pruner stops trials worse than the median of complete trials at a step") {
  study_core study(testing::mlp_space(false), make_random_sampler(), options(),
                   make_median_pruner({.n_startup_trials = 2, .n_warmup_steps = 2}));
  // Trial n reports `level(n) + step/100` at steps 0..9.
  const std::map<std::uint64_t, double> level{{0, 1.0}, {1, 3.0}, {2, 5.0}, {3, 1.5}, {4, 2.5}};
  std::map<std::uint64_t, std::int64_t> stopped_at;
  study.optimize(
      [&](trial_context& t) -> outcome {
        for (std::int64_t step = 0; step < 10; ++step) {
          t.report(step, level.at(t.number()) + static_cast<double>(step) / 100);
          if (t.should_prune()) {
            stopped_at[t.number()] = step;
            return outcome::pruned();
          }
        }
        return level.at(t.number());
      },
      sequential(5));
  const auto trials = study.trials();
  CHECK(trials[0].state == trial_state::complete);  // startup trials are never pruned
  CHECK(trials[1].state == trial_state::complete);
  // Median of {1, 3} is 2: trial 2 (5.0) is pruned at the first step past the warm-up.
  CHECK(trials[2].state == trial_state::pruned);
  CHECK(stopped_at[2] == 2);
  CHECK(trials[2].intermediate.size() == 3);
  CHECK(trials[2].value == Approx(5.02));
  CHECK(trials[3].state == trial_state::complete);  // 1.5 < median 2
  // Complete trials are now {1, 3, 1.5}: median 1.5, and 2.5 is worse.
  CHECK(trials[4].state == trial_state::pruned);
  CHECK(stopped_at[4] == 2);
}

namespace {

// Nine trials in sequence under ASHA, their final quality decided by the trial number (lower
// is better: 5, 4, 6, 3, 7, 8, 2, 9, 1), each reporting every epoch up to max_resource unless
// pruned. Gives each trial's state and the last epoch it reported.
std::pair<std::vector<trial_state>, std::vector<std::int64_t>> run_asha_sequence(const asha_options& asha) {
  study_core study(testing::mlp_space(false), make_random_sampler(), options(), make_asha_pruner(asha));
  const std::vector<double> quality{5, 4, 6, 3, 7, 8, 2, 9, 1};
  study.optimize(
      [&](trial_context& t) -> outcome {
        const double q = quality[t.number()];
        for (std::int64_t epoch = 1; epoch <= asha.max_resource; ++epoch) {
          t.report(epoch, q + 1.0 / static_cast<double>(epoch));
          if (t.should_prune()) return outcome::pruned();
        }
        return q;
      },
      sequential(quality.size()));
  std::vector<trial_state> states;
  std::vector<std::int64_t> last_epoch;
  for (const auto& t : study.trials()) {
    states.push_back(t.state);
    last_epoch.push_back(t.intermediate.rbegin()->first);
  }
  return {states, last_epoch};
}

}  // namespace

TEST_CASE("ASHA promotes the top 1/eta at each rung and prunes the rest") {
  const asha_options asha{.min_resource = 1, .max_resource = 9, .reduction_factor = 3};
  CHECK(asha_rungs(asha) == std::vector<std::int64_t>{1, 3});
  const auto [states, last_epoch] = run_asha_sequence(asha);
  using enum trial_state;
  // Rung 1 (epoch 1): with fewer than eta arrivals only a new best goes on; after that the top
  // third. 0:5 best. 1:4 best. 2:6 no. 3:3 best. 4:7 no. 5:8 no (top 2 of 6: 3,4).
  // 6:2 best. 7:9 no. 8:1 best. At rung 3 the same rule over the promoted ones.
  CHECK(states ==
        std::vector<trial_state>{complete, complete, pruned, complete, pruned, pruned, complete, pruned, complete});
  CHECK(last_epoch == std::vector<std::int64_t>{9, 9, 1, 9, 1, 1, 9, 1, 9});

  // With 4 workers: decisions never wait, some trials are promoted past every rung, and every
  // pruned trial stopped exactly at a rung.
  study_core parallel(testing::mlp_space(false), make_random_sampler(), options(), make_asha_pruner(asha));
  parallel.optimize(
      [](trial_context& t) -> outcome {
        const double q = static_cast<double>((t.number() * 7919) % 101);
        for (std::int64_t epoch = 1; epoch <= 9; ++epoch) {
          t.report(epoch, q + 10.0 / static_cast<double>(epoch));
          if (t.should_prune()) return outcome::pruned();
        }
        return q;
      },
      {60, std::nullopt, 4});
  int complete_trials = 0, pruned_trials = 0;
  for (const auto& t : parallel.trials()) {
    if (t.state == complete) {
      ++complete_trials;
      CHECK(t.intermediate.size() == 9);
    } else {
      REQUIRE(t.state == pruned);
      ++pruned_trials;
      const auto epoch = t.intermediate.rbegin()->first;
      CHECK((epoch == 1 || epoch == 3));
    }
  }
  CHECK(complete_trials >= 1);
  CHECK(pruned_trials >= 30);  // most trials stop at the first rungs
}

TEST_CASE("ASHA's bootstrap_count prunes a trial alone at a rung, except at the last rung") {
  const asha_options asha{.min_resource = 1, .max_resource = 27, .reduction_factor = 3, .bootstrap_count = 1};
  CHECK(asha_rungs(asha) == std::vector<std::int64_t>{1, 3, 9});
  CHECK_THROWS_WITH(make_asha_pruner({.bootstrap_count = -1}), Catch::Contains("bootstrap_count >= 0"));
  const auto [states, last_epoch] = run_asha_sequence(asha);
  using enum trial_state;
  // Rung 1: trial 0 arrives alone and stops there (without bootstrap it went on as the best so
  // far); 1, 3, 6 and 8 are each the best so far and go on. Rung 3: trial 1 arrives alone and
  // stops; 3, 6 and 8 beat every earlier arrival. Rung 9, the last: trial 3 arrives alone and is
  // spared; 6 and 8 beat it. All three finish.
  CHECK(states ==
        std::vector<trial_state>{pruned, pruned, pruned, complete, pruned, pruned, complete, pruned, complete});
  CHECK(last_epoch == std::vector<std::int64_t>{1, 3, 1, 27, 1, 1, 27, 1, 27});
}

TEST_CASE("Hyperband's integer plan matches Li et al.'s table for R = 81, eta = 3") {
  const auto plan = plan_hyperband({.min_resource = 1, .max_resource = 81, .reduction_factor = 3});
  CHECK(plan.s_max == 4);
  REQUIRE(plan.brackets.size() == 5);
  const std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> expected{
      {{81, 1}, {27, 3}, {9, 9}, {3, 27}, {1, 81}},
      {{34, 3}, {11, 9}, {3, 27}, {1, 81}},
      {{15, 9}, {5, 27}, {1, 81}},
      {{8, 27}, {2, 81}},
      {{5, 81}}};
  for (std::size_t b = 0; b < expected.size(); ++b) {
    REQUIRE(plan.brackets[b].rungs.size() == expected[b].size());
    for (std::size_t i = 0; i < expected[b].size(); ++i) {
      CHECK(plan.brackets[b].rungs[i].configs == expected[b][i].first);
      CHECK(plan.brackets[b].rungs[i].resource == expected[b][i].second);
    }
  }
  CHECK(plan.total_configs() == 81 + 34 + 15 + 8 + 5);
  CHECK(plan.total_resource() == 405 + 363 + 351 + 378 + 405);
  const auto text = plan.to_text();
  CHECK_THAT(text, Catch::Contains("s_max 4, 5 brackets") && Catch::Contains("epochs") &&
                       Catch::Contains("total: 143 configurations, 1902 epochs"));

  // s_max = floor(log_eta(R / r)) with integers, where floating point log is off by one:
  // log(243) / log(3) = 4.999999999999999.
  CHECK(plan_hyperband({.min_resource = 1, .max_resource = 243, .reduction_factor = 3}).s_max == 5);
  CHECK(plan_hyperband({.min_resource = 2, .max_resource = 100, .reduction_factor = 3}).s_max == 3);
  CHECK(plan_hyperband({.min_resource = 5, .max_resource = 5, .reduction_factor = 2}).brackets.size() == 1);
  CHECK_THROWS_AS(plan_hyperband({.min_resource = 0}), std::invalid_argument);
  CHECK_THROWS_AS(plan_hyperband({.min_resource = 1, .max_resource = 9, .reduction_factor = 1}), std::invalid_argument);
}

TEST_CASE("a Hyperband run matches its plan: configs per rung and resource consumed") {
  const hyperband_options hb{.min_resource = 1, .max_resource = 27, .reduction_factor = 3, .unit = "epochs"};
  const auto plan = plan_hyperband(hb);
  for (const std::size_t workers : {1u, 4u}) {
    study_core study(testing::mlp_space(false), make_random_sampler(), options());
    std::mutex m;
    std::map<std::int64_t, std::int64_t> calls_per_resource;  // counted by the objective itself
    std::int64_t trained = 0, trained_resumed = 0;
    const auto report = run_schedule(
        study,
        [&](trial_context& t) -> outcome {
          const auto r = *t.resource();
          {
            std::lock_guard lock(m);
            ++calls_per_resource[r];
            trained += r;
            trained_resumed += r - t.resumed_from();
          }
          // Lower is better; more resource helps, the configuration decides the rest.
          return static_cast<double>(std::get<std::int64_t>(t.at("dense_bot"))) / static_cast<double>(r);
        },
        plan, workers);
    CHECK(report.matches(plan));
    CHECK(report.total_configs() == plan.total_configs());
    CHECK(trained == plan.total_resource());
    CHECK(trained_resumed == plan.total_resource_resumed());
    CHECK(report.total_resource() == trained);
    std::map<std::int64_t, std::int64_t> planned_calls;
    for (const auto& b : plan.brackets) {
      for (const auto& r : b.rungs) planned_calls[r.resource] += r.configs;
    }
    CHECK(calls_per_resource == planned_calls);

    // Every configuration is one trial; the winners of each bracket's last rung complete.
    const auto trials = study.trials();
    CHECK(static_cast<std::int64_t>(trials.size()) == plan.total_configs());
    std::int64_t complete = 0;
    for (const auto& t : trials) {
      CHECK((t.state == trial_state::complete || t.state == trial_state::pruned));
      complete += t.state == trial_state::complete;
      CHECK(t.intermediate.rbegin()->second == t.value);
    }
    std::int64_t planned_complete = 0;
    for (const auto& b : plan.brackets) planned_complete += b.rungs.back().configs;
    CHECK(complete == planned_complete);
    // Promotion keeps the best: bracket 0's survivor at rung 1 is its best rung-0 config.
    const auto& rung0 = report.brackets[0][0].trials;
    const auto& rung1 = report.brackets[0][1].trials;
    double best_rung0 = 1e9;
    for (const auto n : rung0) best_rung0 = std::min(best_rung0, study.trial(n).intermediate.at(1));
    bool kept_best = false;
    for (const auto n : rung1) kept_best = kept_best || study.trial(n).intermediate.at(1) == best_rung0;
    CHECK(kept_best);
  }
}

TEST_CASE("successive halving runs one bracket") {
  const auto plan = plan_successive_halving({.min_resource = 1, .max_resource = 16, .reduction_factor = 2});
  REQUIRE(plan.brackets.size() == 1);
  CHECK(plan.brackets[0].rungs.size() == 5);
  CHECK(plan.brackets[0].rungs.front().configs == 16);
  CHECK(plan.brackets[0].rungs.back().configs == 1);
  CHECK(plan.brackets[0].rungs.back().resource == 16);
  CHECK_THAT(plan.to_text(), Catch::StartsWith("successive halving"));
  study_core study(testing::mlp_space(false), make_random_sampler(), options());
  const auto report = run_schedule(
      study, [](trial_context& t) { return static_cast<double>(t.number() % 5); }, plan);
  CHECK(report.matches(plan));
  CHECK(study.best_trial());
}
