// Checks every model-based sampler must pass, shared by the TPE and GP tests.
#pragma once

#include <catch2/catch.hpp>

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
