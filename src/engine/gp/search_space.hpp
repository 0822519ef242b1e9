// The GP sampler's view of a space (the part of Optuna's optuna/_gp/search_space.py): the
// internal coordinates of model_space.hpp (NaN for an inactive parameter) mapped to the unit
// features the kernel reads, and random points of the space in internal coordinates.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "engine/model_space.hpp"
#include "typetune/desc/trial.hpp"
#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune::detail::gp {

// Where each parameter's coordinates sit in the feature vector, and which length scale each
// column has: one per parameter (a categorical's one-hot columns share theirs, as do the two
// columns of an arc), two for a parameter with an activity indicator.
struct feature_layout {
  std::vector<std::size_t> offset;      // first column of each parameter
  std::vector<std::size_t> width;       // 0 (fixed), 1 (numeric), 2 (arc, indicator) or the number of choices
  std::vector<bool> arc;                // numeric and conditional, embedded on an arc
  std::vector<bool> indicator;          // numeric and conditional, with an activity column
  std::vector<Eigen::Index> length_of;  // per column: its length-scale index
  std::size_t dims = 0;
  Eigen::Index n_lengths = 0;

  feature_layout(const space_desc& space, const std::vector<encoded_param>& enc, gp_conditional_embedding embedding);

  // Per-column values from per-length ones.
  [[nodiscard]] Eigen::VectorXd expand(const Eigen::VectorXd& per_length) const;
};

// A space as the process sees it: the description, its parameters' encodings and the feature
// layout. It refers to the description and the encodings, which outlive it.
struct encoded_space {
  const space_desc& desc;
  const std::vector<encoded_param>& params;
  feature_layout layout;

  [[nodiscard]] std::size_t size() const { return params.size(); }
};

// The arc of a conditional numeric parameter (after Swersky et al., "Raiders of the lost
// architecture", 2013): an active value u in [0, 1] at angle u pi on the unit circle, an
// inactive one at the centre. "Inactive" is then one point, at the same distance from every
// active value (half the distance between the two ends), and never mistaken for one of them.
inline constexpr double arc_angle = M_PI;

// Unit coordinate of a numeric internal value and back (grids by their transformed centres;
// back to the grid index whose cell holds the point).
[[nodiscard]] double unit_of(const encoded_param& e, double x);
[[nodiscard]] double internal_of_unit(const encoded_param& e, double u);

// The feature row (layout.dims columns) of a point in internal coordinates.
void write_features(const encoded_space& s, const double* internal, double* row);

// The feature rows of points stored one after another, s.size() internal coordinates each.
[[nodiscard]] Eigen::MatrixXd feature_rows(const encoded_space& s, std::span<const double> points);

// A trial's internal coordinates (NaN for its inactive parameters) into out[0, s.size()).
void internal_of(const encoded_space& s, const trial_record& t, double* out);

// The assignment of a point in internal coordinates: the nearest legal value of each active
// parameter, nothing for an inactive one.
[[nodiscard]] assignment assignment_of(const encoded_space& s, const double* internal);

// Whether parameter p is active given the internal coordinates of the parameters before it.
[[nodiscard]] bool is_active(const encoded_space& s, std::size_t p, const double* internal);

// A point drawn uniformly over the space (as random search draws), into out[0, s.size()).
void uniform_point(const encoded_space& s, random_stream& rng, double* out);

}  // namespace typetune::detail::gp
