// Pareto dominance over objective vectors (losses: lower is better in every coordinate), the
// non-dominated sort, crowding distance and hypervolume: what the multi-objective samplers, the
// study's Pareto front, the command line and the report share.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "typetune/desc/objectives.hpp"
#include "typetune/desc/trial.hpp"

namespace typetune {

// `points` holds n points of m coordinates each, row by row (n * m doubles).

// Whether a dominates b: no worse in every coordinate and better in one.
[[nodiscard]] bool dominates(std::span<const double> a, std::span<const double> b) noexcept;

// Deb's constrained domination: a feasible point (violation 0) dominates an infeasible one; of
// two infeasible points the one with the smaller violation dominates; two feasible points
// compare by dominates().
[[nodiscard]] bool constrained_dominates(std::span<const double> a, double violation_a, std::span<const double> b,
                                         double violation_b) noexcept;

// The non-domination rank of each point (0: the first front, not dominated by any other), by
// constrained domination when `violations` is not empty (one per point). O(n log n) for m = 2,
// O(m n^2) otherwise.
[[nodiscard]] std::vector<std::size_t> nondominated_ranks(std::span<const double> points, std::size_t m,
                                                          std::span<const double> violations = {});

// NSGA-II's crowding distance of each point among `members` (indices into points, one front):
// infinite for the extremes of any coordinate.
[[nodiscard]] std::vector<double> crowding_distance(std::span<const double> points, std::size_t m,
                                                    std::span<const std::size_t> members);

// The hypervolume dominated by the points and bounded by `reference` (m coordinates): points
// not strictly better than the reference in every coordinate add nothing. Exact; O(n log n) for
// m = 2, slicing for m = 3 and more (fine for the few hundred points of a front).
[[nodiscard]] double hypervolume(std::span<const double> points, std::size_t m, std::span<const double> reference);

// The numbers of the trials on the Pareto front: complete trials with every objective value,
// feasible, and not dominated by another such trial (of two with equal values both stay),
// ordered by number.
[[nodiscard]] std::vector<std::uint64_t> pareto_front(trial_span trials, const objective_set& goals);

}  // namespace typetune
