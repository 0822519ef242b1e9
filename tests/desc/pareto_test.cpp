// Pareto dominance, the non-dominated sort, crowding distance, hypervolume and the Pareto front of
// trial records, against brute-force references and hand-computed examples.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "typetune/desc/pareto.hpp"

namespace tt = typetune;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// Uniform integers and reals from the engine alone (its output is fixed by the standard; the
// distributions' is not).
struct draws {
  std::mt19937_64 engine;
  explicit draws(std::uint64_t seed) : engine(seed) {}
  std::uint64_t below(std::uint64_t n) { return engine() % n; }
  double unit() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }
};

// n points of m coordinates: small integers (ties and duplicates) or reals.
std::vector<double> random_points(draws& d, std::size_t n, std::size_t m, bool ties) {
  std::vector<double> out(n * m);
  for (auto& x : out) x = ties ? static_cast<double>(d.below(4)) : d.unit();
  return out;
}

// The reference ranking: peel off the points that no remaining point dominates, front by front.
template <class Dominates>
std::vector<std::size_t> peeled_ranks(std::size_t n, Dominates&& dominated_by) {
  std::vector<std::size_t> ranks(n, 0);
  std::vector<bool> done(n, false);
  std::size_t left = n;
  for (std::size_t rank = 0; left > 0; ++rank) {
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i]) continue;
      bool dominated = false;
      for (std::size_t j = 0; j < n && !dominated; ++j) dominated = !done[j] && j != i && dominated_by(j, i);
      if (!dominated) front.push_back(i);
    }
    REQUIRE(!front.empty());
    for (const auto i : front) {
      ranks[i] = rank;
      done[i] = true;
      --left;
    }
  }
  return ranks;
}

std::span<const double> row(const std::vector<double>& points, std::size_t m, std::size_t i) {
  return std::span<const double>(points).subspan(i * m, m);
}

// Inclusion-exclusion over every non-empty subset: exact for a handful of points.
double brute_hypervolume(const std::vector<double>& points, std::size_t m, const std::vector<double>& reference) {
  const std::size_t n = points.size() / m;
  double total = 0;
  for (std::uint64_t subset = 1; subset < (std::uint64_t{1} << n); ++subset) {
    double box = 1;
    int members = 0;
    for (std::size_t j = 0; j < m; ++j) {
      double corner = -inf;
      for (std::size_t i = 0; i < n; ++i)
        if (subset >> i & 1) corner = std::max(corner, points[i * m + j]);
      box *= std::max(0.0, reference[j] - corner);
    }
    for (std::size_t i = 0; i < n; ++i) members += static_cast<int>(subset >> i & 1);
    total += members % 2 == 1 ? box : -box;
  }
  return total;
}

tt::trial_record trial(std::uint64_t number, tt::trial_state state, std::optional<double> value,
                       std::map<std::string, double> metrics) {
  tt::trial_record t;
  t.number = number;
  t.state = state;
  t.value = value;
  t.metrics = std::move(metrics);
  return t;
}

}  // namespace

TEST_CASE("dominates needs no worse everywhere and better somewhere", "[pareto]") {
  const std::vector<double> a{1, 2}, b{1, 3}, c{2, 1}, same{1, 2};
  CHECK(tt::dominates(a, b));
  CHECK_FALSE(tt::dominates(b, a));
  CHECK_FALSE(tt::dominates(a, c));
  CHECK_FALSE(tt::dominates(c, a));
  CHECK_FALSE(tt::dominates(a, same));
}

TEST_CASE("constrained domination follows Deb's rule", "[pareto]") {
  const std::vector<double> good{0, 0}, bad{5, 5};
  CHECK(tt::constrained_dominates(bad, 0, good, 0.1));  // feasible beats infeasible
  CHECK_FALSE(tt::constrained_dominates(good, 0.1, bad, 0));
  CHECK(tt::constrained_dominates(bad, 0.2, good, 0.3));  // smaller violation wins
  CHECK_FALSE(tt::constrained_dominates(good, 0.3, bad, 0.2));
  CHECK_FALSE(tt::constrained_dominates(good, 0.3, bad, 0.3));
  CHECK(tt::constrained_dominates(good, 0, bad, 0));  // both feasible: by the objectives
  CHECK_FALSE(tt::constrained_dominates(bad, 0, good, 0));
}

