// The algorithm-quality suite: the test functions of the Optuna reference (Branin, Hartmann-6,
// a conditional function with a branch and a repeat, noisy Hartmann-6) and a seeded runner.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "typetune/engine/random_stream.hpp"
#include "typetune/engine/sampler.hpp"
#include "typetune/engine/trial.hpp"
#include "typetune/space_desc.hpp"

namespace typetune::quality {

// A minimised test function over a space. `observe` gives what the sampler sees (with noise for
// the noisy problem, drawn from the trial's own stream); `truth` is what the best trial is
// scored by.
struct problem {
  std::string name;
  space_desc space;
  std::function<double(const assignment&)> truth;
  double noise_sd = 0;  // > 0: the best trial is picked by its observed value, scored by truth
};

namespace detail {

inline param_desc real_param(std::string path, double low, double high, bool log = false) {
  param_desc p;
  p.name = path;
  p.path = std::move(path);
  p.kind = param_kind::real;
  p.type = value_type::real;
  p.low = low;
  p.high = high;
  p.log = log;
  return p;
}
inline param_desc int_param(std::string path, double low, double high, bool log = false, double step = 1) {
  param_desc p = real_param(std::move(path), low, high, log);
  p.kind = param_kind::integer;
  p.type = value_type::integer;
  p.step = step;
  return p;
}
inline param_desc choice_param(std::string path, std::vector<choice_value> choices) {
  param_desc p;
  p.name = path;
  p.path = std::move(path);
  p.kind = param_kind::categorical;
  p.type = std::holds_alternative<std::string>(choices.front()) ? value_type::string : value_type::real;
  p.choices = std::move(choices);
  return p;
}
inline param_desc conditional(param_desc p, std::size_t parent, condition::rule rule, std::int64_t value,
                              std::size_t depth = 1) {
  p.active_if = condition{parent, rule, value};
  p.depth = depth;
  return p;
}
inline double real_at(const assignment& a, std::size_t i) { return std::get<double>(a.values[i]); }
inline std::int64_t int_at(const assignment& a, std::size_t i) { return std::get<std::int64_t>(a.values[i]); }

inline constexpr std::array<std::array<double, 6>, 4> h6_a{{{10, 3, 17, 3.5, 1.7, 8},
                                                             {0.05, 10, 17, 0.1, 8, 14},
                                                             {3, 3.5, 1.7, 10, 17, 8},
                                                             {17, 8, 0.05, 10, 0.1, 14}}};
inline constexpr std::array<std::array<double, 6>, 4> h6_p{{{.1312, .1696, .5569, .0124, .8283, .5886},
                                                             {.2329, .4135, .8307, .3736, .1004, .9991},
                                                             {.2348, .1451, .3522, .2883, .3047, .6650},
                                                             {.4047, .8828, .8732, .5743, .1091, .0381}}};
inline constexpr std::array<double, 4> h6_alpha{1.0, 1.2, 3.0, 3.2};

}  // namespace detail

inline double branin(double x1, double x2) {
  constexpr double pi = std::numbers::pi;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  const double u = x2 - b * x1 * x1 + c * x1 - 6;
  return u * u + 10 * (1 - t) * std::cos(x1) + 10;
}

inline double hartmann6(const std::array<double, 6>& x) {
  double f = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < 6; ++j) s += detail::h6_a[i][j] * (x[j] - detail::h6_p[i][j]) * (x[j] - detail::h6_p[i][j]);
    f -= detail::h6_alpha[i] * std::exp(-s);
  }
  return f;
}

// x1 in [-5, 10], x2 in [0, 15]; minimum 0.397887.
inline problem branin_problem() {
  problem p{"branin", {}, {}, 0};
  p.space.params = {detail::real_param("x1", -5, 10), detail::real_param("x2", 0, 15)};
  p.truth = [](const assignment& a) { return branin(detail::real_at(a, 0), detail::real_at(a, 1)); };
  return p;
}

// x in [0, 1]^6; minimum -3.32237.
inline problem hartmann6_problem(std::string name = "hartmann6", double noise_sd = 0) {
  problem p{std::move(name), {}, {}, noise_sd};
  for (char j = '0'; j < '6'; ++j) p.space.params.push_back(detail::real_param(std::string{'x', j}, 0, 1));
  p.truth = [](const assignment& a) {
    std::array<double, 6> x{};
    for (std::size_t j = 0; j < 6; ++j) x[j] = detail::real_at(a, j);
    return hartmann6(x);
  };
  return p;
}

inline problem noisy_hartmann6_problem() { return hartmann6_problem("noisy-h6", 0.1); }

