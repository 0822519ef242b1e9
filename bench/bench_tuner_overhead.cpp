// The tuner's own cost per trial: study ask + tell with a free objective, so only sampling and
// bookkeeping are timed, for every sampler on two versions of the tutorial MLP space:
//  - "example": the examples' space (examples/mlp_space.hpp: learning rates as choices,
//    momentum constant; finite, 3780 configurations);
//  - "anchor": the space of shared/anchors/optuna_overhead.py (log-uniform learning rates per
//    optimizer in [1e-4, 1e-1], sgd-only momentum in [0.5, 0.99]), to compare with Optuna.
// The counter per_trial is the mean time of one trial over a whole study of N trials. The
// two_objectives_* cases time studies with two objectives (run_study_two).
#include <benchmark/benchmark.h>

#include <cmath>
#include <functional>
#include <memory>

#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace {
namespace tt = typetune;

inline constexpr auto anchor_space = tt::space(
    tt::int_<"dense_bot">(50, 350, tt::step{50}),
    tt::repeat<"hidden">(tt::count(1, 2), tt::int_<"units">(50, 100, tt::step{25}),
                         tt::choice<"dropout">(0.0, 0.1, 0.2)),
    tt::branch<"optimizer">(
        tt::option<"adam">(tt::real<"learning_rate">(1e-4, 1e-1, tt::log)),
        tt::option<"sgd">(tt::real<"learning_rate">(1e-4, 1e-1, tt::log), tt::real<"momentum">(0.5, 0.99))));

const tt::space_desc& desc_of(bool anchor) {
  static const auto example = tt::describe(fashion_mlp::space);
  static const auto anchored = tt::describe(anchor_space);
  return anchor ? anchored : example;
}

// optuna_overhead.py's objective, read off the description: a smooth function of every active
// parameter, with its best learning rate at 10^-2.5.
double free_objective(const tt::space_desc& space, const tt::assignment& a) {
  double s = 0;
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (!a.is_active(i)) continue;
    const auto& p = space.params[i];
    if (const auto* r = std::get_if<double>(&a.values[i])) {
      s += p.log ? (std::log10(*r) + 2.5) * (std::log10(*r) + 2.5) : *r;
    } else {
      const auto v = static_cast<double>(std::get<std::int64_t>(a.values[i]));
      s += p.kind == tt::param_kind::integer ? v / p.high : v / 10.0;
    }
  }
  return s;
}

using factory = std::function<std::unique_ptr<tt::sampler>()>;

