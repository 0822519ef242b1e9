// The algorithm-quality table: median over seeds of the best value after 25/50/100 trials, per
// test function and sampler, in the layout of bench/optuna_quality.py; then the rows for 4
// asynchronous workers (simulated, and real threads), and for the median pruner on a learning
// curve.
//
//   quality_table [seeds=10] [sampler ...] [--tsv] [--no-extra] [--only=function,...] [--first-seed=K]
//                 [--per-seed]   (one row per seed instead of medians, 1 worker only)
//   samplers: random sobol tpe tpe-multivariate gp auto; a sampler name may carry options
//   after '+' (tpe+sigma: the kernel's -log sigma term kept, see make_sampler below).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "quality_suite.hpp"
#include "typetune/engine/auto_sampler.hpp"
#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/median_pruner.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/sobol_sampler.hpp"
#include "typetune/engine/tpe_sampler.hpp"

namespace {

using namespace typetune;
using factory = std::function<std::unique_ptr<sampler>()>;

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, sep);)
    if (!part.empty()) out.push_back(part);
  return out;
}

// "tpe", "tpe-multivariate+sigma", "gp+plain": a base sampler and its option flags.
factory make_sampler(const std::string& spec) {
  const auto parts = split(spec, '+');
  if (parts.empty()) return nullptr;
  const std::string& base = parts[0];
  const std::vector<std::string> flags(parts.begin() + 1, parts.end());
  if (base == "tpe" || base == "tpe-multivariate") {
    tpe_options o;
    o.multivariate = base == "tpe-multivariate";
    for (const auto& f : flags) {
      if (f == "sigma") o.kernel_log_sigma = true;
      else if (f == "nosigma") o.kernel_log_sigma = false;
      else if (f == "active-count") o.count_all_trials = false;
      else if (f.rfind("explore", 0) == 0) o.exploration = std::strtod(f.c_str() + 7, nullptr);
      else if (f == "nodedupe") o.avoid_repeats = false;
      else if (f == "noliar") o.constant_liar = false;
      else if (f == "endpoints") o.consider_endpoints = true;
      else if (f.rfind("cand", 0) == 0) o.n_ei_candidates = std::strtoul(f.c_str() + 4, nullptr, 10);
      else if (f.rfind("prior", 0) == 0) o.prior_weight = std::strtod(f.c_str() + 5, nullptr);
      else if (f.rfind("startup", 0) == 0) o.n_startup_trials = std::strtoul(f.c_str() + 7, nullptr, 10);
      else return nullptr;
    }
    return [o] { return make_tpe_sampler(o); };
  }
  if (base == "gp") {
    gp_options o;
    for (const auto& f : flags) {
      if (f == "neutral") o.conditional_embedding = gp_conditional_embedding::neutral;
      else if (f == "arc") o.conditional_embedding = gp_conditional_embedding::arc;
      else if (f == "branch-arc") o.conditional_embedding = gp_conditional_embedding::branch_arc;
      else if (f == "indicator") o.conditional_embedding = gp_conditional_embedding::indicator;
      else if (f == "nopruned") o.use_pruned = false;
      else return nullptr;
    }
    return [o] { return make_gp_sampler(o); };
  }
  if (base == "auto") {
    auto_options o;
    for (const auto& f : flags) {
      if (f.rfind("tpe", 0) == 0) o.conditional_tpe_trials = std::strtoul(f.c_str() + 3, nullptr, 10);
      else if (f.rfind("gpmax", 0) == 0) o.gp_max_trials = std::strtoul(f.c_str() + 5, nullptr, 10);
      else return nullptr;
    }
    return [o] { return make_auto_sampler(o); };
  }
  if (!flags.empty()) return nullptr;
  if (base == "random") return [] { return make_random_sampler(); };
  if (base == "sobol") return [] { return make_sobol_sampler(); };
  return nullptr;
}

struct row_printer {
  bool tsv = false;
  void header(std::size_t seeds) const {
    if (tsv) return;
    std::printf("typetune, median over %zu seeds of the best value after N trials\n", seeds);
    std::printf("%-12s %-22s %-9s %9s %9s %9s %9s\n", "function", "sampler", "setting", "N=25", "N=50", "N=100",
                "ms/trial");
  }
  void row(const std::string& function, const std::string& sampler, const std::string& setting,
           const std::vector<double>& med, double ms) const {
    if (tsv)
      std::printf("%s\t%s\t%s\t%.6g\t%.6g\t%.6g\t%.4f\n", function.c_str(), sampler.c_str(), setting.c_str(), med[0],
                  med[1], med[2], ms);
    else
      std::printf("%-12s %-22s %-9s %9.4f %9.4f %9.4f %9.3f\n", function.c_str(), sampler.c_str(), setting.c_str(),
                  med[0], med[1], med[2], ms);
    std::fflush(stdout);
  }
};