// optimizer in {adam, sgd} with its own log learning rate, sgd-only momentum; 1..3 layers of
// (units int [16, 256] log, dropout in {0, .1, .2, .3}); minimum 0 (adam, lr 1e-3, 2 layers of
// 128 units and dropout 0.1).
inline problem conditional_problem() {
  using rule = condition::rule;
  problem p{"conditional", {}, {}, 0};
  auto& ps = p.space.params;
  auto optimizer = detail::choice_param("optimizer", {std::string("adam"), std::string("sgd")});
  optimizer.role = param_role::branch;
  optimizer.type = value_type::string;
  ps.push_back(optimizer);                                                                           // 0
  ps.push_back(detail::conditional(detail::real_param("optimizer.adam.lr", 1e-4, 1e-1, true), 0, rule::equals, 0));  // 1
  ps.push_back(detail::conditional(detail::real_param("optimizer.sgd.lr", 1e-4, 1e-1, true), 0, rule::equals, 1));   // 2
  ps.push_back(detail::conditional(detail::real_param("optimizer.sgd.momentum", 0, 0.99), 0, rule::equals, 1));       // 3
  auto n = detail::int_param("n", 1, 3);
  n.role = param_role::count;
  ps.push_back(n);  // 4
  for (int i = 0; i < 3; ++i) {
    const std::string item = "layers[" + std::to_string(i) + "].";
    ps.push_back(detail::conditional(detail::int_param(item + "units", 16, 256, true), 4, rule::at_least, i + 1));
    ps.push_back(detail::conditional(detail::choice_param(item + "dropout", {0.0, 0.1, 0.2, 0.3}), 4, rule::at_least, i + 1));
  }
  p.truth = [](const assignment& a) {
    const bool adam = detail::int_at(a, 0) == 0;
    const double lr = detail::real_at(a, adam ? 1 : 2);
    double f = std::pow(std::log10(lr) - (adam ? -3.0 : -1.5), 2);
    if (!adam) f += 4 * std::pow(detail::real_at(a, 3) - 0.9, 2) + 0.2;
    const auto n_layers = detail::int_at(a, 4);
    constexpr std::array<double, 4> dropout{0.0, 0.1, 0.2, 0.3};
    for (std::int64_t i = 0; i < n_layers; ++i) {
      const auto base = 5 + 2 * static_cast<std::size_t>(i);
      const double units = static_cast<double>(detail::int_at(a, base));
      const double d = dropout[static_cast<std::size_t>(detail::int_at(a, base + 1))];
      f += std::pow((std::log2(units) - 7) / 4, 2) + (d - 0.1) * (d - 0.1);
    }
    return f + 0.3 * std::abs(static_cast<double>(n_layers) - 2);
  };
  return p;
}

inline std::vector<problem> all_problems() {
  return {branin_problem(), hartmann6_problem(), conditional_problem(), noisy_hartmann6_problem()};
}

// One seeded run: the sampler proposes, the problem answers, the record is appended, exactly
// the ask/tell loop of a sequential study without its bookkeeping.
inline std::vector<trial_record> run(sampler& s, const problem& p, std::uint64_t seed, std::size_t n_trials,
                                     direction dir = direction::minimize) {
  std::vector<trial_record> trials;
  trials.reserve(n_trials);
  for (std::uint64_t number = 0; number < n_trials; ++number) {
    const study_view view{p.space, trials, dir, seed};
    auto a = s.sample(view, number);
    if (!a) break;
    trial_record t;
    t.number = number;
    t.state = trial_state::complete;
    double y = p.truth(*a);
    if (p.noise_sd > 0) {
      random_stream noise(seed, number, stream_ids::user + 7);
      y += p.noise_sd * std::normal_distribution<double>(0.0, 1.0)(noise);
    }
    t.value = dir == direction::maximize ? -y : y;
    t.params = std::move(*a);
    trials.push_back(std::move(t));
  }
  return trials;
}

// The best (minimised) value among the first n trials; for a noisy problem the trial with the
// best observed value, scored by its noise-free value.
inline double best_after(const problem& p, const std::vector<trial_record>& trials, std::size_t n,
                         direction dir = direction::minimize) {
  const double sign = dir == direction::maximize ? -1.0 : 1.0;
  double best_observed = INFINITY, best = INFINITY;
  for (std::size_t i = 0; i < std::min(n, trials.size()); ++i) {
    const double observed = sign * *trials[i].value;
    if (observed < best_observed) {
      best_observed = observed;
      best = p.noise_sd > 0 ? p.truth(trials[i].params) : observed;
    }
  }
  return best;
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  if (n == 0) return NAN;
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Median over seeds 0..n_seeds-1 of the best value after each of `checkpoints` trials.
inline std::vector<double> median_best(const std::function<std::unique_ptr<sampler>()>& make, const problem& p,
                                       std::size_t n_seeds, const std::vector<std::size_t>& checkpoints) {
  std::vector<std::vector<double>> per_checkpoint(checkpoints.size());
  const std::size_t n_trials = *std::max_element(checkpoints.begin(), checkpoints.end());
  for (std::uint64_t seed = 0; seed < n_seeds; ++seed) {
    auto s = make();
    const auto trials = run(*s, p, seed, n_trials);
    for (std::size_t c = 0; c < checkpoints.size(); ++c) per_checkpoint[c].push_back(best_after(p, trials, checkpoints[c]));
  }
  std::vector<double> out;
  for (auto& v : per_checkpoint) out.push_back(median(std::move(v)));
  return out;
}

}  // namespace typetune::quality
