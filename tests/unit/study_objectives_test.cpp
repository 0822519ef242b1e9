// Studies with several objectives and constraints through the typed front end: objectives
// given as several tt::minimize/tt::maximize, values returned by name or recorded with
// set_metric(), the typed Pareto front, tt::constraint, and the errors for what cannot work.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <typetune/study.hpp>

#include "../../examples/mlp_space.hpp"

namespace tt = typetune;

namespace {

// Two conflicting objectives of the tutorial MLP: a loss that falls with the bottom layer's
// units and a size that grows with them.
double loss_of(const fashion_mlp::mlp_params& p) {
  return 100.0 / p.dense_bot + 0.01 * static_cast<double>(p.hidden.size());
}
double size_of(const fashion_mlp::mlp_params& p) {
  double n = p.dense_bot;
  for (const auto& layer : p.hidden) n += layer.units;
  return n;
}

// Whether the values of a dominate those of b (both minimised).
bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    better |= a[i] < b[i];
  }
  return better;
}

}  // namespace

TEST_CASE("two objectives returned by name give a typed Pareto front that no complete trial dominates") {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::minimize{"units"}, tt::random{.seed = 4},
                         tt::params<fashion_mlp::mlp_params>{});
  const auto summary = study.optimize(
      [](tt::trial<fashion_mlp::mlp_params>& t) {
        return tt::result{{"val_loss", loss_of(t.params())}, {"units", size_of(t.params())}};
      },
      tt::budget{.trials = 40, .workers = 2});
  CHECK(summary.trials_started == 40);
  const auto front = study.pareto_front();
  REQUIRE_FALSE(front.empty());
  std::vector<std::vector<double>> all;
  for (const auto& t : study.trials()) {
    REQUIRE(t.state == tt::trial_state::complete);
    all.push_back({*t.value, t.metrics.at("units")});
  }
  std::size_t expected = 0;
  for (const auto& a : all)
    expected += std::none_of(all.begin(), all.end(), [&](const auto& b) { return dominates(b, a); });
  CHECK(front.size() == expected);
  for (const auto& f : front) {
    const fashion_mlp::mlp_params& p = f.params;
    REQUIRE(f.values.size() == 2);
    CHECK(f.values[0] == Approx(loss_of(p)));
    CHECK(f.values[1] == Approx(size_of(p)));
    for (const auto& a : all) CHECK_FALSE(dominates(a, f.values));
  }
  CHECK_THROWS_WITH(study.best(), Catch::Contains("several objectives") && Catch::Contains("pareto_front()"));
  // The export keeps the objectives, and reads them back.
  std::stringstream text;
  tt::write_jsonl(text, study.export_study("front"));
  const auto back = tt::read_jsonl(text);
  CHECK(tt::objectives_of(back.study).to_text() == "val_loss (minimize), units (minimize)");
  CHECK(back.trials.size() == 40);
}

TEST_CASE("the other objectives may be recorded with set_metric, and one left out fails the trial by name") {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::maximize{"throughput"},
                         tt::random{.seed = 2});
  (void)study.optimize(
      [](tt::trial<fashion_mlp::mlp_params>& t) {
        if (t.number() == 3) return tt::result{"val_loss", 1.0};  // throughput never recorded
        if (t.number() == 4) t.set_metric("throughput", std::nan(""));
        else t.set_metric("throughput", 1e4 / t.params().dense_bot);
        return tt::result{"val_loss", loss_of(t.params())};
      },
      tt::budget{.trials = 8});
  const auto trials = study.trials();
  CHECK(trials[0].state == tt::trial_state::complete);
  CHECK(trials[3].state == tt::trial_state::failed);
  CHECK_THAT(trials[3].message, Catch::Contains("objective 'throughput' was not recorded"));
  CHECK(trials[4].state == tt::trial_state::diverged);
  CHECK_THAT(trials[4].message, Catch::Contains("objective 'throughput' is nan"));
  for (const auto& f : study.pareto_front()) CHECK(f.number != 3);
}

TEST_CASE("a value named for no objective or constraint stops the run, naming it") {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::minimize{"units"}, tt::random{.seed = 1});
  CHECK_THROWS_WITH(study.optimize(
                        [](const fashion_mlp::mlp_params&) {
                          return tt::result{{"val_loss", 1.0}, {"unit", 2.0}};
                        },
                        tt::budget{.trials = 2}),
                    Catch::Contains("'unit'") && Catch::Contains("none of this study's objectives"));
  CHECK_THROWS_WITH(study.optimize(
                        [](const fashion_mlp::mlp_params&) {
                          return tt::result{{"units", 1.0}, {"loss", 2.0}};
                        },
                        tt::budget{.trials = 2}),
                    Catch::Contains("'loss'"));
}

TEST_CASE("a constraint keeps infeasible trials out of the best trial and the front") {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"},
                         tt::constraint{.metric = "latency_ms", .max = 2.0}, tt::random{.seed = 9});
  (void)study.optimize(
      [](tt::trial<fashion_mlp::mlp_params>& t) {
        // Larger layers: lower loss, higher latency; above 250 units the model is too slow.
        t.set_metric("latency_ms", t.params().dense_bot / 125.0);
        return tt::result{"val_loss", loss_of(t.params())};
      },
      tt::budget{.trials = 30});
  double best_feasible = HUGE_VAL, best_any = HUGE_VAL;
  for (const auto& t : study.trials()) {
    best_any = std::min(best_any, *t.value);
    if (t.metrics.at("latency_ms") <= 2.0) best_feasible = std::min(best_feasible, *t.value);
  }
  REQUIRE(best_any < best_feasible);  // the seed draws some infeasible trials that would win
  const auto best = study.best();
  CHECK(best.value == best_feasible);
  CHECK(best.metrics.at("latency_ms") <= 2.0);
  for (const auto& f : study.pareto_front()) CHECK(f.metrics.at("latency_ms") <= 2.0);
}

TEST_CASE("a sampler for one objective, two objectives of one name, and a missing constraint are refused") {
  CHECK_THROWS_WITH(tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::minimize{"units"}, tt::gp{.seed = 1}),
                    Catch::Contains("the gp sampler optimises one objective without constraints") &&
                        Catch::Contains("val_loss (minimize), units (minimize)"));
  CHECK_THROWS_WITH(tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::maximize{"val_loss"}),
                    Catch::Contains("'val_loss' is named twice"));
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::constraint{.metric = "memory_gb", .max = 8},
                         tt::nsga2{.seed = 3});
  (void)study.optimize(
      [](const fashion_mlp::mlp_params& p) {
        return tt::result{"val_loss", loss_of(p)};
      },
      tt::budget{.trials = 2});
  for (const auto& t : study.trials()) {
    CHECK(t.state == tt::trial_state::failed);
    CHECK_THAT(t.message, Catch::Contains("constraint 'memory_gb' was not recorded"));
  }
  CHECK_THROWS_WITH(study.best(), Catch::Contains("no trial has completed"));
}
