// Parzen estimators of one parameter and of a group of parameters (see parzen_estimator.hpp).
#include "engine/parzen_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace typetune::detail {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// log of the mass in [lo, hi] of N(mu, sigma); 0 where both ends lie past 8.5 sigma.
double log_truncation(double lo, double hi, double mu, double sigma) {
  const double a = (lo - mu) / sigma, b = (hi - mu) / sigma;
  return (a < -8.5 && b > 8.5) ? 0.0 : log_normal_mass(a, b);
}

}  // namespace

// ---- one parameter ----

void parzen_estimator::fit(const encoded_param& e, std::span<const weighted_value> sorted,
                           std::span<const weighted_value> later, const parzen_options& o, parzen_scratch& s) {
  kind_ = e.kind;
  lo_ = e.lo;
  hi_ = e.hi;
  if (kind_ == encoded_kind::categorical) {
    fit_categorical(e.count, sorted, later, o);
    return;
  }
  fit_kernels(e, sorted, later, o);
  if (kind_ == encoded_kind::grid) fit_grid_masses(e, s);
  else fit_log_coefficients(o);
}

// Each observation is (1[x == value] + c) / (1 + C c) with c = prior_weight / (n + 1) over the C
// choices, and the prior is uniform; the mixture weighs them as the kernels are weighed.
void parzen_estimator::fit_categorical(std::size_t n_choices, std::span<const weighted_value> sorted,
                                       std::span<const weighted_value> later, const parzen_options& o) {
  pmf_.assign(n_choices, 0.0);
  double total_w = 0;
  for (auto part : {sorted, later})
    for (const auto& [v, w] : part) {
      pmf_[static_cast<std::size_t>(v)] += w;
      total_w += w;
    }
  normalise_categorical(total_w, sorted.size() + later.size(), o);
}

void parzen_estimator::fit_categorical(std::span<const double> mass, double total_weight, std::size_t n,
                                       const parzen_options& o) {
  kind_ = encoded_kind::categorical;
  pmf_.assign(mass.begin(), mass.end());
  normalise_categorical(total_weight, n, o);
}

void parzen_estimator::normalise_categorical(double total_w, std::size_t n, const parzen_options& o) {
  const std::size_t n_choices = pmf_.size();
  const double c = o.prior_weight / static_cast<double>(n + 1);
  const double denom = 1.0 + static_cast<double>(n_choices) * c;
  const double norm = total_w + o.prior_weight;
  for (auto& v : pmf_) v = ((v + c * total_w) / denom + o.prior_weight / static_cast<double>(n_choices)) / norm;
  pmf_total_ = 0;
  for (double v : pmf_) pmf_total_ += v;
}

// The kernels in value order, the prior among them, with normalised weights.
void parzen_estimator::fit_kernels(const encoded_param& e, std::span<const weighted_value> sorted,
                                   std::span<const weighted_value> later, const parzen_options& o) {
  mu_.clear();
  sigma_.clear();
  weight_.clear();
  const bool grid = e.kind == encoded_kind::grid;
  auto coordinate = [&](double v) { return grid ? e.centers[static_cast<std::size_t>(v)] : v; };
  const double prior_mu = 0.5 * (e.lo + e.hi);
  bool prior_placed = false;
  std::size_t prior_at = 0;
  double total = o.prior_weight;
  for (const auto& [value, w] : sorted) {
    const double v = coordinate(value);
    if (!prior_placed && prior_mu < v) {
      prior_at = mu_.size();
      mu_.push_back(prior_mu);
      weight_.push_back(o.prior_weight);
      prior_placed = true;
    }
    mu_.push_back(v);
    weight_.push_back(w);
    total += w;
  }
  if (!prior_placed) {
    prior_at = mu_.size();
    mu_.push_back(prior_mu);
    weight_.push_back(o.prior_weight);
  }
  for (const auto& [value, w] : later) {
    const double v = coordinate(value);
    const auto at = static_cast<std::size_t>(std::upper_bound(mu_.begin(), mu_.end(), v) - mu_.begin());
    mu_.insert(mu_.begin() + static_cast<std::ptrdiff_t>(at), v);
    weight_.insert(weight_.begin() + static_cast<std::ptrdiff_t>(at), w);
    if (at <= prior_at) ++prior_at;
    total += w;
  }
  fit_bandwidths(e, prior_at, o);
  for (auto& w : weight_) w /= total;
}

