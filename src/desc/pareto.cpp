// Pareto dominance, the non-dominated sort, crowding distance and hypervolume (see
// typetune/desc/pareto.hpp).
#include "typetune/desc/pareto.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace typetune {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// A violation of 0 or less is feasible; NaN counts as infinitely far from feasible.
bool feasible(double violation) noexcept { return violation <= 0; }
double violation_key(double violation) noexcept {
  if (std::isnan(violation)) return inf;
  return violation;
}

// The number of points, after checking that `points` holds whole rows of m coordinates.
std::size_t count_points(std::span<const double> points, std::size_t m, const char* call) {
  if (m == 0)
    throw std::invalid_argument(std::string("typetune: ") + call + ": m must be at least 1 (coordinates per point)");
  if (points.size() % m != 0) {
    throw std::invalid_argument(std::string("typetune: ") + call + ": points holds " + std::to_string(points.size()) +
                                " values, not a multiple of m = " + std::to_string(m) +
                                " (n points of m coordinates, row by row)");
  }
  return points.size() / m;
}

void check_no_nan(std::span<const double> points, const char* call) {
  if (std::any_of(points.begin(), points.end(), [](double x) { return std::isnan(x); }))
    throw std::invalid_argument(std::string("typetune: ") + call + ": a coordinate is NaN; points must be comparable");
}

std::span<const double> row(std::span<const double> points, std::size_t m, std::size_t i) {
  return points.subspan(i * m, m);
}

// The three sorts below rank the points listed in `subset` (indices into points) among
// themselves, write each one's rank to ranks[index] and return the number of fronts.

// m = 1: the rank is the number of distinct smaller values.
std::size_t ranks_one(std::span<const double> points, std::span<const std::size_t> subset,
                      std::vector<std::size_t>& ranks) {
  std::vector<std::size_t> order(subset.begin(), subset.end());
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return points[a] < points[b]; });
  std::size_t rank = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k > 0 && points[order[k]] != points[order[k - 1]]) ++rank;
    ranks[order[k]] = rank;
  }
  return order.empty() ? 0 : rank + 1;
}

// m = 2: in lexicographic order every dominator of a point comes before it. Within a front the
// points so far have non-increasing f2, so the front's last point is the one that could dominate
// the next; whether front k dominates a point is monotone in k (a dominator in front k + 1 is
// itself dominated by a point of front k), so the point's front is found by binary search.
std::size_t ranks_two(std::span<const double> points, std::span<const std::size_t> subset,
                      std::vector<std::size_t>& ranks) {
  std::vector<std::size_t> order(subset.begin(), subset.end());
  const auto f1 = [&](std::size_t i) { return points[2 * i]; };
  const auto f2 = [&](std::size_t i) { return points[2 * i + 1]; };
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return f1(a) != f1(b) ? f1(a) < f1(b) : f2(a) < f2(b); });
  std::vector<std::size_t> last;  // per front: its most recently added point
  for (const auto i : order) {
    const auto it = std::partition_point(
        last.begin(), last.end(), [&](std::size_t q) { return f2(q) < f2(i) || (f2(q) == f2(i) && f1(q) < f1(i)); });
    const auto rank = static_cast<std::size_t>(it - last.begin());
    if (it == last.end()) {
      last.push_back(i);
    } else {
      *it = i;
    }
    ranks[i] = rank;
  }
  return last.size();
}

// m > 2: Deb's fast non-dominated sort, O(m n^2).
std::size_t ranks_many(std::span<const double> points, std::size_t m, std::span<const std::size_t> subset,
                       std::vector<std::size_t>& ranks) {
  const std::size_t n = subset.size();
  std::vector<std::vector<std::uint32_t>> dominated(n);  // by position in subset
  std::vector<std::size_t> dominators(n, 0);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      const auto pa = row(points, m, subset[a]), pb = row(points, m, subset[b]);
      if (dominates(pa, pb)) {
        dominated[a].push_back(static_cast<std::uint32_t>(b));
        ++dominators[b];
      } else if (dominates(pb, pa)) {
        dominated[b].push_back(static_cast<std::uint32_t>(a));
        ++dominators[a];
      }
    }
  }
  std::vector<std::size_t> front, next;
  for (std::size_t a = 0; a < n; ++a)
    if (dominators[a] == 0) front.push_back(a);
  std::size_t rank = 0;
  for (; !front.empty(); ++rank) {
    next.clear();
    for (const auto a : front) {
      ranks[subset[a]] = rank;
      for (const auto b : dominated[a])
        if (--dominators[b] == 0) next.push_back(b);
    }
    front.swap(next);
  }
  return rank;
}