std::uint64_t first_seed = 0;  // --first-seed=K: seeds K..K+S-1 instead of 0..S-1

void measure(const row_printer& out, const quality::problem& p, const std::string& name, const std::string& setting,
             std::size_t seeds, quality::run_options o = {}, bool prune = false) {
  const auto start = std::chrono::steady_clock::now();
  const auto pruner = prune ? std::function<std::unique_ptr<typetune::pruner>()>([] { return make_median_pruner(); })
                            : std::function<std::unique_ptr<typetune::pruner>()>();
  const auto med = quality::median_best(make_sampler(name), p, seeds, {25, 50, 100}, o, pruner, first_seed);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
                    static_cast<double>(seeds * 100);
  out.row(p.name, name, setting, med, ms);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t seeds = 10;
  std::vector<std::string> names, only;
  row_printer out;
  bool extra = true;
  bool per_seed = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--tsv") out.tsv = true;
    else if (arg == "--no-extra") extra = false;
    else if (arg.rfind("--only=", 0) == 0) only = split(arg.substr(7), ',');
    else if (arg == "--per-seed") per_seed = true;
    else if (arg.rfind("--first-seed=", 0) == 0) first_seed = std::strtoull(arg.c_str() + 13, nullptr, 10);
    else if (i == 1 && std::isdigit(static_cast<unsigned char>(arg[0]))) seeds = std::strtoul(arg.c_str(), nullptr, 10);
    else names.push_back(arg);
  }
  if (names.empty()) names = {"random", "sobol", "tpe", "tpe-multivariate", "gp", "auto"};
  for (const auto& n : names)
    if (!make_sampler(n)) {
      std::fprintf(stderr,
                   "quality_table: unknown sampler '%s' (random sobol tpe tpe-multivariate gp auto; tpe options "
                   "+sigma +nosigma +active-count +exploreX +nodedupe +noliar +endpoints +candN +priorX +startupN; gp options +neutral +arc +branch-arc +indicator +nopruned; auto options +tpeN (conditional_tpe_trials) +gpmaxN)\n",
                   n.c_str());
      return 2;
    }
  auto wanted = [&](const std::string& function) {
    return only.empty() || std::find(only.begin(), only.end(), function) != only.end();
  };

  if (per_seed) {
    // One row per seed: function, sampler, seed, best after 25, 50 and 100 trials (1 worker).
    for (const auto& p : quality::all_problems())
      if (wanted(p.name))
        for (const auto& n : names)
          for (std::uint64_t seed = first_seed; seed < first_seed + seeds; ++seed) {
            auto s = make_sampler(n)();
            const auto trials = quality::run(*s, p, seed, 100);
            std::printf("%s\t%s\t%llu\t%.10g\t%.10g\t%.10g\n", p.name.c_str(), n.c_str(),
                        static_cast<unsigned long long>(seed), quality::best_after(p, trials, 25),
                        quality::best_after(p, trials, 50), quality::best_after(p, trials, 100));
          }
    return 0;
  }
  out.header(seeds);
  for (const auto& p : quality::all_problems())
    if (wanted(p.name))
      for (const auto& n : names) measure(out, p, n, "1 worker", seeds);
  if (!extra) return 0;
  // 4 asynchronous workers on Hartmann-6 and the conditional function; the median pruner, and
  // the same sampler without it, on the learning curve. Random search is not affected by either.
  quality::run_options parallel;
  parallel.workers = 4;
  for (const auto& p : {quality::hartmann6_problem(), quality::conditional_problem()})
    if (wanted(p.name))
      for (const auto& n : names)
        if (n != "random" && n != "sobol") measure(out, p, n, "4 workers", seeds, parallel);
  // The same with real threads: a study on 4 threads whose objectives sleep 1-5 ms.
  quality::run_options threaded;
  threaded.threads = 4;
  for (const auto& p : {quality::hartmann6_problem(), quality::conditional_problem()})
    if (wanted(p.name))
      for (const auto& n : names)
        if (n != "random" && n != "sobol") measure(out, p, n, "4 threads", seeds, threaded);
  const auto curve = quality::curve_hartmann6_problem();
  if (wanted(curve.name))
    for (const auto& n : names) {
      if (n == "sobol") continue;
      measure(out, curve, n, "1 worker", seeds);
      if (n != "random") measure(out, curve, n, "median", seeds, {}, true);
    }
}
