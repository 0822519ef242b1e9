// Parzen estimators, the densities TPE fits to the good and to the bad trials (as Optuna's
// samplers/_tpe/parzen_estimator.py): a mixture with one kernel per observation and a wide prior
// kernel, over one parameter or, as a product kernel, over a group of parameters at once. Each is
// a value built from observations (model coordinates with their weights) and options, which can
// be drawn from and evaluated; the sampler (tpe_sampler.cpp) decides which observations and
// weights. Refitting an estimator reuses its memory, and buffers that live only during one call
// come in a parzen_scratch, so that fitting and evaluating allocate nothing once sizes settle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/model_space.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune::detail {

// What an estimator reads of tpe_options (see there).
struct parzen_options {
  double prior_weight = 1.0;
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
  bool kernel_log_sigma = false;
};

// One observation of one parameter: its model coordinate (see model_space.hpp) and its weight.
struct weighted_value {
  double value = 0;
  double weight = 1;
};

// Buffers an estimator uses while it is fitted or evaluated, passed in so that they are reused.
struct parzen_scratch {
  std::vector<double> terms;         // per kernel: log weight + log kernel density at a point
  std::vector<double> cdf;           // the normal cdf at each cell edge of a grid
  std::vector<std::uint8_t> needed;  // joint, grid dimension: the table rows some kernel uses
  std::vector<std::ptrdiff_t> slot;  // joint, all-discrete: the kernel of each cell; -1 between fits
  std::vector<std::size_t> touched;  // joint, all-discrete: the cells set by this fit
};

// The estimator of one parameter (not a fixed one), in its model coordinate. Continuous
// parameters: truncated normal kernels in the transformed space, with Optuna's univariate
// bandwidths. Grid parameters: the same kernels, as the exact mass they put on each value's cell.
// Categoricals: each observation a categorical distribution peaked at its value; the prior is
// uniform.
class parzen_estimator {
 public:
  parzen_estimator() = default;
  parzen_estimator(const encoded_param& e, std::span<const weighted_value> sorted,
                   std::span<const weighted_value> later, const parzen_options& o, parzen_scratch& s) {
    fit(e, sorted, later, o, s);
  }

  // Refits to the observations `sorted`, in increasing value order, and `later`, in any order
  // (the running trials). Kernels of equal value keep this order: sorted's, the prior's, then
  // later's, which decides their bandwidths. Weights are summed in the order given.
  // A categorical parameter fitted from its observations' summed weight per value (`mass`, one
  // entry per choice, summed in observation order), their total and their count: the same
  // estimator as fit() gives, for samplers that sum the weights while they split.
  void fit_categorical(std::span<const double> mass, double total_weight, std::size_t n, const parzen_options& o);

  void fit(const encoded_param& e, std::span<const weighted_value> sorted, std::span<const weighted_value> later,
           const parzen_options& o, parzen_scratch& s);

  // A draw: a kernel by weight, then a value from it (categorical and grid: an index).
  [[nodiscard]] double sample(random_stream& rng) const;
  // The log density (categorical and grid: log mass) at x.
  [[nodiscard]] double log_pdf(double x, parzen_scratch& s) const;

 private:
  void normalise_categorical(double total_weight, std::size_t n, const parzen_options& o);
  void fit_categorical(std::size_t n_choices, std::span<const weighted_value> sorted,
                       std::span<const weighted_value> later, const parzen_options& o);
  void fit_kernels(const encoded_param& e, std::span<const weighted_value> sorted,
                   std::span<const weighted_value> later, const parzen_options& o);
  void fit_bandwidths(const encoded_param& e, std::size_t prior_at, const parzen_options& o);
  void fit_grid_masses(const encoded_param& e, parzen_scratch& s);
  void fit_log_coefficients(const parzen_options& o);

  encoded_kind kind_ = encoded_kind::continuous;
  double lo_ = 0, hi_ = 1;
  // Kernels in value order, prior included: mean, bandwidth and normalised weight.
  std::vector<double> mu_, sigma_, weight_;
  // Continuous: log(weight) - log(normal mass in [lo, hi]) - log sqrt(2 pi) (- log sigma), and
  // 1 / sigma, per kernel.
  std::vector<double> log_coef_, inv_sigma_;
  // Categorical and grid: the mass of each value, and their sum (1 up to rounding).
  std::vector<double> pmf_;
  double pmf_total_ = 0;
};

// The estimator of a group of parameters active together: a product kernel per observation
// (truncated normal for continuous members, the cells' masses for grid ones, a smoothed peak for
// categorical ones) with Optuna's multivariate bandwidth, and a product prior kernel.
class joint_parzen_estimator {
 public:
  joint_parzen_estimator() = default;
  joint_parzen_estimator(std::span<const encoded_param> enc, std::span<const std::size_t> members,
                         std::span<const double> rows, std::span<const double> weights, const parzen_options& o,
                         parzen_scratch& s) {
    fit(enc, members, rows, weights, o, s);
  }

  // Refits over the parameters `members` (encoded as enc[members[j]], none fixed) to one
  // observation per entry of `weights`, its coordinates in `rows` (observation * d + member).
  // Weights are summed in the order given.
  void fit(std::span<const encoded_param> enc, std::span<const std::size_t> members, std::span<const double> rows,
           std::span<const double> weights, const parzen_options& o, parzen_scratch& s);

  // A draw into x (one coordinate per member): a kernel by weight, then each coordinate from it.
  void sample(random_stream& rng, std::span<double> x) const;
  // The log density at x (one coordinate per member).
  [[nodiscard]] double log_pdf(std::span<const double> x, parzen_scratch& s) const;

 private:
  struct dim {
    encoded_kind kind = encoded_kind::continuous;
    std::size_t count = 0;
    double lo = 0, hi = 1, sigma = 1;
    std::vector<double> log_norm;                        // continuous: per kernel
    std::vector<double> table;                           // grid: (count + 1) rows (last: prior) x count, log mass
    double log_match = 0, log_other = 0, smoothing = 0;  // categorical
  };

  void fit_kernels(std::span<const encoded_param> enc, std::span<const std::size_t> members,
                   std::span<const double> rows, std::span<const double> weights, const parzen_options& o,
                   parzen_scratch& s);
  void fit_dim(dim& out, const encoded_param& e, std::size_t j, std::size_t n, double shrink, const parzen_options& o,
               parzen_scratch& s);
  void fit_grid_table(dim& out, const encoded_param& e, std::size_t j, parzen_scratch& s) const;

  std::vector<double> weight_;  // normalised; prior last
  std::vector<double> log_weight_;
  std::vector<double> coords_;  // kernel * d + member (prior row: NaN)
  std::vector<dim> dims_;
};

}  // namespace typetune::detail