std::size_t ranks_of(std::span<const double> points, std::size_t m, std::span<const std::size_t> subset,
                     std::vector<std::size_t>& ranks) {
  if (m == 1) return ranks_one(points, subset, ranks);
  if (m == 2) return ranks_two(points, subset, ranks);
  return ranks_many(points, m, subset, ranks);
}

// ---- hypervolume ----

// The hypervolume of `rows` (pointers to points, each strictly better than the reference in the
// first d coordinates) in the first d coordinates. d = 2: a sweep in f1 order over horizontal
// slabs. d >= 3: slices along coordinate d - 1 (HSO): the points are added in increasing order of
// that coordinate, and each slab between two consecutive values holds the (d - 1)-dimensional
// hypervolume of the points added so far, kept free of points weakly dominated in those d - 1
// coordinates.
double hypervolume_of(std::vector<const double*> rows, std::size_t d, const double* reference) {
  if (rows.empty()) return 0;
  if (d == 1) {
    double best = reference[0];
    for (const auto* p : rows) best = std::min(best, p[0]);
    return reference[0] - best;
  }
  if (d == 2) {
    std::sort(rows.begin(), rows.end(),
              [](const double* a, const double* b) { return a[0] != b[0] ? a[0] < b[0] : a[1] < b[1]; });
    double volume = 0, ceiling = reference[1];
    for (const auto* p : rows) {
      if (p[1] >= ceiling) continue;
      volume += (reference[0] - p[0]) * (ceiling - p[1]);
      ceiling = p[1];
    }
    return volume;
  }
  const std::size_t z = d - 1;
  std::sort(rows.begin(), rows.end(), [z](const double* a, const double* b) { return a[z] < b[z]; });
  const auto weakly_dominates = [z](const double* a, const double* b) {
    for (std::size_t j = 0; j < z; ++j)
      if (a[j] > b[j]) return false;
    return true;
  };
  std::vector<const double*> slice;
  double volume = 0;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const double* p = rows[k];
    if (std::none_of(slice.begin(), slice.end(), [&](const double* q) { return weakly_dominates(q, p); })) {
      std::erase_if(slice, [&](const double* q) { return weakly_dominates(p, q); });
      slice.push_back(p);
    }
    const double top = k + 1 < rows.size() ? rows[k + 1][z] : reference[z];
    if (top > p[z]) volume += hypervolume_of(slice, z, reference) * (top - p[z]);
  }
  return volume;
}

}  // namespace

bool dominates(std::span<const double> a, std::span<const double> b) noexcept {
  const std::size_t m = std::min(a.size(), b.size());
  bool better = false;
  for (std::size_t j = 0; j < m; ++j) {
    if (a[j] > b[j]) return false;
    if (a[j] < b[j]) better = true;
  }
  return better;
}

bool constrained_dominates(std::span<const double> a, double violation_a, std::span<const double> b,
                           double violation_b) noexcept {
  const bool fa = feasible(violation_a), fb = feasible(violation_b);
  if (fa && fb) return dominates(a, b);
  if (fa != fb) return fa;
  return violation_key(violation_a) < violation_key(violation_b);
}

// With violations, Deb's constrained domination is sorted exactly in two parts: the feasible
// points (violation 0 or less) among themselves by dominates(), and after all of their fronts
// the infeasible ones, whose only dominators are the feasible points and the infeasible points of
// smaller violation. Each distinct violation is one front of its own, ascending (NaN last, as an
// infinite violation), whatever the objective values.
std::vector<std::size_t> nondominated_ranks(std::span<const double> points, std::size_t m,
                                            std::span<const double> violations) {
  const std::size_t n = count_points(points, m, "nondominated_ranks");
  check_no_nan(points, "nondominated_ranks");
  if (!violations.empty() && violations.size() != n) {
    throw std::invalid_argument("typetune: nondominated_ranks: violations holds " + std::to_string(violations.size()) +
                                " values for " + std::to_string(n) + " points (one per point, or none)");
  }
  std::vector<std::size_t> ranks(n, 0);
  std::vector<std::size_t> feasible_points, infeasible_points;
  for (std::size_t i = 0; i < n; ++i)
    (violations.empty() || feasible(violations[i]) ? feasible_points : infeasible_points).push_back(i);
  const std::size_t fronts = ranks_of(points, m, feasible_points, ranks);
  std::sort(infeasible_points.begin(), infeasible_points.end(),
            [&](std::size_t a, std::size_t b) { return violation_key(violations[a]) < violation_key(violations[b]); });
  std::size_t rank = fronts;
  for (std::size_t k = 0; k < infeasible_points.size(); ++k) {
    const auto i = infeasible_points[k];
    if (k > 0 && violation_key(violations[i]) != violation_key(violations[infeasible_points[k - 1]])) ++rank;
    ranks[i] = rank;
  }
  return ranks;
}

