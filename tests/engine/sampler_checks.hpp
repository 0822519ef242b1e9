// Checks every model-based sampler must pass, shared by the TPE and GP tests.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <span>

#include "engine/quality_suite.hpp"

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

}  // namespace typetune::testing