// Optuna's univariate bandwidths: the larger gap to a neighbour (the prior's mean and the
// range's ends included), clipped to [range / min(100, n + 1), range]; the prior's is the range.
void parzen_estimator::fit_bandwidths(const encoded_param& e, std::size_t prior_at, const parzen_options& o) {
  const double range = e.hi - e.lo;
  const std::size_t k = mu_.size();
  sigma_.resize(k);
  for (std::size_t i = 0; i < k; ++i) {
    const double left = mu_[i] - (i == 0 ? e.lo : mu_[i - 1]);
    const double right = (i + 1 == k ? e.hi : mu_[i + 1]) - mu_[i];
    sigma_[i] = std::max(left, right);
  }
  if (!o.consider_endpoints && k >= 2) {
    sigma_[0] = mu_[1] - mu_[0];
    sigma_[k - 1] = mu_[k - 1] - mu_[k - 2];
  }
  const double min_sigma = o.consider_magic_clip ? range / std::min(100.0, 1.0 + static_cast<double>(k))
                                                 : std::numeric_limits<double>::epsilon();
  for (auto& s : sigma_) s = std::clamp(s, min_sigma, range);
  sigma_[prior_at] = range;
}

// Grid parameters: the exact mass of each value's cell under the kernels, so that a draw from
// the masses is what drawing a kernel and rounding would give.
void parzen_estimator::fit_grid_masses(const encoded_param& e, parzen_scratch& s) {
  pmf_.assign(e.count, 0.0);
  s.cdf.resize(e.count + 1);
  // Observations of one value mostly share their bandwidth: merge equal kernels.
  std::size_t i = 0;
  while (i < mu_.size()) {
    double w = weight_[i];
    std::size_t j = i + 1;
    while (j < mu_.size() && mu_[j] == mu_[i] && sigma_[j] == sigma_[i]) w += weight_[j++];
    const double mu = mu_[i], sigma = sigma_[i];
    for (std::size_t c = 0; c <= e.count; ++c) s.cdf[c] = normal_cdf((e.edges[c] - mu) / sigma);
    const double z = s.cdf[e.count] - s.cdf[0];
    if (z > 0)
      for (std::size_t c = 0; c < e.count; ++c) pmf_[c] += w * (s.cdf[c + 1] - s.cdf[c]) / z;
    i = j;
  }
  pmf_total_ = 0;
  for (double v : pmf_) pmf_total_ += v;
}

void parzen_estimator::fit_log_coefficients(const parzen_options& o) {
  log_coef_.resize(mu_.size());
  inv_sigma_.resize(mu_.size());
  for (std::size_t k = 0; k < mu_.size(); ++k) {
    const double log_z = log_truncation(lo_, hi_, mu_[k], sigma_[k]);
    log_coef_[k] = std::log(weight_[k]) - (o.kernel_log_sigma ? std::log(sigma_[k]) : 0.0) - log_sqrt_2pi - log_z;
    inv_sigma_[k] = 1.0 / sigma_[k];
  }
}

double parzen_estimator::sample(random_stream& rng) const {
  if (kind_ != encoded_kind::continuous) {
    const std::size_t n = pmf_.size();
    double u = rng.uniform01() * pmf_total_;
    std::size_t k = 0;
    while (k + 1 < n && u >= pmf_[k]) u -= pmf_[k++];
    return static_cast<double>(k);
  }
  double u = rng.uniform01();
  std::size_t k = 0;
  while (k + 1 < weight_.size() && u >= weight_[k]) u -= weight_[k++];
  return truncated_normal(mu_[k], sigma_[k], lo_, hi_, rng);
}

double parzen_estimator::log_pdf(double x, parzen_scratch& s) const {
  if (kind_ != encoded_kind::continuous) return std::log(pmf_[static_cast<std::size_t>(x)]);
  s.terms.resize(mu_.size());
  for (std::size_t k = 0; k < mu_.size(); ++k) {
    const double z = (x - mu_[k]) * inv_sigma_[k];
    s.terms[k] = log_coef_[k] - 0.5 * z * z;
  }
  return log_sum_exp(s.terms.data(), s.terms.size());
}

// ---- a group of parameters ----

void joint_parzen_estimator::fit(std::span<const encoded_param> enc, std::span<const std::size_t> members,
                                 std::span<const double> rows, std::span<const double> weights, const parzen_options& o,
                                 parzen_scratch& s) {
  fit_kernels(enc, members, rows, weights, o, s);
  // Optuna's multivariate bandwidth: 0.2 n^(-1/(d+4)) of the range, then the magic clip.
  const std::size_t d = members.size(), n = weights.size();
  const double n_eff = static_cast<double>(std::max<std::size_t>(n, 1));
  const double shrink = 0.2 * std::pow(n_eff, -1.0 / (static_cast<double>(d) + 4.0));
  dims_.resize(d);
  for (std::size_t j = 0; j < d; ++j) fit_dim(dims_[j], enc[members[j]], j, n, shrink, o, s);
}

