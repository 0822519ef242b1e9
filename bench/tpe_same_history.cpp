// typetune's side of bench/tpe_same_history.py: reads a levy10 history (one trial per line: ten
// coordinates, then the value) and prints the quantiles of x0 over DRAWS proposals of the
// independent TPE sampler, each from its own random stream.
//
//   tpe_same_history HISTORY [draws=5000]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "quality_suite.hpp"
#include "typetune/engine/tpe_sampler.hpp"

int main(int argc, char** argv) {
  using namespace typetune;
  if (argc < 2) {
    std::fprintf(stderr, "usage: tpe_same_history HISTORY [draws=5000]\n");
    return 2;
  }
  const std::size_t draws = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 5000;
  const auto p = quality::levy10_problem();
  std::vector<trial_record> trials;
  std::ifstream in(argv[1]);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    trial_record t;
    t.number = trials.size();
    t.state = trial_state::complete;
    t.params.values.resize(p.space.size());
    for (std::size_t j = 0; j < p.space.size(); ++j) {
      double v = 0;
      fields >> v;
      t.params.values[j] = v;
    }
    double y = 0;
    fields >> y;
    if (!fields) {
      std::fprintf(stderr, "tpe_same_history: line %zu of %s is not 11 numbers\n", trials.size() + 1, argv[1]);
      return 1;
    }
    t.value = y;
    trials.push_back(std::move(t));
  }
  auto sampler = make_tpe_sampler();
  std::vector<double> xs;
  for (std::uint64_t n = 0; n < draws; ++n) {
    const auto a = sampler->sample(study_view{p.space, trials, direction::minimize, 1}, trials.size() + n);
    xs.push_back(std::get<double>(a->values[0]));
  }
  std::sort(xs.begin(), xs.end());
  double mean = 0, square = 0;
  for (double x : xs) {
    mean += x;
    square += x * x;
  }
  mean /= static_cast<double>(xs.size());
  std::printf("typetune");
  for (double q : {0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95})
    std::printf(" %.3f", xs[static_cast<std::size_t>(q * static_cast<double>(xs.size() - 1))]);
  std::printf("  mean %.3f sd %.3f\n", mean, std::sqrt(square / static_cast<double>(xs.size()) - mean * mean));
}
