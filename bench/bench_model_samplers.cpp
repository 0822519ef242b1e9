// The tuner's own cost per trial for the model-based samplers (TPE, GP) on the tutorial's
// conditional MLP space with a free objective, as anchors/optuna_overhead.py measures Optuna.
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <vector>

#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/tpe_sampler.hpp"

namespace {

using namespace typetune;

// dense_bot int 50..350 step 50; hidden count 1..2, each item units int 50..100 step 25 and
// dropout in {0, 0.1, 0.2}; optimizer {adam, sgd}, each with its own log learning rate in
// [1e-4, 1e-1]; momentum in [0.5, 0.99] for sgd only.
space_desc mlp_space() {
  auto param = [](std::string path, param_kind kind, double low, double high, double step = 0, bool log = false) {
    param_desc p;
    p.name = path.substr(path.find_last_of('.') + 1);
    p.path = std::move(path);
    p.kind = kind;
    p.type = kind == param_kind::real ? value_type::real : value_type::integer;
    p.low = low, p.high = high, p.step = step, p.log = log;
    return p;
  };
  auto choice = [](std::string path, std::vector<choice_value> choices) {
    param_desc p;
    p.name = path.substr(path.find_last_of('.') + 1);
    p.path = std::move(path);
    p.kind = param_kind::categorical;
    p.type = value_type::real;
    p.choices = std::move(choices);
    return p;
  };
  auto when = [](param_desc p, std::size_t parent, condition::rule rule, std::int64_t v) {
    p.active_if = condition{parent, rule, v};
    p.depth = 1;
    return p;
  };
  using rule = condition::rule;
  space_desc s;
  s.params.push_back(param("dense_bot", param_kind::integer, 50, 350, 50));  // 0
  auto hidden = param("hidden", param_kind::integer, 1, 2, 1);
  hidden.role = param_role::count;
  s.params.push_back(hidden);  // 1
  for (int i = 0; i < 2; ++i) {
    const std::string item = "hidden[" + std::to_string(i) + "].";
    s.params.push_back(when(param(item + "units", param_kind::integer, 50, 100, 25), 1, rule::at_least, i + 1));
    s.params.push_back(when(choice(item + "dropout", {0.0, 0.1, 0.2}), 1, rule::at_least, i + 1));
  }
  auto optimizer = choice("optimizer", {std::string("adam"), std::string("sgd")});
  optimizer.role = param_role::branch;
  optimizer.type = value_type::string;
  s.params.push_back(optimizer);  // 6
  s.params.push_back(when(param("optimizer.adam.learning_rate", param_kind::real, 1e-4, 1e-1, 0, true), 6, rule::equals, 0));
  s.params.push_back(when(param("optimizer.sgd.learning_rate", param_kind::real, 1e-4, 1e-1, 0, true), 6, rule::equals, 1));
  s.params.push_back(when(param("optimizer.sgd.momentum", param_kind::real, 0.5, 0.99), 6, rule::equals, 1));
  return s;
}

// optuna_overhead.py's objective: free to evaluate, so only the tuner is timed.
double objective(const assignment& a) {
  auto i = [&](std::size_t k) { return static_cast<double>(std::get<std::int64_t>(a.values[k])); };
  auto r = [&](std::size_t k) { return std::get<double>(a.values[k]); };
  constexpr double dropout[] = {0.0, 0.1, 0.2};
  double s = i(0) / 350.0;
  for (std::size_t item = 0; item < static_cast<std::size_t>(i(1)); ++item)
    s += i(2 + 2 * item) / 100.0 + dropout[static_cast<std::size_t>(i(3 + 2 * item))];
  const bool sgd = i(6) == 1;
  if (sgd) s += r(9);
  const double lr = r(sgd ? 8 : 7);
  return (std::log10(lr) + 2.5) * (std::log10(lr) + 2.5) + s;
}

// ask + tell: propose, evaluate, append a complete record.
void step(sampler& s, const space_desc& space, std::vector<trial_record>& trials, std::uint64_t seed) {
  const auto number = static_cast<std::uint64_t>(trials.size());
  auto a = s.sample(study_view{space, trials, direction::minimize, seed}, number);
  trial_record t;
  t.number = number;
  t.state = trial_state::complete;
  t.value = objective(*a);
  t.params = std::move(*a);
  trials.push_back(std::move(t));
}

// A whole study of n trials per iteration; the counter is the mean cost of one trial.
template <class Make>
void study_of(benchmark::State& state, Make make) {
  const auto space = mlp_space();
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    auto s = make();
    std::vector<trial_record> trials;
    trials.reserve(n);
    for (std::size_t k = 0; k < n; ++k) step(*s, space, trials, 1);
    benchmark::DoNotOptimize(trials.back().value);
  }
  state.counters["per_trial"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void bm_random(benchmark::State& state) { study_of(state, [] { return make_random_sampler(); }); }
void bm_tpe(benchmark::State& state) { study_of(state, [] { return make_tpe_sampler(); }); }
void bm_tpe_multivariate(benchmark::State& state) {
  study_of(state, [] {
    tpe_options o;
    o.multivariate = true;
    return make_tpe_sampler(o);
  });
}
void bm_gp_study(benchmark::State& state) { study_of(state, [] { return make_gp_sampler(); }); }

// One GP suggestion (ask + tell) with ~200 trials behind it: a 200-trial random history, then
// each iteration adds one GP trial, so refits are amortised as in a real run.
void bm_gp_suggestion(benchmark::State& state) {
  const auto space = mlp_space();
  std::vector<trial_record> trials;
  auto warm = make_random_sampler();
  while (trials.size() < static_cast<std::size_t>(state.range(0))) step(*warm, space, trials, 1);
  auto gp = make_gp_sampler();
  for (auto _ : state) step(*gp, space, trials, 1);
}

BENCHMARK(bm_random)->Arg(100)->Arg(500)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_tpe)->Arg(100)->Arg(500)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_tpe_multivariate)->Arg(100)->Arg(500)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_gp_study)->Arg(100)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(bm_gp_suggestion)->Arg(200)->Unit(benchmark::kMillisecond)->Iterations(25);

}  // namespace

BENCHMARK_MAIN();
