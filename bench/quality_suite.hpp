// The algorithm-quality suite: eight test functions (Branin, Hartmann-6, two conditional spaces,
// noisy Hartmann-6, integers, categoricals, Levy-10), a learning curve, and a seeded runner.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "typetune/engine/pruner.hpp"
#include "typetune/engine/random_stream.hpp"
#include "typetune/engine/sampler.hpp"
#include "typetune/engine/study_core.hpp"
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
  double minimum = 0;   // the function's global minimum, for regret
  // > 0: the objective reports at_step(x, s) for s = 1..steps (a learning curve) before its
  // value, so that a pruner can stop it.
  std::int64_t steps = 0;
  std::function<double(const assignment&, std::int64_t)> at_step = {};
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
          }, 0, 0.397887};
}

// x in [0, 1]^6; minimum -3.32237.
inline constexpr auto hartmann6_space = space(real<"x0">(0, 1), real<"x1">(0, 1), real<"x2">(0, 1), real<"x3">(0, 1),
                                               real<"x4">(0, 1), real<"x5">(0, 1));

inline problem hartmann6_problem(std::string name = "hartmann6", double noise_sd = 0) {
  return {std::move(name), describe(hartmann6_space), [](const assignment& a) {
            const auto x = decode<params_of<hartmann6_space>>(hartmann6_space, a);
            return hartmann6({x.get<"x0">(), x.get<"x1">(), x.get<"x2">(), x.get<"x3">(), x.get<"x4">(), x.get<"x5">()});
          }, noise_sd, -3.32237};
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
          }, 0, 0.0};
}

// Five integers of different kinds: a Rosenbrock valley on two [-20, 20] grids (u = x / 10),
// a log-scaled batch size, a stepped epoch count, a small count and a kink; minimum 0 at
// (10, 10, 64, 120, 4, 17).
inline constexpr auto integers_space =
    space(int_<"x1">(-20, 20), int_<"x2">(-20, 20), int_<"batch">(8, 512, log), int_<"epochs">(10, 200, step{10}),
          int_<"layers">(1, 6), int_<"k">(0, 50));

inline problem integers_problem() {
  return {"integers", describe(integers_space), [](const assignment& a) {
            const auto x = decode<params_of<integers_space>>(integers_space, a);
            const double u1 = x.get<"x1">() / 10.0, u2 = x.get<"x2">() / 10.0;
            const double batch = std::log2(static_cast<double>(x.get<"batch">()));
            return (1 - u1) * (1 - u1) + 5 * (u2 - u1 * u1) * (u2 - u1 * u1) + std::pow((batch - 6) / 2, 2) +
                   std::pow((x.get<"epochs">() - 120) / 60.0, 2) + 0.25 * std::abs(x.get<"layers">() - 4) +
                   std::abs(x.get<"k">() - 17) / 25.0;
          }, 0, 0.0};
}

// Eight categoricals of 2 to 8 choices (69,120 configurations): each choice has its own cost,
// ((3 c_i + i) mod n_i) / n_i, and neighbours whose indices have an odd sum pay 0.4, so the best
// choices of single parameters conflict; minimum 1.375, at 12 configurations (brute force).
inline constexpr auto categorical_space =
    space(choice<"c0">(0, 1), choice<"c1">(0, 1, 2), choice<"c2">(0, 1, 2), choice<"c3">(0, 1, 2, 3),
          choice<"c4">(0, 1, 2, 3), choice<"c5">(0, 1, 2, 3, 4), choice<"c6">(0, 1, 2, 3, 4, 5),
          choice<"c7">(0, 1, 2, 3, 4, 5, 6, 7));

inline double categorical_cost(const std::array<int, 8>& c) {
  constexpr std::array<int, 8> n{2, 3, 3, 4, 4, 5, 6, 8};
  double f = 0;
  for (int i = 0; i < 8; ++i) {
    const auto k = static_cast<std::size_t>(i);
    f += static_cast<double>((3 * c[k] + i) % n[k]) / n[k];
    if (i < 7 && (c[k] + c[k + 1]) % 2 == 1) f += 0.4;
  }
  return f;
}

