// The algorithm-quality table: median over seeds of the best value after 25/50/100 trials, per
// test function and sampler, in the layout of the Optuna reference (anchors/optuna_quality.py).
//
//   quality_table [seeds=10] [sampler ...]   samplers: random sobol tpe tpe-multivariate gp
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "quality_suite.hpp"
#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/sobol_sampler.hpp"
#include "typetune/engine/tpe_sampler.hpp"

namespace {

std::function<std::unique_ptr<typetune::sampler>()> factory(const std::string& name) {
  using namespace typetune;
  if (name == "random") return [] { return make_random_sampler(); };
  if (name == "sobol") return [] { return make_sobol_sampler(); };
  if (name == "tpe") return [] { return make_tpe_sampler(); };
  if (name == "tpe-multivariate")
    return [] {
      tpe_options o;
      o.multivariate = true;
      return make_tpe_sampler(o);
    };
  if (name == "gp") return [] { return make_gp_sampler(); };
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t seeds = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10;
  std::vector<std::string> names;
  for (int i = 2; i < argc; ++i) names.emplace_back(argv[i]);
  if (names.empty()) names = {"random", "sobol", "tpe", "tpe-multivariate", "gp"};
  for (const auto& n : names)
    if (!factory(n)) {
      std::fprintf(stderr, "quality_table: unknown sampler '%s' (random sobol tpe tpe-multivariate gp)\n", n.c_str());
      return 2;
    }

  std::printf("typetune, median over %zu seeds of the best value after N trials\n", seeds);
  std::printf("%-12s %-17s %9s %9s %9s %9s\n", "function", "sampler", "N=25", "N=50", "N=100", "ms/trial");
  for (const auto& p : typetune::quality::all_problems()) {
    for (const auto& n : names) {
      const auto start = std::chrono::steady_clock::now();
      const auto med = typetune::quality::median_best(factory(n), p, seeds, {25, 50, 100});
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
                        static_cast<double>(seeds * 100);
      std::printf("%-12s %-17s %9.4f %9.4f %9.4f %9.3f\n", p.name.c_str(), n.c_str(), med[0], med[1], med[2], ms);
      std::fflush(stdout);
    }
  }
}