// Per coordinate the members are sorted by value (ties by their position in `members`); the first
// and the last are the extremes and get infinity, each other member adds the gap between its two
// neighbours divided by the coordinate's range. A coordinate whose range is 0 (or not finite)
// adds nothing, not even the infinities.
std::vector<double> crowding_distance(std::span<const double> points, std::size_t m,
                                      std::span<const std::size_t> members) {
  const std::size_t n = count_points(points, m, "crowding_distance");
  for (const auto i : members) {
    if (i >= n) {
      throw std::invalid_argument("typetune: crowding_distance: member " + std::to_string(i) +
                                  " is not a point (there are " + std::to_string(n) + ")");
    }
  }
  const std::size_t k = members.size();
  std::vector<double> distance(k, 0.0);
  if (k == 0) return distance;
  std::vector<std::size_t> order(k);
  for (std::size_t j = 0; j < m; ++j) {
    const auto value = [&](std::size_t pos) { return points[members[pos] * m + j]; };
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
    const double range = value(order.back()) - value(order.front());
    if (!(range > 0) || !std::isfinite(range)) continue;
    distance[order.front()] = inf;
    distance[order.back()] = inf;
    for (std::size_t r = 1; r + 1 < k; ++r) distance[order[r]] += (value(order[r + 1]) - value(order[r - 1])) / range;
  }
  return distance;
}

double hypervolume(std::span<const double> points, std::size_t m, std::span<const double> reference) {
  const std::size_t n = count_points(points, m, "hypervolume");
  if (reference.size() != m) {
    throw std::invalid_argument("typetune: hypervolume: the reference has " + std::to_string(reference.size()) +
                                " coordinates but the points have m = " + std::to_string(m));
  }
  check_no_nan(points, "hypervolume");
  // Only points strictly better than the reference everywhere bound any volume.
  std::vector<double> inside;
  for (std::size_t i = 0; i < n; ++i) {
    const auto p = row(points, m, i);
    bool strictly = true;
    for (std::size_t j = 0; j < m && strictly; ++j) strictly = p[j] < reference[j];
    if (strictly) inside.insert(inside.end(), p.begin(), p.end());
  }
  if (inside.empty()) return 0;
  std::vector<const double*> rows;
  if (m >= 3) {
    // Dominated points add nothing; dropping them first keeps the slices small.
    const auto ranks = nondominated_ranks(inside, m);
    for (std::size_t i = 0; i < ranks.size(); ++i)
      if (ranks[i] == 0) rows.push_back(inside.data() + i * m);
  } else {
    for (std::size_t i = 0; i < inside.size() / m; ++i) rows.push_back(inside.data() + i * m);
  }
  return hypervolume_of(std::move(rows), m, reference.data());
}

std::vector<std::uint64_t> pareto_front(trial_span trials, const objective_set& goals) {
  const std::size_t m = goals.size();
  if (m == 0) throw std::invalid_argument("typetune: pareto_front: the objective_set has no objectives");
  std::vector<double> points, row_values(m);
  std::vector<std::uint64_t> numbers;
  for (const auto& t : trials) {
    if (!goals.losses(t, row_values) || !goals.feasible(t)) continue;
    points.insert(points.end(), row_values.begin(), row_values.end());
    numbers.push_back(t.number);
  }
  const auto ranks = nondominated_ranks(points, m);
  std::vector<std::uint64_t> front;
  for (std::size_t i = 0; i < numbers.size(); ++i)
    if (ranks[i] == 0) front.push_back(numbers[i]);
  std::sort(front.begin(), front.end());
  return front;
}

}  // namespace typetune