inline problem categorical_problem() {
  return {"categorical", describe(categorical_space), [](const assignment& a) {
            const auto x = decode<params_of<categorical_space>>(categorical_space, a);
            return categorical_cost({x.get<"c0">(), x.get<"c1">(), x.get<"c2">(), x.get<"c3">(), x.get<"c4">(),
                                     x.get<"c5">(), x.get<"c6">(), x.get<"c7">()});
          }, 0, 1.375};
}

// Levy's function in 10 dimensions, x in [-10, 10]^10; minimum 0 at x = (1, ..., 1).
inline double levy(const double* x, std::size_t d) {
  constexpr double pi = std::numbers::pi;
  auto w = [&](std::size_t i) { return 1 + (x[i] - 1) / 4; };
  const double s0 = std::sin(pi * w(0));
  double f = s0 * s0;
  for (std::size_t i = 0; i + 1 < d; ++i) {
    const double s = std::sin(pi * w(i) + 1);
    f += (w(i) - 1) * (w(i) - 1) * (1 + 10 * s * s);
  }
  const double sd = std::sin(2 * pi * w(d - 1));
  return f + (w(d - 1) - 1) * (w(d - 1) - 1) * (1 + sd * sd);
}

inline constexpr auto levy10_space =
    space(real<"x0">(-10, 10), real<"x1">(-10, 10), real<"x2">(-10, 10), real<"x3">(-10, 10), real<"x4">(-10, 10),
          real<"x5">(-10, 10), real<"x6">(-10, 10), real<"x7">(-10, 10), real<"x8">(-10, 10), real<"x9">(-10, 10));

inline problem levy10_problem() {
  return {"levy10", describe(levy10_space), [](const assignment& a) {
            const auto x = decode<params_of<levy10_space>>(levy10_space, a);
            const std::array<double, 10> v{x.get<"x0">(), x.get<"x1">(), x.get<"x2">(), x.get<"x3">(), x.get<"x4">(),
                                           x.get<"x5">(), x.get<"x6">(), x.get<"x7">(), x.get<"x8">(), x.get<"x9">()};
            return levy(v.data(), v.size());
          }, 0, 0.0};
}

// A network-shaped conditional space: a log learning rate whose best value depends on the depth,
// 1..4 blocks of (width int [8, 512] log, kernel {1, 3, 5, 7}, dropout [0, 0.5]) whose block i
// wants width 2^(5+i), kernel 3 (first two) or 5, dropout 0.1 i; and a schedule branch
// (constant; cosine with an int warmup; step with a real gamma and an int period). Minimum 0 at
// 3 blocks, lr 10^-2.75, widths 32/64/128, kernels 3/3/5, dropouts 0/0.1/0.2, cosine warmup 5.
inline constexpr auto blocks_space = space(
    real<"lr">(1e-5, 1e-1, log),
    repeat<"blocks">(count(1, 4), int_<"width">(8, 512, log), choice<"kernel">(1, 3, 5, 7), real<"dropout">(0, 0.5)),
    branch<"schedule">(option<"constant">(), option<"cosine">(int_<"warmup">(0, 10)),
                       option<"step">(real<"gamma">(0.1, 0.9), int_<"every">(1, 20))));

inline problem blocks_problem() {
  return {"cond-blocks", describe(blocks_space), [](const assignment& a) {
            const auto x = decode<params_of<blocks_space>>(blocks_space, a);
            const auto& blocks = x.get<"blocks">();
            const double n = static_cast<double>(blocks.size());
            double f = 0.5 * std::pow(std::log10(x.get<"lr">()) + 2 + 0.25 * n, 2) + 0.25 * std::abs(n - 3);
            for (std::size_t i = 0; i < blocks.size(); ++i) {
              const double width = std::log2(static_cast<double>(blocks[i].get<"width">()));
              const int want_kernel = i < 2 ? 3 : 5;
              const double d = blocks[i].get<"dropout">() - 0.1 * static_cast<double>(i);
              f += std::pow((width - 5 - static_cast<double>(i)) / 3, 2) + 0.1 * (blocks[i].get<"kernel">() != want_kernel) +
                   d * d;
            }
            const auto& schedule = x.get<"schedule">();
            if (get_if<"constant">(schedule)) f += 0.3;
            if (const auto* c = get_if<"cosine">(schedule)) f += 0.2 * std::pow((c->get<"warmup">() - 5) / 5.0, 2);
            if (const auto* s = get_if<"step">(schedule))
              f += 0.1 + std::pow(s->get<"gamma">() - 0.5, 2) + 0.1 * std::pow((s->get<"every">() - 10) / 10.0, 2);
            return f;
          }, 0, 0.0};
}