TEST_CASE("nondominated ranks match a brute-force peeling on random point sets", "[pareto]") {
  draws d(7);
  for (const std::size_t m : {1u, 2u, 3u, 4u}) {
    for (const bool ties : {true, false}) {
      for (int round = 0; round < 20; ++round) {
        const std::size_t n = 1 + d.below(60);
        const auto points = random_points(d, n, m, ties);
        const auto expected = peeled_ranks(
            n, [&](std::size_t j, std::size_t i) { return tt::dominates(row(points, m, j), row(points, m, i)); });
        INFO("m = " << m << ", n = " << n << (ties ? ", integer coordinates" : ", real coordinates"));
        CHECK(tt::nondominated_ranks(points, m) == expected);
      }
    }
  }
}

TEST_CASE("duplicates share a rank and a dominated duplicate pair sits behind its dominator", "[pareto]") {
  const std::vector<double> points{1, 1, 1, 1, 0, 2, 2, 2, 2, 2, 0, 3};
  const std::vector<std::size_t> expected{0, 0, 0, 1, 1, 1};
  CHECK(tt::nondominated_ranks(points, 2) == expected);
}

TEST_CASE("constrained ranks match a brute-force peeling by constrained domination", "[pareto]") {
  draws d(11);
  const std::vector<double> levels{0, 0, 0, 0, 0.5, 1, 2, inf};
  for (const std::size_t m : {2u, 3u}) {
    for (int round = 0; round < 30; ++round) {
      const std::size_t n = 1 + d.below(50);
      const auto points = random_points(d, n, m, round % 2 == 0);
      std::vector<double> violations(n);
      for (auto& v : violations) v = levels[d.below(levels.size())];
      const auto expected = peeled_ranks(n, [&](std::size_t j, std::size_t i) {
        return tt::constrained_dominates(row(points, m, j), violations[j], row(points, m, i), violations[i]);
      });
      INFO("m = " << m << ", n = " << n);
      CHECK(tt::nondominated_ranks(points, m, violations) == expected);
    }
  }
}

TEST_CASE("constrained ranks put every feasible front before the infeasible points", "[pareto]") {
  // Feasible: (0, 1) and (1, 0) then (2, 2); infeasible by 0.5, 3 and 0.5 again.
  const std::vector<double> points{0, 1, 1, 0, 2, 2, -9, -9, -9, -9, 5, 5};
  const std::vector<double> violations{0, 0, 0, 0.5, 3, 0.5};
  const std::vector<std::size_t> expected{0, 0, 1, 2, 3, 2};
  CHECK(tt::nondominated_ranks(points, 2, violations) == expected);
}

TEST_CASE("crowding distance on hand-computed fronts", "[pareto]") {
  // f1 range 4, f2 range 5: (1, 3) gets (3 - 0) / 4 + (5 - 1) / 5 = 1.55, (3, 1) gets
  // (4 - 1) / 4 + (3 - 0) / 5 = 1.35; the extremes are infinite.
  const std::vector<double> points{3, 1, 0, 5, 4, 0, 1, 3};
  const std::vector<std::size_t> all{0, 1, 2, 3};
  const auto distance = tt::crowding_distance(points, 2, all);
  REQUIRE(distance.size() == 4);
  CHECK(distance[0] == Approx(1.35));
  CHECK(distance[1] == inf);
  CHECK(distance[2] == inf);
  CHECK(distance[3] == Approx(1.55));

  // A subset of the points, in the order given: the result follows `members`.
  const std::vector<std::size_t> some{3, 0, 1};
  const auto part = tt::crowding_distance(points, 2, some);
  // Among (1, 3), (3, 1), (0, 5): f1 range 3, f2 range 4; (1, 3) is in the middle of both.
  CHECK(part[0] == Approx((3.0 - 0.0) / 3 + (5.0 - 1.0) / 4));
  CHECK(part[1] == inf);
  CHECK(part[2] == inf);

  // A coordinate with a range of 0 adds nothing, not even infinities.
  const std::vector<double> flat{0, 1, 1, 1, 3, 1};
  const std::vector<std::size_t> three{0, 1, 2};
  const auto flat_distance = tt::crowding_distance(flat, 2, three);
  CHECK(flat_distance[0] == inf);
  CHECK(flat_distance[1] == Approx(1.0));
  CHECK(flat_distance[2] == inf);
  const std::vector<double> same{2, 2, 2, 2, 2, 2};
  CHECK(tt::crowding_distance(same, 2, three) == std::vector<double>{0, 0, 0});
  CHECK_THROWS_AS(tt::crowding_distance(points, 2, std::vector<std::size_t>{4}), std::invalid_argument);
}

