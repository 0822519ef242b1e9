// One epoch of the tutorial's baseline MLP (784-350-10, Adam, batch 32, one thread) through
// typetune's trainer, against hand-written LibTorch loops of the same model, data and batch
// size: the plain one a user writes first, and one that does by hand what the trainer does.
// The figures that matter are the ratios of the medians, measured side by side.
// Then one epoch of a network the main job's search picks, with LibTorch's optimizer step and
// dropout against typetune's (recipe_epoch_*).
// Usage: bench_trainer_epoch [--benchmark_repetitions=5 ...]; TYPETUNE_BENCH_SAMPLES sets N.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include <malloc.h>
#include <xmmintrin.h>

#include <typetune/torch/dropout.hpp>
#include <typetune/torch/trainer.hpp>

namespace tt = typetune;

namespace {

tt::torch::tensor_dataset data() {
  static const auto d = [] {
    const char* env = std::getenv("TYPETUNE_BENCH_SAMPLES");
    const std::int64_t n = env ? std::atoll(env) : 54000;
    ::torch::manual_seed(0);
    return tt::torch::tensor_dataset(::torch::rand({n, 784}), ::torch::randint(0, 10, {n}, ::torch::kLong));
  }();
  return d;
}

::torch::nn::Sequential baseline() {
  ::torch::manual_seed(1);
  return ::torch::nn::Sequential(::torch::nn::Linear(784, 350), ::torch::nn::ReLU(), ::torch::nn::Linear(350, 10));
}

// What a user writes by hand: a random permutation, a gather per batch, zero_grad, step.
void hand_written_loop(benchmark::State& state) {
  tt::torch::set_threads(1);
  const auto d = data();
  for (auto _ : state) {
    auto model = baseline();
    ::torch::optim::Adam opt(model->parameters(), ::torch::optim::AdamOptions(1e-3));
    const auto n = d.size();
    const auto perm = ::torch::randperm(n);
    for (std::int64_t i = 0; i < n; i += 32) {
      const auto idx = perm.narrow(0, i, std::min<std::int64_t>(32, n - i));
      opt.zero_grad();
      auto loss = ::torch::nn::functional::cross_entropy(model->forward(d.x().index_select(0, idx)),
                                                         d.y().index_select(0, idx));
      loss.backward();
      opt.step();
    }
    benchmark::DoNotOptimize(model);
  }
}

// The same loop written with everything the trainer does by hand: glibc's mmap threshold
// raised (process-wide, as the trainer does; so this arm runs after the plain one), denormals flushed to zero,
// each full batch gathered into one buffer that the next batch reuses, gradients dropped rather
// than zeroed. The trainer's own overhead is the difference to this one.
void hand_written_tuned(benchmark::State& state) {
  tt::torch::set_threads(1);
  const auto d = data();
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
  const unsigned int saved = _mm_getcsr();
  _mm_setcsr(saved | 0x8040U);
  for (auto _ : state) {
    auto model = baseline();
    ::torch::optim::Adam opt(model->parameters(), ::torch::optim::AdamOptions(1e-3));
    const auto n = d.size();
    const auto perm = ::torch::randperm(n);
    auto xb = ::torch::empty({32, d.x().size(1)});
    auto yb = ::torch::empty({32}, ::torch::kLong);
    auto params = model->parameters();
    for (std::int64_t i = 0; i < n; i += 32) {
      const auto len = std::min<std::int64_t>(32, n - i);
      for (auto& p : params) p.mutable_grad().reset();
      const auto idx = perm.narrow(0, i, len);
      auto xbatch = xb.narrow(0, 0, len);
      auto ybatch = yb.narrow(0, 0, len);
      ::torch::index_select_out(xbatch, d.x(), 0, idx);
      ::torch::index_select_out(ybatch, d.y(), 0, idx);
      auto loss = ::torch::nn::functional::cross_entropy(model->forward(xbatch), ybatch);
      loss.backward();
      opt.step();
    }
    benchmark::DoNotOptimize(model);
  }
  _mm_setcsr(saved);
}

void trainer_epoch(benchmark::State& state) {
  tt::torch::set_threads(1);
  const auto d = data();
  for (auto _ : state) {
    tt::torch::trainer t(baseline(), {.epochs = 1, .batch_size = 32, .optimizer = tt::torch::adam{1e-3}});
    benchmark::DoNotOptimize(t.fit(d));
  }
}

// One epoch of a network the main job's search picks (784-883-465-10, dropout 0.25 and 0.1,
// AdamW, batch 256) through the trainer: with LibTorch's own optimizer step and dropout, with
// typetune's one-pass step, and with typetune's step and dropout.
::torch::nn::Sequential recipe_network(bool typetune_dropout) {
  ::torch::manual_seed(1);
  const auto drop = [&](double p) -> ::torch::nn::AnyModule {
    return typetune_dropout ? ::torch::nn::AnyModule(tt::torch::Dropout(p))
                            : ::torch::nn::AnyModule(::torch::nn::Dropout(p));
  };
  ::torch::nn::Sequential m(::torch::nn::Linear(784, 883), ::torch::nn::ReLU());
  m->push_back(drop(0.25));
  m->push_back(::torch::nn::Linear(883, 465));
  m->push_back(::torch::nn::ReLU());
  m->push_back(drop(0.1));
  m->push_back(::torch::nn::Linear(465, 10));
  return m;
}

void recipe_epoch(benchmark::State& state, bool fused_step, bool typetune_dropout) {
  tt::torch::set_threads(1);
  const auto d = data();
  for (auto _ : state) {
    tt::torch::fit_options fit{
        .epochs = 1, .batch_size = 256, .optimizer = tt::torch::adamw{.learning_rate = 1e-3, .weight_decay = 1e-2}};
    fit.fused_step = fused_step;
    tt::torch::trainer t(recipe_network(typetune_dropout), fit);
    benchmark::DoNotOptimize(t.fit(d));
  }
}
void recipe_epoch_libtorch(benchmark::State& state) { recipe_epoch(state, false, false); }
void recipe_epoch_fused_step(benchmark::State& state) { recipe_epoch(state, true, false); }
void recipe_epoch_fused_step_and_dropout(benchmark::State& state) { recipe_epoch(state, true, true); }

}  // namespace

BENCHMARK(hand_written_loop)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(hand_written_tuned)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(trainer_epoch)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(recipe_epoch_libtorch)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(recipe_epoch_fused_step)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(recipe_epoch_fused_step_and_dropout)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK_MAIN();