// One kernel per observation, the prior last, weights normalised. On an all-discrete group,
// observations at the same point are one kernel: summing their weights is exact and makes the
// density cheaper when TPE keeps revisiting good points.
void joint_parzen_estimator::fit_kernels(std::span<const encoded_param> enc, std::span<const std::size_t> members,
                                         std::span<const double> rows, std::span<const double> weights,
                                         const parzen_options& o, parzen_scratch& s) {
  const std::size_t d = members.size();
  // Every observation has every member active: a NaN coordinate would become an index below.
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (std::isnan(rows[i])) {
      throw std::invalid_argument("typetune: joint Parzen estimator: observation " + std::to_string(i / d) +
                                  " has no value for parameter " + std::to_string(members[i % d]) +
                                  " of its group (inactive)");
    }
  }
  weight_.clear();
  coords_.clear();
  std::size_t cells = 1;
  for (auto p : members) {
    const auto& e = enc[p];
    cells = (e.kind == encoded_kind::continuous || cells > 65536) ? 0 : cells * e.count;
    if (cells == 0) break;
  }
  const bool merge = cells != 0 && cells <= 65536;
  if (merge && s.slot.size() < cells) s.slot.resize(cells, -1);
  s.touched.clear();
  double total = o.prior_weight;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double w = weights[i];
    const double* row = rows.data() + i * d;
    total += w;
    if (merge) {
      std::size_t code = 0;
      for (std::size_t j = 0; j < d; ++j) code = code * enc[members[j]].count + static_cast<std::size_t>(row[j]);
      if (s.slot[code] >= 0) {
        weight_[static_cast<std::size_t>(s.slot[code])] += w;
        continue;
      }
      s.slot[code] = static_cast<std::ptrdiff_t>(weight_.size());
      s.touched.push_back(code);
    }
    weight_.push_back(w);
    coords_.insert(coords_.end(), row, row + d);
  }
  for (auto code : s.touched) s.slot[code] = -1;
  weight_.push_back(o.prior_weight);
  coords_.insert(coords_.end(), d, nan);
  const std::size_t n_comp = weight_.size();
  log_weight_.resize(n_comp);
  const double log_total = std::log(total);
  for (std::size_t k = 0; k < n_comp; ++k) {
    log_weight_[k] = weight_[k] == 1.0 ? -log_total : std::log(weight_[k]) - log_total;
    weight_[k] /= total;
  }
}

// Member j's bandwidth and the normalising terms its kernels need (n observations).
void joint_parzen_estimator::fit_dim(dim& out, const encoded_param& e, std::size_t j, std::size_t n, double shrink,
                                     const parzen_options& o, parzen_scratch& s) {
  const std::size_t d = dims_.size(), n_comp = weight_.size();
  out.kind = e.kind;
  out.count = e.count;
  out.lo = e.lo;
  out.hi = e.hi;
  const double range = e.hi - e.lo;
  const double min_sigma = o.consider_magic_clip ? range / std::min(100.0, 2.0 + static_cast<double>(n))
                                                 : std::numeric_limits<double>::epsilon();
  out.sigma = std::clamp(shrink * range, min_sigma, range);
  if (e.kind == encoded_kind::categorical) {
    const double c = o.prior_weight / static_cast<double>(n + 1);
    const double denom = 1.0 + static_cast<double>(e.count) * c;
    out.smoothing = c;
    out.log_match = std::log((1.0 + c) / denom);
    out.log_other = std::log(c / denom);
  } else if (e.kind == encoded_kind::grid) {
    fit_grid_table(out, e, j, s);
  } else {
    out.log_norm.resize(n_comp);
    for (std::size_t k = 0; k < n_comp; ++k) {
      const bool prior = k + 1 == n_comp;
      const double mu = prior ? 0.5 * (e.lo + e.hi) : coords_[k * d + j];
      const double sigma = prior ? range : out.sigma;
      out.log_norm[k] = -(o.kernel_log_sigma ? std::log(sigma) : 0.0) - log_sqrt_2pi -
                        log_truncation(e.lo, e.hi, mu, sigma);
    }
  }
}