TEST_CASE("hypervolume on hand-computed 2-D and 3-D examples", "[pareto]") {
  // The staircase (1, 3), (2, 2), (3, 1) under (4, 4): 3 + 2 + 1. The dominated (3, 3), the
  // outside (5, 0) and (4, 0.5), on the reference's boundary, add nothing.
  const std::vector<double> reference2{4, 4};
  CHECK(tt::hypervolume(std::vector<double>{1, 3, 2, 2, 3, 1}, 2, reference2) == Approx(6));
  CHECK(tt::hypervolume(std::vector<double>{1, 3, 3, 3, 2, 2, 5, 0, 3, 1, 4, 0.5}, 2, reference2) == Approx(6));
  CHECK(tt::hypervolume(std::vector<double>{}, 2, reference2) == 0);
  CHECK(tt::hypervolume(std::vector<double>{1.5, 2.5}, 1, std::vector<double>{4}) == Approx(2.5));

  CHECK(tt::hypervolume(std::vector<double>{0, 0, 0}, 3, std::vector<double>{1, 2, 3}) == Approx(6));
  // Boxes of 2 * 2 * 1 and 1 * 1 * 2 overlapping in the unit cube [1, 2]^3: 4 + 2 - 1.
  CHECK(tt::hypervolume(std::vector<double>{0, 0, 1, 1, 1, 0}, 3, std::vector<double>{2, 2, 2}) == Approx(5));
  // Plus a duplicate, a dominated point and one beyond the reference.
  CHECK(tt::hypervolume(std::vector<double>{0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1.5, 0, 0, 2}, 3,
                        std::vector<double>{2, 2, 2}) == Approx(5));
}

TEST_CASE("hypervolume matches inclusion-exclusion on small random sets", "[pareto]") {
  draws d(3);
  for (const std::size_t m : {2u, 3u, 4u}) {
    for (int round = 0; round < 40; ++round) {
      const std::size_t n = 1 + d.below(9);
      const auto points = random_points(d, n, m, round % 3 == 0);
      std::vector<double> reference(m);
      for (auto& r : reference) r = round % 3 == 0 ? 3.0 : 0.8 + 0.4 * d.unit();
      INFO("m = " << m << ", n = " << n);
      CHECK(tt::hypervolume(points, m, reference) == Approx(brute_hypervolume(points, m, reference)).margin(1e-12));
    }
  }
}

TEST_CASE("hypervolume of a 300-point 3-D front: each point's exclusive share", "[pareto]") {
  // Points on the simplex x + y + z = 1: all mutually non-dominated. Dropping one point loses its
  // exclusive volume, which must be positive, and adding a dominated point changes nothing.
  draws d(5);
  std::vector<double> points;
  for (int i = 0; i < 300; ++i) {
    const double a = d.unit(), b = d.unit();
    const double x = std::min(a, b), y = std::max(a, b) - x, z = 1 - std::max(a, b);
    points.insert(points.end(), {x, y, z});
  }
  const std::vector<double> reference{1.1, 1.1, 1.1};
  const double all = tt::hypervolume(points, 3, reference);
  CHECK(all > 0);
  CHECK(all < 1.1 * 1.1 * 1.1);
  auto without_first = std::vector<double>(points.begin() + 3, points.end());
  CHECK(tt::hypervolume(without_first, 3, reference) < all);
  auto with_dominated = points;
  with_dominated.insert(with_dominated.end(), {0.5, 0.5, 0.5});
  CHECK(tt::hypervolume(with_dominated, 3, reference) == Approx(all).epsilon(1e-12));
}

