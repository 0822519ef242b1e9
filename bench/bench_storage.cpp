// The storage's cost per trial: ask + tell of a random-search study on the tutorial MLP space
// (with log-uniform learning rates, so that it never runs out),
// through an SQLite file (in the temporary directory) and through the in-memory store, with 0,
// 100, 1000 and 10000 trials already stored. "+reports" adds three report() calls per trial, as
// an objective reporting per epoch would. Each iteration stores one more trial, so iterations
// are fixed at 200: the stored count stays within 200 of its label.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include <typetune/study.hpp>

#include "typetune/storage/sqlite_storage.hpp"

namespace {
namespace tt = typetune;

inline constexpr auto mlp_space = tt::space(
    tt::int_<"dense_bot">(50, 350, tt::step{50}),
    tt::repeat<"hidden">(tt::count(1, 2), tt::int_<"units">(50, 100, tt::step{25}), tt::choice<"dropout">(0.0, 0.1, 0.2)),
    tt::branch<"optimizer">(tt::option<"adam">(tt::real<"learning_rate">(1e-4, 1e-1, tt::log)),
                            tt::option<"sgd">(tt::real<"learning_rate">(1e-4, 1e-1, tt::log),
                                              tt::real<"momentum">(0.5, 0.99))));

std::filesystem::path fresh_file(const std::string& tag) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("typetune-bench-" + std::to_string(::getpid()) + "-" + tag + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path;
}

void ask_tell(benchmark::State& state, bool sqlite, int reports) {
  static const auto space = tt::describe(mlp_space);
  const auto stored = static_cast<std::uint64_t>(state.range(0));
  const auto path = fresh_file(std::to_string(stored) + (sqlite ? "s" : "m") + std::to_string(reports));
  {
    auto storage = sqlite ? tt::open_sqlite_storage(path) : tt::make_memory_storage();
    tt::study_options options;
    options.metric = "val_loss";
    options.seed = 1;
    tt::study_core study(space, tt::make_random_sampler(), options, nullptr, storage);
    const auto one_trial = [&] {
      const auto t = study.ask();
      for (int step = 1; step <= reports; ++step) study.report(t->number, step, 1.0 / step);
      study.tell(t->number, "val_loss", 0.5);
    };
    for (std::uint64_t i = 0; i < stored; ++i) one_trial();
    for (auto _ : state) one_trial();
    state.counters["stored"] = static_cast<double>(stored);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

void register_all() {
  for (const bool sqlite : {true, false}) {
    for (const int reports : {0, 3}) {
      const std::string name = std::string(sqlite ? "sqlite" : "memory") + (reports ? "/ask+3 reports+tell" : "/ask+tell");
      benchmark::RegisterBenchmark(name.c_str(), [sqlite, reports](benchmark::State& s) { ask_tell(s, sqlite, reports); })
          ->Arg(0)
          ->Arg(100)
          ->Arg(1000)
          ->Arg(10000)
          ->Iterations(200)
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
