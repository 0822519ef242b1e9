// The multi-objective quality suite: six problems with several objectives (ZDT1, ZDT2, ZDT3,
// three-objective DTLZ2, a conditional model-selection space, and the constrained Chankong-Haimes
// problem), each with its hypervolume reference point, and a seeded sequential runner.
// bench/mo_quality.py holds the same problems for Optuna, scores both sides' records and says
// where each largest hypervolume comes from; docs/quality.md describes them.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "typetune/desc/objectives.hpp"
#include "typetune/desc/space_desc.hpp"
#include "typetune/desc/trial.hpp"
#include "typetune/engine/sampler.hpp"
#include "typetune/spaces.hpp"

namespace typetune::quality_mo {

// A problem whose objectives are all minimised. `evaluate` returns the objective values in the
// order of `objectives`, then the constraint values in the order of `constraints` (a trial is
// feasible when every constraint value is <= 0). `reference` is the hypervolume reference point
// and `max_hypervolume` the largest hypervolume a front can reach against it.
struct mo_problem {
  std::string name;
  space_desc space;
  std::vector<objective_spec> objectives;
  std::vector<constraint_spec> constraints;
  std::function<std::vector<double>(const assignment&)> evaluate;
  std::vector<double> reference;
  double max_hypervolume = 0;
};

// ZDT with d = 6 variables: f1 = x0, g = 1 + 9 (x1 + ... + x5) / 5, f2 = g h(f1 / g).
inline constexpr auto zdt_space = space(real<"x0">(0, 1), real<"x1">(0, 1), real<"x2">(0, 1), real<"x3">(0, 1),
                                        real<"x4">(0, 1), real<"x5">(0, 1));

// h: 1 - sqrt(r) (ZDT1, convex front), 1 - r^2 (ZDT2, concave), 1 - sqrt(r) - r sin(10 pi f1)
// (ZDT3, five disconnected pieces).
inline std::vector<double> zdt_values(int kind, const std::vector<double>& x) {
  double sum = 0;
  for (std::size_t i = 1; i < x.size(); ++i) sum += x[i];
  const double f1 = x[0], g = 1 + 9 * sum / static_cast<double>(x.size() - 1), r = f1 / g;
  double h = 0;
  if (kind == 1) h = 1 - std::sqrt(r);
  else if (kind == 2) h = 1 - r * r;
  else h = 1 - std::sqrt(r) - r * std::sin(10 * std::numbers::pi * f1);
  return {f1, g * h};
}

// Reference (1.1, 11): f1 <= 1 and f2 <= g <= 10 everywhere, so every trial counts. Largest
// hypervolume 12.1 - 1/3 (ZDT1), 12.1 - 2/3 (ZDT2), 12.22176 (ZDT3, numerical).
inline mo_problem zdt_problem(int kind) {
  const double max_hv[] = {12.1 - 1.0 / 3, 12.1 - 2.0 / 3, 12.22176};
  return {.name = "zdt" + std::to_string(kind),
          .space = describe(zdt_space),
          .objectives = {{.name = "f1", .dir = direction::minimize}, {.name = "f2", .dir = direction::minimize}},
          .constraints = {},
          .evaluate =
              [kind](const assignment& a) {
                const auto x = decode<params_of<zdt_space>>(zdt_space, a);
                return zdt_values(
                    kind, {x.get<"x0">(), x.get<"x1">(), x.get<"x2">(), x.get<"x3">(), x.get<"x4">(), x.get<"x5">()});
              },
          .reference = {1.1, 11.0},
          .max_hypervolume = max_hv[kind - 1]};
}

// DTLZ2 with 3 objectives and d = 7: g = sum over i = 2..6 of (x_i - 0.5)^2,
// f1 = (1 + g) cos(x0 pi/2) cos(x1 pi/2), f2 = (1 + g) cos(x0 pi/2) sin(x1 pi/2),
// f3 = (1 + g) sin(x0 pi/2); the front is the positive octant of the unit sphere.
inline constexpr auto dtlz2_space = space(real<"x0">(0, 1), real<"x1">(0, 1), real<"x2">(0, 1), real<"x3">(0, 1),
                                          real<"x4">(0, 1), real<"x5">(0, 1), real<"x6">(0, 1));

inline std::vector<double> dtlz2_values(const std::vector<double>& x) {
  double g = 0;
  for (std::size_t i = 2; i < x.size(); ++i) g += (x[i] - 0.5) * (x[i] - 0.5);
  const double a = x[0] * std::numbers::pi / 2, b = x[1] * std::numbers::pi / 2;
  return {(1 + g) * std::cos(a) * std::cos(b), (1 + g) * std::cos(a) * std::sin(b), (1 + g) * std::sin(a)};
}

// Reference (1.1, 1.1, 1.1); largest hypervolume 1.331 - pi/6.
inline mo_problem dtlz2_problem() {
  return {.name = "dtlz2",
          .space = describe(dtlz2_space),
          .objectives = {{.name = "f1", .dir = direction::minimize},
                         {.name = "f2", .dir = direction::minimize},
                         {.name = "f3", .dir = direction::minimize}},
          .constraints = {},
          .evaluate =
              [](const assignment& a) {
                const auto x = decode<params_of<dtlz2_space>>(dtlz2_space, a);
                return dtlz2_values({x.get<"x0">(), x.get<"x1">(), x.get<"x2">(), x.get<"x3">(), x.get<"x4">(),
                                     x.get<"x5">(), x.get<"x6">()});
              },
          .reference = {1.1, 1.1, 1.1},
          .max_hypervolume = 1.331 - std::numbers::pi / 6};
}

// Model selection with two objectives, error and cost (relative training time):
//   linear: alpha [1e-6, 1e2] log, degree int [1, 4]
//   tree:   trees int [10, 1000] log, depth int [2, 12], subsample [0.2, 1]
//   net:    layers int [1, 4], width int [16, 1024] log, lr [1e-5, 1e-1] log, dropout [0, 0.5]
inline constexpr auto ml_space = space(
    branch<"model">(option<"linear">(real<"alpha">(1e-6, 1e2, log), int_<"degree">(1, 4)),
                    option<"tree">(int_<"trees">(10, 1000, log), int_<"depth">(2, 12), real<"subsample">(0.2, 1)),
                    option<"net">(int_<"layers">(1, 4), int_<"width">(16, 1024, log), real<"lr">(1e-5, 1e-1, log),
                                  real<"dropout">(0, 0.5))));

// Cheap, with a high error floor; the best regularisation, 10^(degree - 4), grows with the degree.
inline std::vector<double> ml_linear(double alpha, std::int64_t degree) {
  const double p = static_cast<double>(degree);
  const double error = 0.2 + 0.12 / p + 0.02 * std::pow(std::log10(alpha) - (p - 4), 2);
  return {error, 0.01 * std::pow(3.0, p - 1)};
}

// More trees lower the error and cost more; the best depth, 3 + 2 log10(trees), grows with them;
// subsampling saves cost and the error is lowest at 0.7.
inline std::vector<double> ml_tree(std::int64_t trees, std::int64_t depth, double subsample) {
  const double u = std::log10(static_cast<double>(trees)), d = static_cast<double>(depth);
  const double error = 0.09 + 0.05 * (3 - u) + 0.003 * std::pow(d - 3 - 2 * u, 2) + 0.4 * std::pow(subsample - 0.7, 2);
  const double cost = (0.05 + 0.1 * (u - 1) + 0.02 * (d - 2)) * (0.5 + 0.5 * subsample);
  return {error, cost};
}

// The lowest errors at the highest costs: the capacity k = layers (log2(width) - 3) sets both;
// the best learning rate, 10^(-2 - layers / 4), falls with depth and the best dropout, 0.4 k / 28,
// grows with k.
inline std::vector<double> ml_net(std::int64_t layers, std::int64_t width, double lr, double dropout) {
  const double l = static_cast<double>(layers);
  const double k = l * (std::log2(static_cast<double>(width)) - 3);
  const double error = 0.03 + 0.25 / k + 0.04 * std::pow(std::log10(lr) + 2 + 0.25 * l, 2) +
                       0.6 * std::pow(dropout - 0.4 * k / 28, 2);
  return {error, 0.2 + 0.05 * k};
}

// The front runs from linear models (error 0.32 at cost 0.01, 0.26 at 0.03) through trees (cost
// 0.034 to 0.33, error 0.26 to 0.090) to nets (cost 0.41 to 1.6, error 0.090 down to 0.039).
// Reference (0.4, 1.7); largest hypervolume 0.55395 (numerical).
inline mo_problem ml_problem() {
  return {.name = "ml",
          .space = describe(ml_space),
          .objectives = {{.name = "error", .dir = direction::minimize}, {.name = "cost", .dir = direction::minimize}},
          .constraints = {},
          .evaluate =
              [](const assignment& a) {
                const auto x = decode<params_of<ml_space>>(ml_space, a);
                const auto& model = x.get<"model">();
                if (const auto* linear = get_if<"linear">(model))
                  return ml_linear(linear->get<"alpha">(), linear->get<"degree">());
                if (const auto* tree = get_if<"tree">(model))
                  return ml_tree(tree->get<"trees">(), tree->get<"depth">(), tree->get<"subsample">());
                const auto* net = get_if<"net">(model);
                return ml_net(net->get<"layers">(), net->get<"width">(), net->get<"lr">(), net->get<"dropout">());
              },
          .reference = {0.4, 1.7},
          .max_hypervolume = 0.55395};
}

// Chankong and Haimes (SRN): x1, x2 in [-20, 20]; f1 = 2 + (x1 - 2)^2 + (x2 - 1)^2,
// f2 = 9 x1 - (x2 - 1)^2; feasible when c1 = x1^2 + x2^2 - 225 <= 0 and c2 = x1 - 3 x2 + 10 <= 0.
inline constexpr auto srn_space = space(real<"x1">(-20, 20), real<"x2">(-20, 20));

inline std::vector<double> srn_values(double x1, double x2) {
  return {2 + (x1 - 2) * (x1 - 2) + (x2 - 1) * (x2 - 1), 9 * x1 - (x2 - 1) * (x2 - 1), x1 * x1 + x2 * x2 - 225,
          x1 - 3 * x2 + 10};
}

// The front: the segment x1 = -2.5 between the constraints, continued along both boundaries (f1
// from 10.1 to 222.97, f2 from -217.74 to 2.61). Reference (250, 10); largest hypervolume
// 33093.8 (numerical).
inline mo_problem srn_problem() {
  return {.name = "srn",
          .space = describe(srn_space),
          .objectives = {{.name = "f1", .dir = direction::minimize}, {.name = "f2", .dir = direction::minimize}},
          .constraints = {{.name = "c1", .max = 0}, {.name = "c2", .max = 0}},
          .evaluate =
              [](const assignment& a) {
                const auto x = decode<params_of<srn_space>>(srn_space, a);
                return srn_values(x.get<"x1">(), x.get<"x2">());
              },
          .reference = {250.0, 10.0},
          .max_hypervolume = 33093.8};
}

inline std::vector<mo_problem> all_mo_problems() {
  return {zdt_problem(1), zdt_problem(2), zdt_problem(3), dtlz2_problem(), ml_problem(), srn_problem()};
}

// One seeded run, the sequential ask/tell loop: the sampler proposes (seeing the objectives and
// constraints through study_view::goals), the problem answers, and the trial is recorded as
// complete with its first objective as `value` and the other objectives and the constraints as
// metrics under their names. Trials are ordered by number; the run ends early if the sampler
// has nothing left to propose.
inline std::vector<trial_record> run_mo(sampler& s, const mo_problem& p, std::uint64_t seed, std::size_t n_trials) {
  const objective_set goals{p.objectives, p.constraints};
  std::vector<trial_record> trials;
  trials.reserve(n_trials);
  for (std::uint64_t number = 0; number < n_trials; ++number) {
    auto a = s.sample(study_view{p.space, trials, p.objectives[0].dir, seed, &goals}, number);
    if (!a) break;
    trial_record t;
    t.number = number;
    t.params = std::move(*a);
    const std::vector<double> values = p.evaluate(t.params);
    t.value = values[0];
    for (std::size_t i = 1; i < p.objectives.size(); ++i) t.metrics[p.objectives[i].name] = values[i];
    for (std::size_t j = 0; j < p.constraints.size(); ++j)
      t.metrics[p.constraints[j].name] = values[p.objectives.size() + j];
    t.state = trial_state::complete;
    trials.push_back(std::move(t));
  }
  return trials;
}

// A run's values in the problem's column order (objectives, then constraints), one row per
// trial; an empty row for a trial that is not complete or misses a value.
inline std::vector<std::vector<double>> values_of(const mo_problem& p, const std::vector<trial_record>& trials) {
  std::vector<std::vector<double>> out;
  out.reserve(trials.size());
  for (const auto& t : trials) {
    std::vector<double> row;
    if (t.state == trial_state::complete && t.value) {
      row.push_back(*t.value);
      auto add = [&](const std::string& name) {
        const auto it = t.metrics.find(name);
        if (it != t.metrics.end()) row.push_back(it->second);
      };
      for (std::size_t i = 1; i < p.objectives.size(); ++i) add(p.objectives[i].name);
      for (const auto& c : p.constraints) add(c.name);
      if (row.size() != p.objectives.size() + p.constraints.size()) row.clear();
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace typetune::quality_mo
