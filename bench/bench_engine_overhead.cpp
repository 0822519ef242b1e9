// The tuner's own cost per trial (ask + tell with a free objective) on the tutorial
// Fashion-MNIST MLP space from the examples, for the engine's non-model samplers.
#include <benchmark/benchmark.h>

#include "engine/testing/spaces.hpp"
#include "mlp_space.hpp"
#include "typetune/engine/grid_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/sobol_sampler.hpp"
#include "typetune/engine/study_core.hpp"

namespace {

// One iteration is a whole study of `trials` ask/tell rounds; the counter reports the mean
// time per trial, which is what a user pays on top of training.
void run_study(benchmark::State& state, std::unique_ptr<typetune::sampler> (*make)(),
               const typetune::space_desc& space) {
  const auto trials = static_cast<std::uint64_t>(state.range(0));
  for (auto _ : state) {
    typetune::study_core study(space, make(), {.metric = "val_loss", .seed = 1});
    for (std::uint64_t i = 0; i < trials; ++i) {
      const auto t = study.ask();
      study.tell(t->number, "val_loss", static_cast<double>(i % 17));
    }
    benchmark::DoNotOptimize(study.best_trial());
  }
  state.counters["per_trial"] = benchmark::Counter(
      static_cast<double>(trials), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The examples' space (learning rates as choices, momentum constant): finite, 3780 configurations,
// so random search draws without replacement.
const typetune::space_desc& example_mlp() {
  static const auto desc = typetune::describe(fashion_mlp::space);
  return desc;
}

// The same structure with continuous log-scale learning rates: independent draws.
const typetune::space_desc& continuous_mlp() {
  static const auto desc = typetune::testing::mlp_space(false);
  return desc;
}

void random_example_mlp(benchmark::State& s) { run_study(s, typetune::make_random_sampler, example_mlp()); }
void random_continuous_mlp(benchmark::State& s) { run_study(s, typetune::make_random_sampler, continuous_mlp()); }
void sobol_continuous_mlp(benchmark::State& s) { run_study(s, typetune::make_sobol_sampler, continuous_mlp()); }
void grid_example_mlp(benchmark::State& s) { run_study(s, typetune::make_grid_sampler, example_mlp()); }

}  // namespace

BENCHMARK(random_example_mlp)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);
BENCHMARK(random_continuous_mlp)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);
BENCHMARK(sobol_continuous_mlp)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);
BENCHMARK(grid_example_mlp)->Arg(100)->Arg(500)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
