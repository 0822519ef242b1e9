// Checks every model-based sampler must pass, shared by the TPE and GP tests.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "quality_suite.hpp"

namespace typetune::testing {

// Two samplers with the same seed propose the same sequence, and a fresh sampler shown the
// first `prefix` trials proposes trial `prefix` as the long-lived one did (whatever it cached).
inline void check_pure_function_of_history(const std::function<std::unique_ptr<sampler>()>& make,
                                           const quality::problem& p, std::uint64_t seed, std::size_t trials,
                                           std::size_t prefix) {
  auto a = make(), b = make();
  const auto run_a = quality::run(*a, p, seed, trials);
  const auto run_b = quality::run(*b, p, seed, trials);
  REQUIRE(run_a.size() == trials);
  for (std::size_t i = 0; i < run_a.size(); ++i) CHECK(run_a[i].params == run_b[i].params);
  auto fresh = make();
  const std::span<const trial_record> history(run_a.data(), prefix);
  const auto again = fresh->sample(study_view{p.space, history, direction::minimize, seed}, prefix);
  REQUIRE(again);
  CHECK(*again == run_a[prefix].params);
}

// Runs `n` proposals of `s` on `p`, each checked against the space, ending trial k as
// `finish(record, k)` says (complete, pruned, failed, running ...), and returns the history.
inline std::vector<trial_record> run_mixed_history(sampler& s, const quality::problem& p, std::uint64_t seed,
                                                   std::uint64_t n,
                                                   const std::function<void(trial_record&, std::uint64_t)>& finish) {
  std::vector<trial_record> trials;
  for (std::uint64_t k = 0; k < n; ++k) {
    const auto a = s.sample(study_view{p.space, trials, direction::minimize, seed}, k);
    REQUIRE(a);
    REQUIRE_NOTHROW(p.space.validate(*a));
    trial_record t;
    t.number = k;
    t.params = *a;
    finish(t, k);
    trials.push_back(std::move(t));
  }
  return trials;
}

}  // namespace typetune::testing

namespace typetune::testing {

// A learning rate in [1e-5, 1] (log) and x in [0, 1]: the value falls as the rate grows, and
// above 1e-2 the objective diverges, so the best trials sit at the edge of the region that
// diverges. A log-uniform draw lands there 2 times in 5.
inline quality::problem diverging_problem() {
  quality::problem p;
  p.name = "diverging";
  param_desc lr;
  lr.path = lr.name = "lr";
  lr.kind = param_kind::real;
  lr.low = 1e-5;
  lr.high = 1;
  lr.log = true;
  param_desc x;
  x.path = x.name = "x";
  x.kind = param_kind::real;
  x.low = 0;
  x.high = 1;
  p.space.params = {lr, x};
  p.truth = [](const assignment& a) {
    const double l = std::get<double>(a.values[0]), v = std::get<double>(a.values[1]);
    return l > 1e-2 ? NAN : -std::log10(l) + (v - 0.3) * (v - 0.3);
  };
  return p;
}

// How many of n trials of `s` on the diverging problem diverged.
inline std::size_t diverged_count(sampler& s, std::uint64_t seed, std::uint64_t n) {
  const auto p = diverging_problem();
  const auto trials = run_mixed_history(s, p, seed, n, [&p](trial_record& t, std::uint64_t) {
    const double v = p.truth(t.params);
    t.state = std::isnan(v) ? trial_state::diverged : trial_state::complete;
    if (!std::isnan(v)) t.value = v;
  });
  std::size_t count = 0;
  for (const auto& t : trials) count += t.state == trial_state::diverged;
  return count;
}

// Two integers x in [1, 7] and y in [1, 8]: 56 configurations, a bowl with its bottom at (4, 5).
inline quality::problem small_grid_problem() {
  quality::problem p;
  p.name = "grid56";
  param_desc x;
  x.path = x.name = "x";
  x.kind = param_kind::integer;
  x.type = value_type::integer;
  x.low = 1;
  x.high = 7;
  x.step = 1;
  param_desc y = x;
  y.path = y.name = "y";
  y.high = 8;
  p.space.params = {x, y};
  p.truth = [](const assignment& a) {
    const double u = static_cast<double>(std::get<std::int64_t>(a.values[0])) - 4;
    const double v = static_cast<double>(std::get<std::int64_t>(a.values[1])) - 5;
    return u * u + v * v;
  };
  return p;
}

inline std::size_t distinct_configurations(const std::vector<trial_record>& trials) {
  std::vector<assignment> seen;
  for (const auto& t : trials)
    if (std::find(seen.begin(), seen.end(), t.params) == seen.end()) seen.push_back(t.params);
  return seen.size();
}

// Proposals for trials n .. n + k - 1 when each earlier one is still running (parallel workers
// asking one after another), after `history` complete trials.
inline std::vector<assignment> proposals_while_running(sampler& s, const quality::problem& p,
                                                       std::vector<trial_record> history, std::size_t k,
                                                       std::uint64_t seed) {
  std::vector<assignment> out;
  for (std::size_t i = 0; i < k; ++i) {
    const auto number = static_cast<std::uint64_t>(history.size());
    auto a = s.sample(study_view{p.space, history, direction::minimize, seed}, number);
    REQUIRE(a);
    REQUIRE_NOTHROW(p.space.validate(*a));
    out.push_back(*a);
    trial_record t;
    t.number = number;
    t.state = trial_state::running;
    t.params = *a;
    history.push_back(std::move(t));
  }
  return out;
}

}  // namespace typetune::testing
