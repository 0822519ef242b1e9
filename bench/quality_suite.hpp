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
#include "typetune/desc/trial.hpp"
#include "typetune/decode.hpp"
#include "typetune/describe.hpp"
#include "typetune/params_of.hpp"
#include "typetune/desc/space_desc.hpp"

namespace typetune::quality {

// The spaces are written in the DSL and the functions read typed records, as a user would.

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
inline constexpr auto branin_space = space(real<"x1">(-5, 10), real<"x2">(0, 15));

inline problem branin_problem() {
  return {"branin", describe(branin_space), [](const assignment& a) {
            const auto x = decode<params_of<branin_space>>(branin_space, a);
            return branin(x.get<"x1">(), x.get<"x2">());
          }, 0};
}

// x in [0, 1]^6; minimum -3.32237.
inline constexpr auto hartmann6_space = space(real<"x0">(0, 1), real<"x1">(0, 1), real<"x2">(0, 1), real<"x3">(0, 1),
                                               real<"x4">(0, 1), real<"x5">(0, 1));

inline problem hartmann6_problem(std::string name = "hartmann6", double noise_sd = 0) {
  return {std::move(name), describe(hartmann6_space), [](const assignment& a) {
            const auto x = decode<params_of<hartmann6_space>>(hartmann6_space, a);
            return hartmann6({x.get<"x0">(), x.get<"x1">(), x.get<"x2">(), x.get<"x3">(), x.get<"x4">(), x.get<"x5">()});
          }, noise_sd};
}

inline problem noisy_hartmann6_problem() { return hartmann6_problem("noisy-h6", 0.1); }

// optimizer in {adam, sgd} with its own log learning rate, sgd-only momentum; 1..3 layers of
// (units int [16, 256] log, dropout in {0, .1, .2, .3}); minimum 0 (adam, lr 1e-3, 2 layers of
// 128 units and dropout 0.1).
inline constexpr auto conditional_space = space(
    branch<"optimizer">(option<"adam">(real<"lr">(1e-4, 1e-1, log)),
                        option<"sgd">(real<"lr">(1e-4, 1e-1, log), real<"momentum">(0, 0.99))),
    repeat<"layers">(count(1, 3), int_<"units">(16, 256, log), choice<"dropout">(0.0, 0.1, 0.2, 0.3)));

inline problem conditional_problem() {
  return {"conditional", describe(conditional_space), [](const assignment& a) {
            const auto x = decode<params_of<conditional_space>>(conditional_space, a);
            double f = 0;
            if (const auto* adam = get_if<"adam">(x.get<"optimizer">())) {
              f += std::pow(std::log10(adam->get<"lr">()) + 3.0, 2);
            } else {
              const auto* sgd = get_if<"sgd">(x.get<"optimizer">());
              f += std::pow(std::log10(sgd->get<"lr">()) + 1.5, 2) + 4 * std::pow(sgd->get<"momentum">() - 0.9, 2) + 0.2;
            }
            for (const auto& layer : x.get<"layers">()) {
              const double d = layer.get<"dropout">();
              f += std::pow((std::log2(layer.get<"units">()) - 7) / 4, 2) + (d - 0.1) * (d - 0.1);
            }
            return f + 0.3 * std::abs(static_cast<double>(x.get<"layers">().size()) - 2);
          }, 0};
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
