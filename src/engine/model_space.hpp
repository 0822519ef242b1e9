// The numeric view of a space that the model-based samplers (TPE, GP) fit over: each parameter
// as a fixed value, a categorical index, a small grid or a continuous transformed coordinate.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <boost/math/special_functions/erf.hpp>

#include "typetune/engine/random_stream.hpp"
#include "typetune/desc/space_desc.hpp"

namespace typetune::detail {

// How a model sees one parameter. Finite numeric parameters with few values are modelled
// exactly on their grid; larger ones as continuous and rounded, since a table per value
// would cost more than it buys.
enum class encoded_kind : std::uint8_t { fixed, categorical, grid, continuous };

inline constexpr std::uint64_t max_grid_values = 64;

struct encoded_param {
  encoded_kind kind = encoded_kind::fixed;
  std::size_t count = 0;        // categorical and grid: number of values
  double lo = 0, hi = 1;        // transformed bounds (grid: outer cell edges)
  std::vector<double> centers;  // grid: transformed value of each index
  std::vector<double> edges;    // grid: count + 1 cell edges in the transformed space
};

inline double to_transformed(const param_desc& p, double v) { return p.log ? std::log(v) : v; }
inline double from_transformed(const param_desc& p, double t) { return p.log ? std::exp(t) : t; }

inline double as_double(const param_value& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return std::numeric_limits<double>::quiet_NaN();
}

inline encoded_param encode_param(const param_desc& p) {
  encoded_param e;
  const std::uint64_t card = p.cardinality();
  if (p.kind == param_kind::constant || card == 1) {
    e.kind = encoded_kind::fixed;
    e.count = 1;
    return e;
  }
  if (p.kind == param_kind::categorical) {
    e.kind = encoded_kind::categorical;
    e.count = card;
    return e;
  }
  if (card != 0 && card <= max_grid_values) {
    e.kind = encoded_kind::grid;
    e.count = card;
    e.centers.resize(card);
    for (std::uint64_t i = 0; i < card; ++i) e.centers[i] = to_transformed(p, as_double(p.value_at(i)));
    // Cell edges halfway between neighbours (± step/2 on a linear grid, geometric on a log one).
    e.edges.resize(card + 1);
    for (std::uint64_t i = 1; i < card; ++i) e.edges[i] = 0.5 * (e.centers[i - 1] + e.centers[i]);
    e.edges[0] = e.centers[0] - (e.edges[1] - e.centers[0]);
    e.edges[card] = e.centers[card - 1] + (e.centers[card - 1] - e.edges[card - 1]);
    e.lo = e.edges[0];
    e.hi = e.edges[card];
    return e;
  }
  e.kind = encoded_kind::continuous;
  if (card != 0) {  // a large grid: continuous over the cells, rounded when decoded
    const double half = 0.5 * p.step;
    e.lo = p.log ? std::log(std::max(p.low - half, 0.5 * p.low)) : p.low - half;
    const double top = as_double(p.value_at(card - 1));
    e.hi = p.log ? std::log(top + half) : top + half;
  } else {
    e.lo = to_transformed(p, p.low);
    e.hi = to_transformed(p, p.high);
  }
  return e;
}

inline std::vector<encoded_param> encode_space(const space_desc& s) {
  std::vector<encoded_param> out;
  out.reserve(s.size());
  for (const auto& p : s.params) out.push_back(encode_param(p));
  return out;
}

// The model's coordinate of an active value: categorical and grid give the index, continuous
// the transformed value.
inline double to_internal(const param_desc& p, const encoded_param& e, const param_value& v) {
  switch (e.kind) {
    case encoded_kind::fixed: return 0;
    case encoded_kind::categorical: return as_double(v);
    case encoded_kind::grid: {
      const double t = to_transformed(p, as_double(v));
      const auto it = std::upper_bound(e.edges.begin() + 1, e.edges.end() - 1, t);
      return static_cast<double>(it - (e.edges.begin() + 1));
    }
    case encoded_kind::continuous: return std::clamp(to_transformed(p, as_double(v)), e.lo, e.hi);
  }
  return 0;
}

// The legal value nearest to a model coordinate.
inline param_value from_internal(const param_desc& p, const encoded_param& e, double x) {
  switch (e.kind) {
    case encoded_kind::fixed: return p.value_at(0);
    case encoded_kind::categorical:
    case encoded_kind::grid: {
      const auto i = static_cast<std::int64_t>(std::llround(x));
      return p.value_at(static_cast<std::uint64_t>(std::clamp<std::int64_t>(i, 0, static_cast<std::int64_t>(e.count) - 1)));
    }
    case encoded_kind::continuous: {
      const double v = from_transformed(p, std::clamp(x, e.lo, e.hi));
      const std::uint64_t card = p.cardinality();
      if (card != 0) {
        const double k = std::round((v - p.low) / p.step);
        return p.value_at(static_cast<std::uint64_t>(std::clamp(k, 0.0, static_cast<double>(card - 1))));
      }
      return std::clamp(v, p.low, p.high);
    }
  }
  return {};
}

// A model coordinate drawn uniformly (log-uniformly for log parameters), as random search would.
inline double uniform_internal(const encoded_param& e, random_stream& rng) {
  switch (e.kind) {
    case encoded_kind::fixed: return 0;
    case encoded_kind::categorical:
    case encoded_kind::grid: return static_cast<double>(rng.below(e.count));
    case encoded_kind::continuous: return e.lo + (e.hi - e.lo) * rng.uniform01();
  }
  return 0;
}

// ---- normal distribution helpers, in log space where tails matter ----

inline constexpr double log_sqrt_2pi = 0.91893853320467274178;
inline constexpr double inv_sqrt2 = 0.70710678118654752440;

inline double normal_cdf(double z) { return 0.5 * std::erfc(-z * inv_sqrt2); }

// log(Phi(b) - Phi(a)) for a < b, accurate in both tails.
inline double log_normal_mass(double a, double b) {
  double mass;
  if (a > 0) mass = 0.5 * (std::erfc(a * inv_sqrt2) - std::erfc(b * inv_sqrt2));
  else if (b < 0) mass = 0.5 * (std::erfc(-b * inv_sqrt2) - std::erfc(-a * inv_sqrt2));
  else mass = 1.0 - 0.5 * (std::erfc(-a * inv_sqrt2) + std::erfc(b * inv_sqrt2));
  if (mass > 1e-300) return std::log(mass);
  // Both ends far in one tail: the density at the nearer end times the width is within a
  // factor that does not matter to a ratio of such tiny masses.
  const double near = a > 0 ? a : -b;
  return -0.5 * near * near - log_sqrt_2pi + std::log(std::max(b - a, 1e-300)) - std::log1p(near);
}

inline double normal_quantile(double p) {
  // Plain double precision: Boost's default promotes to long double, several times slower.
  using no_promotion = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
  p = std::clamp(p, 1e-300, 1.0 - 1e-16);
  return -1.4142135623730950488 * boost::math::erfc_inv(2.0 * p, no_promotion());
}

// A draw from N(mu, sigma) truncated to [lo, hi], by inverting the cdf on the side of the
// mean that keeps the cdf values away from 1 (where they would lose their digits).
inline double truncated_normal(double mu, double sigma, double lo, double hi, random_stream& rng) {
  double a = (lo - mu) / sigma, b = (hi - mu) / sigma;
  double sign = 1;
  if (a > 0) {
    sign = -1;
    std::swap(a, b);
    a = -a;
    b = -b;
  }
  const double pa = normal_cdf(a), pb = normal_cdf(b);
  const double z = normal_quantile(pa + (pb - pa) * rng.uniform01());
  return std::clamp(mu + sign * sigma * z, lo, hi);
}

// Terms more than 40 below the largest add less than n e^-40 relative: skipping their exp()
// is most of the speed of a wide mixture evaluated far from most of its kernels.
inline double log_sum_exp(const double* v, std::size_t n) {
  double m = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, v[i]);
  if (!std::isfinite(m)) return m;
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = v[i] - m;
    if (d > -40.0) s += std::exp(d);
  }
  return m + std::log(s);
}

}  // namespace typetune::detail