// Hartmann-6 as a learning curve over 10 steps: the value at step s is h6(x) plus
// (0.5 + x5) ((10 - s) / 9)^2, so curves cross early and the last step is h6 itself.
inline problem curve_hartmann6_problem() {
  problem p = hartmann6_problem("curve-h6");
  p.steps = 10;
  p.at_step = [truth = p.truth](const assignment& a, std::int64_t step) {
    const double x5 = std::get<double>(a.values[5]);
    const double left = (10.0 - static_cast<double>(step)) / 9.0;
    return truth(a) + (0.5 + x5) * left * left;
  };
  return p;
}

// The suite the tables are made of (the curve function is in the pruner rows only).
inline std::vector<problem> all_problems() {
  return {branin_problem(),      hartmann6_problem(),   conditional_problem(), noisy_hartmann6_problem(),
          integers_problem(),    categorical_problem(), levy10_problem(),      blocks_problem()};
}

// How a run is driven besides its sampler.
struct run_options {
  std::size_t n_trials = 100;
  direction dir = direction::minimize;
  // > 1: that many asynchronous workers, simulated: each trial takes a seeded random 1-5 time
  // units, the first to finish is recorded, and its worker asks at once; the sampler sees the
  // others as running trials (parameters set, no value), as it would from threads.
  std::size_t workers = 1;
  // With a problem that has steps: the pruner is asked after each step's report; a pruned
  // trial keeps its intermediate values and its last value.
  pruner* prune = nullptr;
  // > 0: a real study on that many threads instead (run_threads); workers is then ignored.
  std::size_t threads = 0;
};

namespace detail {

inline double observe(const problem& p, const assignment& a, std::uint64_t seed, std::uint64_t number) {
  double y = p.truth(a);
  if (p.noise_sd > 0) {
    random_stream noise(seed, number, stream_ids::user + 7);
    y += p.noise_sd * std::normal_distribution<double>(0.0, 1.0)(noise);
  }
  return y;
}

// Ends trial t: steps reported one by one (each checked by the pruner, which sees `history`),
// then its value.
inline void evaluate(const problem& p, trial_record& t, std::span<const trial_record> history, std::uint64_t seed,
                     const run_options& o) {
  const double sign = o.dir == direction::maximize ? -1.0 : 1.0;
  if (p.steps > 0) {
    for (std::int64_t step = 1; step <= p.steps; ++step) {
      t.intermediate[step] = sign * p.at_step(t.params, step);
      if (o.prune && step < p.steps) {
        if (o.prune->should_prune(study_view{p.space, history, o.dir, seed}, t)) {
          t.state = trial_state::pruned;
          t.value = t.intermediate.rbegin()->second;
          return;
        }
      }
    }
  }
  t.state = trial_state::complete;
  t.value = sign * observe(p, t.params, seed, t.number);
}

}  // namespace detail

