// Maximising the acquisition over a space with numeric and categorical parameters (as Optuna's
// optuna/_gp/optim_mixed.py): random candidates, scored together; the best few then refined by
// L-BFGS-B over their numeric coordinates, the structure (branches, counts, categoricals) held.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "engine/gp/gaussian_process.hpp"
#include "engine/gp/search_space.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune::detail::gp {

// A point in internal coordinates and its log EI.
struct scored_point {
  std::vector<double> internal;
  double log_ei = 0;
};

// n candidates in internal coordinates, stored one after another (s.size() each): the first
// half uniform over the space, the rest neighbours of the best observations (the five lowest
// of `values`, in turn) among `observed`, stored the same way.
[[nodiscard]] std::vector<double> generate_candidates(const encoded_space& s, std::span<const double> observed,
                                                      const Eigen::Ref<const Eigen::VectorXd>& values, std::size_t n,
                                                      random_stream& rng);

// Indices of the scores, highest first (ties in index order).
[[nodiscard]] std::vector<std::size_t> rank_by_score(const Eigen::VectorXd& score);

// The candidate at `start` after L-BFGS-B on -log EI over the unit coordinates of its active
// plain numeric parameters, grids snapped to their values, with its log EI there; nullopt when
// it has no such parameter or the search fails.
[[nodiscard]] std::optional<scored_point> refine(const posterior& post, const encoded_space& s, const double* start);

}  // namespace typetune::detail::gp
