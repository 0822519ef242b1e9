// A worker process of the multi-process storage tests: the same program a user would start N
// times on one study. Usage:
//   typetune_storage_worker URL STUDY real|grid TRIALS [--sleep-ms MS] [--hang-at N MARKER] [--ask-tell]
//                           [--study-trials N]
// With --hang-at, trial N writes "number seed" to MARKER and then hangs until it is killed.
// With --study-trials, the study's shared budget (tt::budget::study_trials).
// With --ask-tell the program drives the loop itself (study.ask(), study.tell()) instead of
// optimize().
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <typetune/study.hpp>

namespace tt = typetune;

namespace worker {

struct real_params {
  double x;
  double y;
};
inline constexpr auto real_space = tt::space(tt::real<"x">(0.0, 1.0), tt::real<"y">(-1.0, 1.0));

struct grid_params {
  int a;
  int b;
  double c;
};
// 10 x 3 x 4 = 120 configurations.
inline constexpr auto grid_space =
    tt::space(tt::int_<"a">(1, 10), tt::choice<"b">(1, 2, 3), tt::choice<"c">(0.5, 1.5, 2.5, 3.5));

}  // namespace worker

TYPETUNE_REFLECT(worker::real_params, x, y);
TYPETUNE_REFLECT(worker::grid_params, a, b, c);

namespace {

struct settings {
  std::string url;
  std::string study;
  std::string space;
  std::uint64_t trials = 0;
  int sleep_ms = 0;
  std::optional<std::uint64_t> hang_at;
  std::string marker;
  bool ask_tell = false;
  std::optional<std::uint64_t> study_trials;
};

template <class Params>
void pause_or_hang(const settings& s, tt::trial<Params>& t) {
  if (s.hang_at && t.number() == *s.hang_at) {
    {
      std::ofstream out(s.marker + ".tmp");
      out << t.number() << ' ' << t.seed() << '\n';
    }
    std::rename((s.marker + ".tmp").c_str(), s.marker.c_str());
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (s.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(s.sleep_ms));
}

template <class Sampler, class Space, class Params>
int run(const settings& s, const Space& space, Sampler sampler) {
  auto study = tt::study(space, tt::params<Params>{}, tt::minimize{"loss"}, sampler, tt::storage{s.url},
                         tt::study_name{s.study}, tt::heartbeat{.interval = std::chrono::milliseconds(200),
                                                                .stale_after = std::chrono::seconds(5)});
  const auto objective = [&](tt::trial<Params>& t) {
    pause_or_hang(s, t);
    const auto& p = t.params();
    t.report(1, 1.0);
    if constexpr (std::is_same_v<Params, worker::real_params>) {
      return tt::result{"loss", (p.x - 0.3) * (p.x - 0.3) + p.y * p.y};
    } else {
      return tt::result{"loss", p.a * 100.0 + p.b * 10.0 + p.c};
    }
  };
  if (s.ask_tell) {
    std::uint64_t told = 0;
    for (; told < s.trials; ++told) {
      auto t = study.try_ask();
      if (!t) break;
      study.tell(*t, objective(*t), {{"told_by_ask_tell", 1.0}});
    }
    std::printf("told %llu%s\n", static_cast<unsigned long long>(told), told < s.trials ? " (exhausted)" : "");
    return 0;
  }
  const auto summary = study.optimize(objective, tt::budget{.trials = s.trials, .study_trials = s.study_trials});
  std::printf("started %llu%s\n", static_cast<unsigned long long>(summary.trials_started),
              summary.exhausted ? " (exhausted)" : "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(
        stderr,
        "usage: %s URL STUDY real|grid TRIALS [--sleep-ms MS] [--hang-at N MARKER] [--ask-tell] [--study-trials N]\n",
        argv[0]);
    return 2;
  }
  settings s;
  s.url = argv[1];
  s.study = argv[2];
  s.space = argv[3];
  s.trials = std::strtoull(argv[4], nullptr, 10);
  for (int i = 5; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--sleep-ms" && i + 1 < argc) {
      s.sleep_ms = std::atoi(argv[++i]);
    } else if (flag == "--study-trials" && i + 1 < argc) {
      s.study_trials = std::strtoull(argv[++i], nullptr, 10);
    } else if (flag == "--ask-tell") {
      s.ask_tell = true;
    } else if (flag == "--hang-at" && i + 2 < argc) {
      s.hang_at = std::strtoull(argv[++i], nullptr, 10);
      s.marker = argv[++i];
    } else {
      std::fprintf(stderr, "unknown argument %s\n", flag.c_str());
      return 2;
    }
  }
  try {
    if (s.space == "grid") return run<tt::grid, decltype(worker::grid_space), worker::grid_params>(s, worker::grid_space, tt::grid{});
    return run<tt::random, decltype(worker::real_space), worker::real_params>(s, worker::real_space, tt::random{.seed = 11});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "worker failed: %s\n", e.what());
    return 1;
  }
}
