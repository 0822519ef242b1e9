// Tests of the quality suite itself: the test functions have their published minima, the
// spaces are valid descriptions, and the runner scores noisy problems by their true value.
#include <catch2/catch.hpp>

#include "quality_suite.hpp"
#include "typetune/engine/random_sampler.hpp"

using namespace typetune;

TEST_CASE("quality functions have their known minima", "[quality]") {
  CHECK(quality::branin(-M_PI, 12.275) == Approx(0.397887).epsilon(1e-5));
  CHECK(quality::branin(M_PI, 2.275) == Approx(0.397887).epsilon(1e-5));
  CHECK(quality::hartmann6({0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573}) ==
        Approx(-3.32237).epsilon(1e-5));

  const auto p = quality::conditional_problem();
  assignment best;
  best.values.assign(p.space.size(), std::monostate{});
  best.values[0] = std::int64_t{0};  // adam
  best.values[1] = 1e-3;
  best.values[4] = std::int64_t{2};
  for (std::size_t item : {5u, 7u}) {
    best.values[item] = std::int64_t{128};
    best.values[item + 1] = std::int64_t{1};  // dropout 0.1
  }
  REQUIRE_NOTHROW(p.space.validate(best));
  CHECK(p.truth(best) == Approx(0.0).margin(1e-12));
  CHECK(p.space.grid_size() == std::nullopt);
}

TEST_CASE("the quality runner picks noisy trials by observation and scores them by truth", "[quality]") {
  const auto p = quality::noisy_hartmann6_problem();
  auto s = make_random_sampler();
  const auto trials = quality::run(*s, p, 1, 20);
  REQUIRE(trials.size() == 20);
  std::size_t best_observed = 0;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    REQUIRE_NOTHROW(p.space.validate(trials[i].params));
    if (*trials[i].value < *trials[best_observed].value) best_observed = i;
  }
  CHECK(quality::best_after(p, trials, 20) == p.truth(trials[best_observed].params));
  // The noise is real and reproducible from (seed, trial number).
  CHECK(*trials[0].value != p.truth(trials[0].params));
  auto again = make_random_sampler();
  CHECK(quality::run(*again, p, 1, 20)[7].value == trials[7].value);
}