void run_study(benchmark::State& state, const factory& make, bool anchor) {
  const auto& space = desc_of(anchor);
  const auto trials = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    tt::study_core study(space, make(), {.metric = "val_loss", .seed = 1});
    for (std::uint64_t i = 0; i < trials; ++i) {
      const auto t = study.ask();
      if (!t) break;  // a finite space ran out
      study.tell(t->number, "val_loss", free_objective(space, t->params));
    }
    benchmark::DoNotOptimize(study.best_trial());
  }
  state.counters["per_trial"] = benchmark::Counter(
      static_cast<double>(trials), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The size of the network an assignment describes (the bottom layer's and the hidden layers'
// units): a second objective, in conflict with free_objective's preference for small values of
// the units too only in part, so that the front holds several trials.
double size_objective(const tt::space_desc& space, const tt::assignment& a) {
  double units = 0;
  for (std::size_t i = 0; i < space.size(); ++i)
    if (a.is_active(i) && space.params[i].kind == tt::param_kind::integer)
      units += static_cast<double>(std::get<std::int64_t>(a.values[i]));
  return 1000.0 / units;
}

// run_study with two objectives (free_objective and size_objective, both minimised), told as
// named values: what the multi-objective samplers cost per trial, front included.
void run_study_two(benchmark::State& state, const factory& make, bool anchor) {
  const auto& space = desc_of(anchor);
  const auto trials = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    tt::study_options options{.metric = "val_loss", .extra_objectives = {{"size", tt::direction::minimize}}, .seed = 1};
    tt::study_core study(space, make(), options);
    for (std::uint64_t i = 0; i < trials; ++i) {
      const auto t = study.ask();
      if (!t) break;
      study.tell(t->number, tt::outcome{{"val_loss", free_objective(space, t->params)},
                                        {"size", size_objective(space, t->params)}});
    }
    benchmark::DoNotOptimize(study.pareto_front());
  }
  state.counters["per_trial"] = benchmark::Counter(
      static_cast<double>(trials), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

const factory random_sampler = [] { return tt::make_random_sampler(); };
const factory auto_sampler = [] { return tt::make_auto_sampler(); };
const factory nsga2_sampler = [] { return tt::make_nsga2_sampler(); };
const factory sobol_sampler = [] { return tt::make_sobol_sampler(); };
const factory grid_sampler = [] { return tt::make_grid_sampler(); };
const factory tpe_sampler = [] { return tt::make_tpe_sampler(); };
const factory tpe_multivariate = [] { return tt::make_tpe_sampler({.multivariate = true}); };
const factory gp_sampler = [] { return tt::make_gp_sampler(); };

// One GP suggestion (ask + tell) with N trials behind it: a random history of N trials, then
// each iteration adds one GP trial, so the periodic refits are amortised as in a real run.
void gp_suggestion(benchmark::State& state, bool anchor) {
  const auto& space = desc_of(anchor);
  tt::study_core history(space, tt::make_random_sampler(), {.metric = "val_loss", .seed = 1});
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    const auto t = history.ask();
    history.tell(t->number, "val_loss", free_objective(space, t->params));
  }
  auto gp = tt::make_gp_sampler();
  auto trials = history.trials();
  for (auto _ : state) {
    const auto number = static_cast<std::uint64_t>(trials.size());
    auto a = gp->sample(tt::study_view{space, trials, tt::direction::minimize, 1}, number);
    tt::trial_record r;
    r.number = number;
    r.state = tt::trial_state::complete;
    r.value = free_objective(space, *a);
    r.params = std::move(*a);
    trials.push_back(std::move(r));
  }
}

}  // namespace

#define TT_STUDY_BENCH(name, sampler, anchor)                                                                          \
  BENCHMARK_CAPTURE(run_study, name, sampler, anchor)->Arg(100)->Arg(500)->Unit(benchmark::kMillisecond)

TT_STUDY_BENCH(random_example, random_sampler, false);
TT_STUDY_BENCH(random_anchor, random_sampler, true);
TT_STUDY_BENCH(grid_example, grid_sampler, false);
TT_STUDY_BENCH(sobol_anchor, sobol_sampler, true);
TT_STUDY_BENCH(tpe_example, tpe_sampler, false);
TT_STUDY_BENCH(tpe_anchor, tpe_sampler, true);
TT_STUDY_BENCH(tpe_multivariate_example, tpe_multivariate, false);
TT_STUDY_BENCH(tpe_multivariate_anchor, tpe_multivariate, true);
BENCHMARK_CAPTURE(run_study, gp_example, gp_sampler, false)
    ->Arg(100)
    ->Arg(500)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(run_study, gp_anchor, gp_sampler, true)
    ->Arg(100)
    ->Arg(500)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
// Two objectives: the default sampler (TPE ranking by non-domination below 1000 trials), NSGA-II
// and random search, on the anchor's space (bench/optuna_mo_overhead.py is Optuna's side).
BENCHMARK_CAPTURE(run_study_two, two_objectives_auto_anchor, auto_sampler, true)
    ->Arg(100)
    ->Arg(500)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run_study_two, two_objectives_nsga2_anchor, nsga2_sampler, true)
    ->Arg(100)
    ->Arg(500)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run_study_two, two_objectives_random_anchor, random_sampler, true)
    ->Arg(100)
    ->Arg(500)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(gp_suggestion, example, false)->Arg(200)->Unit(benchmark::kMillisecond)->Iterations(25);
BENCHMARK_CAPTURE(gp_suggestion, anchor, true)->Arg(200)->Unit(benchmark::kMillisecond)->Iterations(25);

BENCHMARK_MAIN();
