// The storage's cost per trial: ask + tell of a random-search study on the tutorial MLP space
// (with log-uniform learning rates, so that it never runs out),
// through an SQLite file (in the temporary directory) and through the in-memory store, with 0,
// 100, 1000 and 10000 trials already stored, and through PostgreSQL (0, 100, 1000) when given a
// server: --postgres=postgresql://user@host:port/db or $TYPETUNE_BENCH_POSTGRES_URL (each run
// makes a study of its own there and deletes it afterwards; scripts/pg-test-server.sh starts a
// throwaway server). "+reports" adds three report() calls per trial, as an objective reporting
// per epoch would. Each iteration stores one more trial, so iterations are fixed at 200: the
// stored count stays within 200 of its label.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <typetune/study.hpp>

#include "typetune/storage/open_storage.hpp"
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

enum class backend { memory, sqlite, postgresql };

std::string postgres_url;  // empty: no PostgreSQL benchmarks

void ask_tell(benchmark::State& state, backend kind, int reports) {
  static const auto space = tt::describe(mlp_space);
  const auto stored = static_cast<std::uint64_t>(state.range(0));
  const auto tag = std::to_string(stored) + "-" + std::to_string(static_cast<int>(kind)) + "-" + std::to_string(reports);
  const auto path = fresh_file(tag);
  std::shared_ptr<tt::trial_storage> storage;
  switch (kind) {
    case backend::memory: storage = tt::make_memory_storage(); break;
    case backend::sqlite: storage = tt::open_sqlite_storage(path); break;
    case backend::postgresql: storage = tt::open_storage(postgres_url); break;
  }
  tt::study_options options;
  options.metric = "val_loss";
  options.seed = 1;
  options.study_name = "bench-" + std::to_string(::getpid()) + "-" + tag;
  {
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
  if (kind == backend::postgresql) (void)storage->delete_study(options.study_name);
  storage.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

void register_all() {
  std::vector<backend> kinds{backend::sqlite, backend::memory};
  if (!postgres_url.empty()) kinds.push_back(backend::postgresql);
  for (const auto kind : kinds) {
    for (const int reports : {0, 3}) {
      const std::string prefix = kind == backend::sqlite ? "sqlite" : kind == backend::memory ? "memory" : "postgresql";
      const std::string name = prefix + (reports ? "/ask+3 reports+tell" : "/ask+tell");
      auto* b = benchmark::RegisterBenchmark(name.c_str(), [kind, reports](benchmark::State& s) { ask_tell(s, kind, reports); });
      b->Arg(0)->Arg(100)->Arg(1000);
      if (kind != backend::postgresql) b->Arg(10000);
      b->Iterations(200)->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* url = std::getenv("TYPETUNE_BENCH_POSTGRES_URL")) postgres_url = url;
  // --postgres=URL is ours: taken out before Google benchmark reads the flags.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--postgres=")) {
      postgres_url = std::string(arg.substr(11));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