// One seeded run: the sampler proposes, the problem answers, the record is appended, exactly
// the ask/tell loop of a study without its bookkeeping (see run_options for workers and
// pruning). Trials are ordered by number.
inline std::vector<trial_record> run(sampler& s, const problem& p, std::uint64_t seed, const run_options& o) {
  std::vector<trial_record> trials;
  trials.reserve(o.n_trials);
  auto ask = [&](std::uint64_t number) {
    auto a = s.sample(study_view{p.space, trials, o.dir, seed}, number);
    if (!a) return false;
    trial_record t;
    t.number = number;
    t.state = trial_state::running;
    t.params = std::move(*a);
    trials.push_back(std::move(t));
    return true;
  };
  if (o.workers <= 1) {
    for (std::uint64_t number = 0; number < o.n_trials; ++number) {
      if (!ask(number)) break;
      detail::evaluate(p, trials.back(), trials, seed, o);
    }
    return trials;
  }
  // Simulated workers: (finish time, trial number) of each running trial.
  std::vector<std::pair<double, std::uint64_t>> running;
  auto start = [&](double now) {
    const auto number = static_cast<std::uint64_t>(trials.size());
    if (number >= o.n_trials || !ask(number)) return;
    random_stream duration(seed, number, stream_ids::user + 8);
    running.emplace_back(now + 1 + 4 * duration.uniform01(), number);
  };
  for (std::size_t w = 0; w < o.workers; ++w) start(0);
  while (!running.empty()) {
    const auto first = std::min_element(running.begin(), running.end());
    const auto [now, number] = *first;
    running.erase(first);
    detail::evaluate(p, trials[number], trials, seed, o);
    start(now);
  }
  return trials;
}

// The same run through a real study on `threads` worker threads (study_core::optimize): each
// objective sleeps a seeded random 1 to 5 ms, so trials overlap as they do in real use and the
// sampler sees the other threads' trials as running. Unlike run(), the result depends on
// timing. Trials are ordered by number.
inline std::vector<trial_record> run_threads(std::unique_ptr<sampler> s, const problem& p, std::uint64_t seed,
                                             std::size_t n_trials, std::size_t threads) {
  study_options so;
  so.metric = "value";
  so.seed = seed;
  study_core study(p.space, std::move(s), so);
  study.optimize(
      [&](trial_context& t) -> outcome {
        random_stream duration(seed, t.number(), stream_ids::user + 8);
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(1 + 4 * duration.uniform01()));
        return detail::observe(p, t.params(), seed, t.number());
      },
      {.max_trials = n_trials, .time_limit = std::nullopt, .workers = threads});
  return study.trials();
}

inline std::vector<trial_record> run(sampler& s, const problem& p, std::uint64_t seed, std::size_t n_trials,
                                     direction dir = direction::minimize) {
  run_options o;
  o.n_trials = n_trials;
  o.dir = dir;
  return run(s, p, seed, o);
}

// The best (minimised) value among the complete trials of the first n; for a noisy problem the
// trial with the best observed value, scored by its noise-free value.
inline double best_after(const problem& p, const std::vector<trial_record>& trials, std::size_t n,
                         direction dir = direction::minimize) {
  const double sign = dir == direction::maximize ? -1.0 : 1.0;
  double best_observed = INFINITY, best = INFINITY;
  for (std::size_t i = 0; i < std::min(n, trials.size()); ++i) {
    if (trials[i].state != trial_state::complete) continue;
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

// Median over seeds first_seed..first_seed+n_seeds-1 of the best value after each of `checkpoints` trials.
inline std::vector<double> median_best(const std::function<std::unique_ptr<sampler>()>& make, const problem& p,
                                       std::size_t n_seeds, const std::vector<std::size_t>& checkpoints,
                                       run_options o = {},
                                       const std::function<std::unique_ptr<pruner>()>& make_pruner = {},
                                       std::uint64_t first_seed = 0) {
  std::vector<std::vector<double>> per_checkpoint(checkpoints.size());
  o.n_trials = *std::max_element(checkpoints.begin(), checkpoints.end());
  for (std::uint64_t seed = first_seed; seed < first_seed + n_seeds; ++seed) {
    auto s = make();
    std::unique_ptr<pruner> pr = make_pruner ? make_pruner() : nullptr;
    o.prune = pr.get();
    const auto trials = o.threads > 0 ? run_threads(std::move(s), p, seed, o.n_trials, o.threads) : run(*s, p, seed, o);
    for (std::size_t c = 0; c < checkpoints.size(); ++c) per_checkpoint[c].push_back(best_after(p, trials, checkpoints[c]));
  }
  std::vector<double> out;
  for (auto& v : per_checkpoint) out.push_back(median(std::move(v)));
  return out;
}

}  // namespace typetune::quality
