// What an in-memory study keeps per trial: N trials of the quality suite's conditional space
// (a branch and a repeat: 3-10 active parameters) run through study_core with the in-memory
// store, one worker, and the process's resident set size read before and after. Prints the
// growth per trial in bytes; the sampler's own state (TPE's tried set, its caches) is included.
//   memory_per_trial [trials=10000] [sampler=random|tpe]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "quality_suite.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/tpe_sampler.hpp"

namespace {

// Resident set size in bytes (/proc/self/statm: pages).
long long rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * 4096;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace typetune;
  const std::size_t trials = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
  const std::string which = argc > 2 ? argv[2] : "random";
  if (trials == 0 || (which != "random" && which != "tpe")) {
    std::fprintf(stderr, "usage: memory_per_trial [trials > 0] [random|tpe]\n");
    return 2;
  }
  const auto problem = quality::conditional_problem();
  study_options so;
  so.metric = "value";
  so.seed = 1;
  const auto before = rss_bytes();
  study_core study(problem.space, which == "tpe" ? make_tpe_sampler() : make_random_sampler(), so);
  study.optimize([&](trial_context& t) -> outcome { return outcome("value", problem.truth(t.params())); },
                 {.max_trials = trials, .time_limit = std::nullopt, .workers = 1});
  const auto after = rss_bytes();
  const auto held = study.trials().size();
  std::printf("%zu trials of the conditional space, %s sampler, in memory: RSS %.1f MiB -> %.1f MiB, %.0f bytes per trial\n",
              held, which.c_str(), static_cast<double>(before) / (1 << 20), static_cast<double>(after) / (1 << 20),
              static_cast<double>(after - before) / static_cast<double>(held));
  return 0;
}
