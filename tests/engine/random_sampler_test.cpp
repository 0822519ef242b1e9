// Random and Sobol sampling: conditions, log scales, steps, sampling without replacement on
// finite spaces, and the stratification that scrambling must preserve.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>
#include <string>

#include "engine/detail/param_mapping.hpp"
#include "support/spaces.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/sobol_sampler.hpp"

using namespace typetune;

namespace {

study_view view_of(const space_desc& space, std::uint64_t seed = 5) {
  return {space, {}, direction::minimize, seed};
}

}  // namespace

TEST_CASE("random and Sobol draw only active parameters, with legal values") {
  const auto space = testing::mlp_space(false);
  for (auto make : {make_random_sampler, make_sobol_sampler}) {
    auto s = make();
    std::map<std::string, int> active;
    for (std::uint64_t n = 0; n < 400; ++n) {
      const auto a = s->sample(view_of(space), n);
      REQUIRE(a);
      REQUIRE_NOTHROW(space.validate(*a));  // exactly the active parameters hold values
      const auto optimizer = std::get<std::int64_t>(a->values[6]);
      CHECK(a->is_active(7) == (optimizer == 0));
      CHECK(a->is_active(9) == (optimizer == 1));
      const auto count = std::get<std::int64_t>(a->values[1]);
      CHECK(a->is_active(4) == (count == 2));
      for (std::size_t i = 0; i < space.size(); ++i) active[space.params[i].path] += a->is_active(i);
    }
    INFO(s->name());
    // Every branch and count is reached: both sides of the conditions got exercised.
    CHECK(active["optimizer.sgd.momentum"] > 100);
    CHECK(active["optimizer.sgd.momentum"] < 300);
    CHECK(active["hidden[1].units"] > 100);
    CHECK(active["hidden[1].units"] < 300);
  }
}

TEST_CASE("log scales and steps are respected") {
  const auto space = testing::mlp_space(false);
  auto s = make_random_sampler();
  int below_geometric_middle = 0;
  std::set<std::int64_t> dense;
  int adam = 0;
  for (std::uint64_t n = 0; n < 2000; ++n) {
    const auto a = *s->sample(view_of(space), n);
    dense.insert(std::get<std::int64_t>(a.values[0]));
    if (a.is_active(7)) {
      const double lr = std::get<double>(a.values[7]);
      REQUIRE(lr >= 1e-4);
      REQUIRE(lr <= 1e-1);
      below_geometric_middle += lr < std::sqrt(1e-4 * 1e-1);
      ++adam;
    }
  }
  // Log-uniform puts half the mass below 10^-2.5; a linear scale would put 3 %.
  CHECK(static_cast<double>(below_geometric_middle) / adam == Approx(0.5).margin(0.06));
  CHECK(dense == std::set<std::int64_t>{50, 100, 150, 200, 250, 300, 350});

  // A log-scale integer: each value weighs its log-width, so half the draws fall below 45.
  const auto nested = testing::nested_space();
  int small_batches = 0;
  for (int i = 0; i < 4000; ++i) {
    const auto v = detail::value_from_unit(nested.params[0], (i + 0.5) / 4000);
    REQUIRE(nested.params[0].admits(v));
    small_batches += std::get<std::int64_t>(v) < 45;
  }
  CHECK(small_batches / 4000.0 == Approx(0.5).margin(0.03));
  // A stepped real only takes its grid points.
  for (int i = 0; i < 100; ++i) {
    const auto v = std::get<double>(detail::value_from_unit(nested.params[5], i / 100.0));
    CHECK((v == Approx(0.1) || v == Approx(0.4) || v == Approx(0.7) || v == Approx(1.0)));
  }
}

TEST_CASE("random search on a finite space samples without replacement and stops at its size") {
  const auto space = testing::nested_space();
  auto s = make_random_sampler();
  std::set<std::string> seen;
  std::uint64_t n = 0;
  while (const auto a = s->sample(view_of(space), n)) {
    space.validate(*a);
    seen.insert(space.format(*a));
    ++n;
  }
  CHECK(n == 1017);
  CHECK(seen.size() == 1017);
  // The order is shuffled (not the grid order) and depends on the seed.
  auto other = make_random_sampler();
  int same = 0;
  for (std::uint64_t i = 0; i < 50; ++i) {
    same += *s->sample(view_of(space, 5), i) == *other->sample(view_of(space, 6), i);
  }
  CHECK(same < 5);
}

TEST_CASE("samplers are pure functions of (seed, trial number)") {
  const auto space = testing::mlp_space(false);
  for (auto make : {make_random_sampler, make_sobol_sampler}) {
    auto a = make();
    auto b = make();
    // b is asked in the opposite order: the answer for a number must not change.
    std::vector<assignment> forward, backward(30);
    for (std::uint64_t n = 0; n < 30; ++n) forward.push_back(*a->sample(view_of(space), n));
    for (std::uint64_t n = 30; n-- > 0;) backward[n] = *b->sample(view_of(space), n);
    CHECK(forward == backward);
    CHECK(*a->sample(view_of(space), 17) == *b->sample(view_of(space), 17));
    CHECK(*b->sample(view_of(space), 3) == *a->sample(view_of(space), 3));
    CHECK_FALSE(*a->sample(view_of(space, 1), 3) == *a->sample(view_of(space, 2), 3));
  }
}

TEST_CASE("scrambled Sobol points keep their stratification") {
  space_desc space;
  space.params.push_back(testing::real_param("x", "x", 0, 1));
  space.params.push_back(testing::real_param("y", "y", 0, 1));
  for (const std::uint64_t seed : {1u, 2u}) {
    auto s = make_sobol_sampler();
    std::array<int, 16> x_strata{}, y_strata{};
    std::array<int, 16> grid{};  // 4 x 4 cells of the unit square
    for (std::uint64_t n = 0; n < 256; ++n) {
      const auto a = *s->sample(view_of(space, seed), n);
      const double x = std::get<double>(a.values[0]), y = std::get<double>(a.values[1]);
      ++x_strata[static_cast<std::size_t>(x * 16)];
      ++y_strata[static_cast<std::size_t>(y * 16)];
      ++grid[static_cast<std::size_t>(x * 4) * 4 + static_cast<std::size_t>(y * 4)];
    }
    // Boost skips the origin, so one point moves: counts are 16 +- 1 (random points would
    // spread with a standard deviation of about 4).
    for (const auto c : x_strata) CHECK(std::abs(c - 16) <= 1);
    for (const auto c : y_strata) CHECK(std::abs(c - 16) <= 1);
    for (const auto c : grid) CHECK(std::abs(c - 16) <= 1);
  }
  auto a = make_sobol_sampler();
  CHECK_FALSE(*a->sample(view_of(space, 1), 0) == *a->sample(view_of(space, 2), 0));
}