// A grid member's log mass per (kernel's value, cell), for the rows some kernel centres on and
// the prior's.
void joint_parzen_estimator::fit_grid_table(dim& out, const encoded_param& e, std::size_t j, parzen_scratch& s) const {
  const std::size_t d = dims_.size(), n_comp = weight_.size();
  const double range = e.hi - e.lo;
  out.table.assign((e.count + 1) * e.count, 0.0);
  s.cdf.resize(e.count + 1);
  s.needed.assign(e.count + 1, 0);
  s.needed[e.count] = 1;
  for (std::size_t k = 0; k + 1 < n_comp; ++k) s.needed[static_cast<std::size_t>(coords_[k * d + j])] = 1;
  for (std::size_t r = 0; r <= e.count; ++r) {
    if (!s.needed[r]) continue;
    const double mu = r == e.count ? 0.5 * (e.lo + e.hi) : e.centers[r];
    const double sigma = r == e.count ? range : out.sigma;
    const double log_z = log_normal_mass((e.lo - mu) / sigma, (e.hi - mu) / sigma);
    for (std::size_t c = 0; c <= e.count; ++c) s.cdf[c] = normal_cdf((e.edges[c] - mu) / sigma);
    for (std::size_t c = 0; c < e.count; ++c) {
      // Differences of the cdf lose their digits in the tails; recompute those cells.
      const double mass = s.cdf[c + 1] - s.cdf[c];
      const double log_mass = mass > 1e-8 ? std::log(mass)
                                          : log_normal_mass((e.edges[c] - mu) / sigma, (e.edges[c + 1] - mu) / sigma);
      out.table[r * e.count + c] = log_mass - log_z;
    }
  }
}

void joint_parzen_estimator::sample(random_stream& rng, std::span<double> x) const {
  const std::size_t d = dims_.size();
  const std::size_t n_comp = weight_.size();
  double u = rng.uniform01();
  std::size_t k = 0;
  while (k + 1 < n_comp && u >= weight_[k]) u -= weight_[k++];
  const bool prior = k + 1 == n_comp;
  for (std::size_t j = 0; j < d; ++j) {
    const auto& dim = dims_[j];
    const double mu = coords_[k * d + j];
    if (dim.kind == encoded_kind::categorical) {
      // (1[x == mu] + c) / (1 + C c): the peak with mass 1/(1+Cc), else uniform.
      const double denom = 1.0 + static_cast<double>(dim.count) * dim.smoothing;
      if (!prior && rng.uniform01() * denom < 1.0) x[j] = mu;
      else x[j] = static_cast<double>(rng.below(dim.count));
    } else if (dim.kind == encoded_kind::grid) {
      const std::size_t row = prior ? dim.count : static_cast<std::size_t>(mu);
      double v = rng.uniform01();
      std::size_t c = 0;
      while (c + 1 < dim.count && v >= std::exp(dim.table[row * dim.count + c]))
        v -= std::exp(dim.table[row * dim.count + c++]);
      x[j] = static_cast<double>(c);
    } else {
      const double range = dim.hi - dim.lo;
      x[j] = prior ? truncated_normal(0.5 * (dim.lo + dim.hi), range, dim.lo, dim.hi, rng)
                   : truncated_normal(mu, dim.sigma, dim.lo, dim.hi, rng);
    }
  }
}

double joint_parzen_estimator::log_pdf(std::span<const double> x, parzen_scratch& s) const {
  const std::size_t d = dims_.size();
  const std::size_t n_comp = weight_.size();
  s.terms.assign(log_weight_.begin(), log_weight_.end());
  for (std::size_t j = 0; j < d; ++j) {
    const auto& dim = dims_[j];
    const double xj = x[j];
    if (dim.kind == encoded_kind::categorical) {
      for (std::size_t k = 0; k + 1 < n_comp; ++k)
        s.terms[k] += coords_[k * d + j] == xj ? dim.log_match : dim.log_other;
      s.terms[n_comp - 1] -= std::log(static_cast<double>(dim.count));
    } else if (dim.kind == encoded_kind::grid) {
      const auto col = static_cast<std::size_t>(xj);
      for (std::size_t k = 0; k + 1 < n_comp; ++k)
        s.terms[k] += dim.table[static_cast<std::size_t>(coords_[k * d + j]) * dim.count + col];
      s.terms[n_comp - 1] += dim.table[dim.count * dim.count + col];
    } else {
      const double inv = 1.0 / dim.sigma;
      for (std::size_t k = 0; k + 1 < n_comp; ++k) {
        const double z = (xj - coords_[k * d + j]) * inv;
        s.terms[k] += dim.log_norm[k] - 0.5 * z * z;
      }
      const double range = dim.hi - dim.lo;
      const double z = (xj - 0.5 * (dim.lo + dim.hi)) / range;
      s.terms[n_comp - 1] += dim.log_norm[n_comp - 1] - 0.5 * z * z;
    }
  }
  return log_sum_exp(s.terms.data(), s.terms.size());
}

}  // namespace typetune::detail