TEST_CASE("the Pareto functions refuse malformed input", "[pareto]") {
  const std::vector<double> five{1, 2, 3, 4, 5};
  CHECK_THROWS_AS(tt::nondominated_ranks(five, 2), std::invalid_argument);
  CHECK_THROWS_AS(tt::nondominated_ranks(five, 0), std::invalid_argument);
  CHECK_THROWS_AS(tt::nondominated_ranks(std::vector<double>{1, 2, 3, 4}, 2, std::vector<double>{0}),
                  std::invalid_argument);
  CHECK_THROWS_AS(tt::crowding_distance(five, 2, std::vector<std::size_t>{}), std::invalid_argument);
  CHECK_THROWS_AS(tt::hypervolume(five, 2, std::vector<double>{1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(tt::hypervolume(std::vector<double>{1, 2}, 2, std::vector<double>{1, 1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(tt::hypervolume(std::vector<double>{1, 2}, 0, std::vector<double>{}), std::invalid_argument);
  CHECK_THROWS_WITH(tt::nondominated_ranks(five, 2), Catch::Contains("not a multiple of m = 2"));
}

TEST_CASE("the Pareto front of trial records keeps complete feasible non-dominated trials", "[pareto]") {
  tt::objective_set goals;
  goals.objectives = {{"loss", tt::direction::minimize}, {"accuracy", tt::direction::maximize}};
  goals.constraints = {{"latency", 5}};
  using tt::trial_state;
  std::vector<tt::trial_record> trials{
      trial(0, trial_state::complete, 1.0, {{"accuracy", 0.8}, {"latency", 1}}),   // front
      trial(1, trial_state::complete, 2.0, {{"accuracy", 0.9}, {"latency", 1}}),   // front: higher accuracy
      trial(2, trial_state::complete, 2.0, {{"accuracy", 0.7}, {"latency", 1}}),   // dominated by 0
      trial(3, trial_state::failed, 0.1, {{"accuracy", 0.99}, {"latency", 1}}),    // failed
      trial(4, trial_state::complete, 0.1, {{"accuracy", 0.99}, {"latency", 9}}),  // infeasible
      trial(5, trial_state::complete, 0.1, {{"latency", 1}}),                      // no accuracy
      trial(6, trial_state::complete, 0.1, {{"accuracy", 0.99}}),                  // no latency
      trial(7, trial_state::complete, 1.0, {{"accuracy", 0.8}, {"latency", 5}}),   // equals 0, feasible at the bound
      trial(8, trial_state::running, std::nullopt, {}),
  };
  CHECK(tt::pareto_front(trials, goals) == std::vector<std::uint64_t>{0, 1, 7});

  // Maximising accuracy matters: minimising it, trial 2 would join the front and 1 would leave.
  goals.objectives[1].dir = tt::direction::minimize;
  CHECK(tt::pareto_front(trials, goals) == std::vector<std::uint64_t>{0, 2, 7});

  // The infeasible trial 4 would dominate everything without the constraint.
  goals.objectives[1].dir = tt::direction::maximize;
  goals.constraints.clear();
  CHECK(tt::pareto_front(trials, goals) == std::vector<std::uint64_t>{4, 6});

  CHECK(tt::pareto_front(std::vector<tt::trial_record>{}, goals).empty());
  CHECK_THROWS_AS(tt::pareto_front(trials, tt::objective_set{}), std::invalid_argument);
}
