// The GP sampler: a Matérn-5/2 ARD Gaussian process on the unit-scaled space, hyperparameters by
// maximum a posteriori likelihood (LBFGS++), proposals by maximising log expected improvement.
#include "typetune/engine/gp_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <random>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <LBFGSB.h>

#include "engine/detail/codec_cache.hpp"
#include "engine/detail/repeats.hpp"
#include "engine/model_space.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune {
namespace detail {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
const double sqrt5 = std::sqrt(5.0);

// Where each parameter's coordinates sit in the feature vector, and which length scale each
// column has: one per parameter (a categorical's one-hot columns share theirs, as do the two
// columns of an arc).
struct feature_layout {
  std::vector<std::size_t> offset;  // first column of each parameter
  std::vector<std::size_t> width;   // 0 (fixed), 1 (numeric), 2 (arc) or the number of choices
  std::vector<bool> arc;            // numeric and conditional, embedded on an arc
  std::vector<Eigen::Index> length_of;  // per column: its length-scale index
  std::size_t dims = 0;
  Eigen::Index n_lengths = 0;

  std::vector<bool> indicator;       // numeric and conditional, with an activity column

  feature_layout(const space_desc& space, const std::vector<encoded_param>& enc, gp_conditional_embedding embedding) {
    for (std::size_t p = 0; p < enc.size(); ++p) {
      const auto& e = enc[p];
      offset.push_back(dims);
      const bool conditional_numeric =
          space.params[p].active_if && e.kind != encoded_kind::fixed && e.kind != encoded_kind::categorical;
      // A branch's child (any rule but a repeat count's): its alternatives exclude each other.
      const bool branch_child = conditional_numeric && space.params[p].active_if->kind != condition::rule::at_least;
      const bool on_arc = conditional_numeric && (embedding == gp_conditional_embedding::arc ||
                                                  (embedding == gp_conditional_embedding::branch_arc && branch_child));
      const bool with_indicator = conditional_numeric && embedding == gp_conditional_embedding::indicator;
      const std::size_t w = e.kind == encoded_kind::fixed         ? 0
                            : e.kind == encoded_kind::categorical ? e.count
                            : on_arc || with_indicator            ? 2
                                                                  : 1;
      width.push_back(w);
      arc.push_back(on_arc);
      indicator.push_back(with_indicator);
      dims += w;
      if (w == 0) continue;
      if (with_indicator) {  // the value and the activity each have their own length scale
        length_of.push_back(n_lengths++);
        length_of.push_back(n_lengths++);
        continue;
      }
      for (std::size_t c = 0; c < w; ++c) length_of.push_back(n_lengths);
      ++n_lengths;
    }
  }

  // Per-column values from per-length ones.
  [[nodiscard]] VectorXd expand(const VectorXd& per_length) const {
    VectorXd out(static_cast<Eigen::Index>(dims));
    for (std::size_t c = 0; c < dims; ++c) out[static_cast<Eigen::Index>(c)] = per_length[length_of[c]];
    return out;
  }
};

// Unit coordinate of a numeric internal value and back (grids by their transformed centres).
double unit_of(const encoded_param& e, double x) {
  if (e.kind == encoded_kind::grid) {
    const double span = e.centers.back() - e.centers.front();
    return span > 0 ? (e.centers[static_cast<std::size_t>(x)] - e.centers.front()) / span : 0.5;
  }
  return e.hi > e.lo ? (x - e.lo) / (e.hi - e.lo) : 0.5;
}
double internal_of_unit(const encoded_param& e, double u) {
  u = std::clamp(u, 0.0, 1.0);
  if (e.kind == encoded_kind::grid) {
    const double t = e.centers.front() + u * (e.centers.back() - e.centers.front());
    const auto it = std::upper_bound(e.edges.begin() + 1, e.edges.end() - 1, t);
    return static_cast<double>(it - (e.edges.begin() + 1));
  }
  return e.lo + u * (e.hi - e.lo);
}

// The arc of a conditional numeric parameter (after Swersky et al., "Raiders of the lost
// architecture", 2013): an active value u in [0, 1] at angle u pi on the unit circle, an
// inactive one at the centre. "Inactive" is then one point, at the same distance from every
// active value (half the distance between the two ends), and never mistaken for one of them.
constexpr double arc_angle = M_PI;

void write_features(const feature_layout& layout, const std::vector<encoded_param>& enc, const double* internal,
                    double* row) {
  for (std::size_t p = 0; p < enc.size(); ++p) {
    const std::size_t w = layout.width[p];
    if (w == 0) continue;
    double* f = row + layout.offset[p];
    const double x = internal[p];
    if (enc[p].kind == encoded_kind::categorical) {
      std::fill(f, f + w, 0.0);  // an inactive categorical is all-zero
      if (!std::isnan(x)) f[static_cast<std::size_t>(x)] = 1.0;
    } else if (layout.indicator[p]) {
      f[0] = std::isnan(x) ? 0.5 : unit_of(enc[p], x);
      f[1] = std::isnan(x) ? 0.0 : 1.0;
    } else if (layout.arc[p]) {
      const double u = std::isnan(x) ? 0.0 : unit_of(enc[p], x);
      f[0] = std::isnan(x) ? 0.0 : std::cos(arc_angle * u);
      f[1] = std::isnan(x) ? 0.0 : std::sin(arc_angle * u);
    } else {
      f[0] = std::isnan(x) ? 0.5 : unit_of(enc[p], x);  // neutral middle when inactive
    }
  }
}

// ---- Matérn 5/2 and its hyperparameters ----

struct hyper {
  VectorXd log_length;
  double log_signal = 0, log_noise = 0;
};

// Weak priors that keep the fit sane with few points (BoTorch's classic choices, for unit
// inputs and standardised outputs): length ~ Gamma(3, 6), signal ~ Gamma(2, 0.15),
// noise ~ Gamma(1.1, 0.05). In log coordinates log p = a t - b e^t.
constexpr double length_a = 3.0, length_b = 6.0, signal_a = 2.0, signal_b = 0.15, noise_a = 1.1, noise_b = 0.05;
constexpr double min_noise = 1e-6;

// Matérn 5/2 between rows of a and b (both already divided by the length scales), into `k`;
// `factor`, if given, receives signal * 5/3 (1 + sqrt5 r) exp(-sqrt5 r), the common part of
// the kernel's derivatives. Works in place on preallocated matrices: at a few hundred trials
// these are megabytes, and fresh allocations of that size cost page faults on every call.
void matern_matrix(const MatrixXd& a, const MatrixXd& b, double signal, MatrixXd& k, MatrixXd* factor,
                   VectorXd& a_norm, VectorXd& b_norm) {
  a_norm = a.rowwise().squaredNorm();
  b_norm = b.rowwise().squaredNorm();
  k.resize(a.rows(), b.rows());
  k.noalias() = a * b.transpose();
  if (factor) factor->resize(a.rows(), b.rows());
  for (Eigen::Index j = 0; j < k.cols(); ++j)
    for (Eigen::Index i = 0; i < k.rows(); ++i) {
      const double r = std::sqrt(std::max(a_norm[i] + b_norm[j] - 2.0 * k(i, j), 0.0));
      const double e = std::exp(-sqrt5 * r);
      k(i, j) = signal * (1.0 + sqrt5 * r + 5.0 / 3.0 * r * r) * e;
      if (factor) (*factor)(i, j) = signal * 5.0 / 3.0 * (1.0 + sqrt5 * r) * e;
    }
}

// The negative log posterior of the hyperparameters and its gradient, for LBFGS++.
struct marginal_likelihood {
  const MatrixXd& x;
  const VectorXd& y;
  const feature_layout& layout;
  double best_value = inf;
  VectorXd best_theta;
  // Workspace, sized once per fit.
  MatrixXd xs, k, dk_factor, w, mx;
  VectorXd norms_a, norms_b, alpha, row_sum;
  Eigen::LLT<MatrixXd> llt;

  marginal_likelihood(const MatrixXd& x_, const VectorXd& y_, const feature_layout& l) : x(x_), y(y_), layout(l) {}

  double operator()(const VectorXd& theta, VectorXd& grad) {
    const auto n = x.rows();
    const auto d = x.cols();
    const auto nl = layout.n_lengths;  // theta: log lengths, log signal, log noise
    const VectorXd lengths = theta.head(nl).array().exp();
    const VectorXd length = layout.expand(lengths);
    const double signal = std::exp(theta[nl]), noise = std::exp(theta[nl + 1]) + min_noise;
    xs = x.array().rowwise() / length.transpose().array();
    matern_matrix(xs, xs, signal, k, &dk_factor, norms_a, norms_b);
    w = k;
    w.diagonal().array() += noise;
    llt.compute(w);
    if (llt.info() != Eigen::Success) {
      grad = VectorXd::Zero(theta.size());
      return 1e10;
    }
    alpha = llt.solve(y);
    double value = 0.5 * y.dot(alpha) + llt.matrixLLT().diagonal().array().log().sum() +
                   0.5 * static_cast<double>(n) * std::log(2 * M_PI);
    // d/dt of -log L = -1/2 tr(W dK/dt) with W = alpha alpha^T - K^-1.
    w.setIdentity();
    llt.solveInPlace(w);
    w = -w;
    w.noalias() += alpha * alpha.transpose();
    grad.setZero(theta.size());
    grad[nl] = -0.5 * w.cwiseProduct(k).sum();
    grad[nl + 1] = -0.5 * (noise - min_noise) * w.trace();
    // For the length scales: m = W .* factor / 2 and
    // sum_ij m_ij (xs_i - xs_j)^2 = 2 sum_i xs_i^2 rowsum_i - 2 xs^T m xs, per column.
    w.array() *= 0.5 * dk_factor.array();
    row_sum = w.rowwise().sum();
    mx.resize(n, d);
    mx.noalias() = w * xs;
    for (Eigen::Index j = 0; j < d; ++j)
      grad[layout.length_of[static_cast<std::size_t>(j)]] -=
          2.0 * (xs.col(j).array().square() * row_sum.array()).sum() - 2.0 * xs.col(j).dot(mx.col(j));
    // Priors.
    for (Eigen::Index j = 0; j < nl; ++j) {
      value -= length_a * theta[j] - length_b * lengths[j];
      grad[j] -= length_a - length_b * lengths[j];
    }
    value -= signal_a * theta[nl] - signal_b * signal;
    grad[nl] -= signal_a - signal_b * signal;
    const double noise_var = noise - min_noise;
    value -= noise_a * theta[nl + 1] - noise_b * noise_var;
    grad[nl + 1] -= noise_a - noise_b * noise_var;
    if (value < best_value) {
      best_value = value;
      best_theta = theta;
    }
    return value;
  }
};

hyper fit_hyper(const MatrixXd& x, const VectorXd& y, const feature_layout& layout, std::size_t max_iterations) {
  const auto d = layout.n_lengths;
  VectorXd theta(d + 2), lb(d + 2), ub(d + 2);
  theta.head(d).setConstant(std::log(0.5));
  lb.head(d).setConstant(std::log(0.02));
  ub.head(d).setConstant(std::log(50.0));
  theta[d] = 0.0, lb[d] = std::log(0.05), ub[d] = std::log(20.0);
  theta[d + 1] = std::log(1e-3), lb[d + 1] = std::log(1e-9), ub[d + 1] = std::log(1.0);
  marginal_likelihood f(x, y, layout);
  LBFGSpp::LBFGSBParam<double> param;
  param.max_iterations = static_cast<int>(max_iterations);
  param.epsilon = 1e-4;
  param.epsilon_rel = 1e-4;
  param.max_linesearch = 20;
  LBFGSpp::LBFGSBSolver<double> solver(param);
  double fx = 0;
  try {
    solver.minimize(f, theta, fx, lb, ub);
  } catch (const std::exception&) {
    // A failed line search still leaves the best point seen, which is what we use.
  }
  if (f.best_theta.size() == theta.size()) theta = f.best_theta;
  hyper h;
  h.log_length = theta.head(d);
  h.log_signal = theta[d];
  h.log_noise = theta[d + 1];
  return h;
}

// log(z Phi(z) + phi(z)), stable for very negative z (where EI underflows).
double log_h(double z) {
  if (z > -6.0) {
    const double v = z * normal_cdf(z) + std::exp(-0.5 * z * z - log_sqrt_2pi);
    return std::log(std::max(v, 1e-300));
  }
  // h(z) = phi(z) (1 + z sqrt(pi/2) erfcx(-z/sqrt2)); asymptotically phi(z) / z^2 (1 - 3/z^2 ...).
  const double z2 = z * z;
  if (z > -25.0) {
    const double t = -z * inv_sqrt2;
    const double erfcx = std::erfc(t) * std::exp(t * t);
    const double bracket = 1.0 + z * std::sqrt(M_PI / 2) * erfcx;
    return -0.5 * z2 - log_sqrt_2pi + std::log(std::max(bracket, 1e-300));
  }
  return -0.5 * z2 - log_sqrt_2pi - std::log(z2) + std::log1p(-3.0 / z2 + 15.0 / (z2 * z2));
}

double log_phi_cdf(double z) {
  if (z > -30.0) return std::log(std::max(normal_cdf(z), 1e-300));
  return -0.5 * z * z - log_sqrt_2pi - std::log(-z);
}

// The fitted process: training inputs scaled by the length scales, Cholesky factor and weights.
struct posterior {
  VectorXd length;
  double signal = 1, noise = 1e-3;
  MatrixXd xs;  // training rows / length
  Eigen::LLT<MatrixXd> llt;
  VectorXd alpha;
  double incumbent = 0;  // best posterior mean at a training point (standardised, minimised)
  // Workspace reused across calls and candidate chunks.
  mutable MatrixXd k, cs, v;
  mutable VectorXd norms_a, norms_b, mean;

  bool fit(const MatrixXd& x, const VectorXd& y, const hyper& h, const feature_layout& layout) {
    length = layout.expand(h.log_length.array().exp());
    signal = std::exp(h.log_signal);
    noise = std::exp(h.log_noise) + min_noise;
    xs = x.array().rowwise() / length.transpose().array();
    matern_matrix(xs, xs, signal, k, nullptr, norms_a, norms_b);
    for (double jitter = noise; jitter < 10; jitter *= 10) {
      v = k;
      v.diagonal().array() += jitter;
      llt.compute(v);
      if (llt.info() == Eigen::Success) {
        noise = jitter;
        alpha = llt.solve(y);
        mean.noalias() = k * alpha;
        incumbent = mean.minCoeff();
        return true;
      }
    }
    return false;
  }

  // The posterior mean at rows of `c` (unit features), into `out`.
  void predict_mean(const MatrixXd& c, VectorXd& out) const {
    cs = c.array().rowwise() / length.transpose().array();
    matern_matrix(cs, xs, signal, k, nullptr, norms_a, norms_b);
    out.noalias() = k * alpha;
  }

  // log EI (or EI) of rows of `c` (unit features), into `out`, in chunks that stay in cache.
  void acquisition(const MatrixXd& c, bool log_ei, VectorXd& out) const {
    constexpr Eigen::Index chunk = 64;
    out.resize(c.rows());
    const auto n = xs.rows();
    for (Eigen::Index first = 0; first < c.rows(); first += chunk) {
      const Eigen::Index rows = std::min(chunk, c.rows() - first);
      cs = c.middleRows(first, rows).array().rowwise() / length.transpose().array();
      matern_matrix(cs, xs, signal, k, nullptr, norms_a, norms_b);
      mean.noalias() = k * alpha;
      v = k.transpose();
      llt.matrixL().solveInPlace(v);
      for (Eigen::Index i = 0; i < rows; ++i) {
        const double var = std::max(signal - v.col(i).head(n).squaredNorm(), 1e-12);
        const double sd = std::sqrt(var);
        const double z = (incumbent - mean[i]) / sd;
        const double lei = std::log(sd) + log_h(z);
        out[first + i] = log_ei ? lei : std::exp(lei);
      }
    }
  }

  // -log EI at one point and its gradient over the columns in `free` (unit features).
  double neg_log_ei(const VectorXd& point, const std::vector<Eigen::Index>& free, VectorXd& grad) const {
    const auto n = xs.rows();
    const VectorXd ps = point.array() / length.array();
    VectorXd k(n), dfac(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double r = std::sqrt(std::max((xs.row(i).transpose() - ps).squaredNorm(), 0.0));
      const double e = std::exp(-sqrt5 * r);
      k[i] = signal * (1.0 + sqrt5 * r + 5.0 / 3.0 * r * r) * e;
      dfac[i] = -signal * 5.0 / 3.0 * (1.0 + sqrt5 * r) * e;  // dk/dx_d = dfac (x_d - x_id) / l_d^2
    }
    const double mean = k.dot(alpha);
    const VectorXd kinv_k = llt.solve(k);
    const double var = std::max(signal - k.dot(kinv_k), 1e-12);
    const double sd = std::sqrt(var);
    const double z = (incumbent - mean) / sd;
    const double lh = log_h(z);
    const double value = -(std::log(sd) + lh);
    const double log_pdf = -0.5 * z * z - log_sqrt_2pi;
    const double ratio_pdf = std::exp(log_pdf - lh), ratio_cdf = std::exp(log_phi_cdf(z) - lh);
    grad.setZero(static_cast<Eigen::Index>(free.size()));
    for (std::size_t f = 0; f < free.size(); ++f) {
      const Eigen::Index d = free[f];
      const double inv_l2 = 1.0 / (length[d] * length[d]);
      double dmean = 0, dvar = 0;
      for (Eigen::Index i = 0; i < n; ++i) {
        const double dk = dfac[i] * (point[d] - xs(i, d) * length[d]) * inv_l2;
        dmean += dk * alpha[i];
        dvar -= 2.0 * dk * kinv_k[i];
      }
      const double dsd = dvar / (2.0 * sd);
      // d log EI = (phi dsd - Phi dmean) / (sd h)
      grad[static_cast<Eigen::Index>(f)] = -(ratio_pdf * dsd - ratio_cdf * dmean) / sd;
    }
    return value;
  }
};

class gp_sampler final : public sampler {
 public:
  explicit gp_sampler(gp_options o) : opt_(o) {}

  std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
    std::lock_guard lock(mutex_);
    const auto& space = view.space;
    if (space_ != &space || enc_.size() != space.size()) {
      space_ = &space;
      enc_ = encode_space(space);
      fit_key_.clear();
    }
    const feature_layout layout(space, enc_, opt_.conditional_embedding);
    random_stream rng(view.seed, number, stream_ids::gp);
    if (opt_.avoid_repeats) tried_.sync(view.trials, space.size());

    const auto obs = observations(view);
    const std::size_t n = obs.size(), n_real = obs.size() - obs.n_running;
    if (obs.n_complete < 2 || n_real < std::max<std::size_t>(opt_.n_startup_trials, 2) || layout.dims == 0)
      return fresh_random(space, rng);

    // Internal coordinates and features of the observations; values standardised on the real
    // (not imputed-running) ones.
    const std::size_t n_params = space.size();
    std::vector<double> internal(n * n_params);
    MatrixXd x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(layout.dims));
    VectorXd y(static_cast<Eigen::Index>(n));
    {
      VectorXd row(static_cast<Eigen::Index>(layout.dims));
      for (std::size_t i = 0; i < n; ++i) {
        internal_of(space, *obs.trials[i], &internal[i * n_params]);
        write_features(layout, enc_, &internal[i * n_params], row.data());
        x.row(static_cast<Eigen::Index>(i)) = row.transpose();
        y[static_cast<Eigen::Index>(i)] = obs.y[i];
      }
    }
    const double mean = y.head(static_cast<Eigen::Index>(n_real)).mean();
    const double sd = std::sqrt((y.head(static_cast<Eigen::Index>(n_real)).array() - mean).square().sum() /
                                static_cast<double>(n_real));
    y = (y.array() - mean) / (sd > 1e-12 ? sd : 1.0);
    y.tail(static_cast<Eigen::Index>(n - n_real)).setZero();  // the mean, unless the believer below says more

    const hyper h = hyperparameters(obs, x.topRows(static_cast<Eigen::Index>(n_real)), layout);
    posterior& post = post_;
    if (n > n_real) {
      // The kriging believer: running trials at the posterior mean of the real observations.
      const MatrixXd xr = x.topRows(static_cast<Eigen::Index>(n_real));
      const VectorXd yr = y.head(static_cast<Eigen::Index>(n_real));
      if (post.fit(xr, yr, h, layout)) {
        VectorXd m;
        post.predict_mean(x.bottomRows(static_cast<Eigen::Index>(n - n_real)), m);
        y.tail(static_cast<Eigen::Index>(n - n_real)) = m;
      }
    }
    // Believed values count as observed, in the incumbent too: a worker busy where the mean is
    // lowest has, as far as the next proposal can know, already found that value.
    if (!post.fit(x, y, h, layout)) return fresh_random(space, rng);

    // Candidates: half uniform, half around the best observations.
    const std::size_t n_cand = std::max<std::size_t>(opt_.n_candidates, 2);
    std::vector<double> cand(n_cand * n_params);
    std::vector<std::size_t> order(n_real);
    std::iota(order.begin(), order.end(), 0);
    const std::size_t n_top = std::min<std::size_t>(5, n_real);
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_top), order.end(),
                      [&](std::size_t a, std::size_t b) { return y[static_cast<Eigen::Index>(a)] < y[static_cast<Eigen::Index>(b)]; });
    for (std::size_t c = 0; c < n_cand; ++c) {
      double* out = &cand[c * n_params];
      if (c < n_cand / 2) uniform_candidate(space, rng, out);
      else perturbed_candidate(space, &internal[order[c % n_top] * n_params], rng, out);
    }
    MatrixXd cx(static_cast<Eigen::Index>(n_cand), static_cast<Eigen::Index>(layout.dims));
    {
      VectorXd row(static_cast<Eigen::Index>(layout.dims));
      for (std::size_t c = 0; c < n_cand; ++c) {
        write_features(layout, enc_, &cand[c * n_params], row.data());
        cx.row(static_cast<Eigen::Index>(c)) = row.transpose();
      }
    }
    VectorXd score;
    post.acquisition(cx, opt_.acquisition == gp_acquisition::log_ei, score);
    // A candidate that repeats a configuration of the study is worth nothing: it is dropped.
    if (opt_.avoid_repeats)
      for (std::size_t c = 0; c < n_cand; ++c)
        if (repeats(space, &cand[c * n_params])) score[static_cast<Eigen::Index>(c)] = -inf;
    std::vector<std::size_t> rank(n_cand);
    std::iota(rank.begin(), rank.end(), 0);
    std::sort(rank.begin(), rank.end(), [&](std::size_t a, std::size_t b) {
      const double sa = score[static_cast<Eigen::Index>(a)], sb = score[static_cast<Eigen::Index>(b)];
      return sa != sb ? sa > sb : a < b;
    });
    if (score[static_cast<Eigen::Index>(rank[0])] == -inf) {
      // Every candidate repeats the study: an untried configuration at random, if any is left.
      if (auto untried = untried_random(space, rng)) return untried;
    }
    std::vector<double> best(cand.begin() + static_cast<std::ptrdiff_t>(rank[0] * n_params),
                             cand.begin() + static_cast<std::ptrdiff_t>((rank[0] + 1) * n_params));
    double best_value = -inf;
    {
      VectorXd s;
      MatrixXd one = cx.row(static_cast<Eigen::Index>(rank[0]));
      post.acquisition(one, true, s);
      best_value = score[static_cast<Eigen::Index>(rank[0])] == -inf ? -inf : s[0];
    }
    const std::size_t n_refine = std::min(opt_.n_local_refinements, n_cand);
    for (std::size_t r = 0; r < n_refine; ++r)
      if (score[static_cast<Eigen::Index>(rank[r])] > -inf)
        refine(post, layout, &cand[rank[r] * n_params], best, best_value);

    assignment a;
    a.values.assign(n_params, std::monostate{});
    for (std::size_t p = 0; p < n_params; ++p)
      if (!std::isnan(best[p])) a.values[p] = from_internal(space.params[p], enc_[p], best[p]);
    return a;
  }

  std::string_view name() const override { return "gp"; }

 private:
  // What the process is fitted to: every complete trial at its value; when asked for, pruned
  // trials at the value a complete trial of the same rank at their last step ended with, and
  // diverged ones above every complete one; last, running trials (their values are set later).
  // Values are minimised. Rows in trial-number order within each kind.
  struct observation_set {
    std::vector<const trial_record*> trials;
    std::vector<double> y;
    std::size_t n_complete = 0, n_running = 0;
    [[nodiscard]] std::size_t size() const { return trials.size(); }
  };

  observation_set observations(const study_view& view) const {
    const auto& space = view.space;
    const double sign = view.dir == direction::maximize ? -1.0 : 1.0;
    observation_set o;
    std::vector<const trial_record*> complete, pruned, diverged, running;
    for (const auto& t : view.trials) {
      if (t.params.values.size() != space.size()) continue;
      switch (t.state) {
        case trial_state::complete:
          if (t.value && std::isfinite(*t.value)) complete.push_back(&t);
          break;
        case trial_state::pruned:
          if (opt_.use_pruned) pruned.push_back(&t);
          break;
        case trial_state::diverged:
          if (opt_.use_diverged) diverged.push_back(&t);
          break;
        case trial_state::running:
          if (opt_.constant_liar) running.push_back(&t);
          break;
        default: break;
      }
    }
    auto by_number = [](auto* a, auto* b) { return a->number < b->number; };
    for (auto* list : {&complete, &pruned, &diverged, &running}) std::sort(list->begin(), list->end(), by_number);
    o.n_complete = complete.size();
    if (complete.empty()) return o;
    std::vector<double> finals;
    for (auto* t : complete) {
      o.trials.push_back(t);
      o.y.push_back(sign * *t->value);
      finals.push_back(sign * *t->value);
    }
    std::sort(finals.begin(), finals.end());
    const double worst = finals.back(), spread = finals.back() - finals.front();
    const double below_all = worst + (spread > 0 ? 0.1 * spread : 1.0);
    // A pruned trial's rank among the complete trials at its last step: the share q of them
    // that were as good or better there; it gets the final value at quantile q of the complete
    // trials, so it sits below the complete trials that were level with it when it stopped.
    std::vector<double> at_step;
    for (auto* t : pruned) {
      double y = below_all;
      if (!t->intermediate.empty()) {
        const auto& [step, value] = *t->intermediate.rbegin();
        const double v = std::isnan(value) ? inf : sign * value;
        at_step.clear();
        for (auto* c : complete)
          if (const auto it = c->intermediate.find(step); it != c->intermediate.end() && !std::isnan(it->second))
            at_step.push_back(sign * it->second);
        if (!at_step.empty()) {
          std::size_t level = 0;
          for (double a : at_step) level += a <= v;
          const double q = static_cast<double>(level) / static_cast<double>(at_step.size());
          const double pos = q * static_cast<double>(finals.size() - 1);
          const auto lo = static_cast<std::size_t>(std::floor(pos));
          const std::size_t hi = std::min(lo + 1, finals.size() - 1);
          y = finals[lo] + (pos - static_cast<double>(lo)) * (finals[hi] - finals[lo]);
        }
      }
      o.trials.push_back(t);
      o.y.push_back(y);
    }
    for (auto* t : diverged) {
      o.trials.push_back(t);
      o.y.push_back(below_all);
    }
    for (auto* t : running) {  // placeholders: sample() sets them to the posterior mean
      o.trials.push_back(t);
      o.y.push_back(0.0);
    }
    o.n_running = running.size();
    return o;
  }

  void internal_of(const space_desc& space, const trial_record& t, double* out) const {
    for (std::size_t p = 0; p < space.size(); ++p)
      out[p] = t.params.is_active(p) ? to_internal(space.params[p], enc_[p], t.params.values[p]) : nan;
  }

  assignment assignment_of(const space_desc& space, const double* internal) const {
    assignment a;
    a.values.assign(space.size(), std::monostate{});
    for (std::size_t p = 0; p < space.size(); ++p)
      if (!std::isnan(internal[p])) a.values[p] = from_internal(space.params[p], enc_[p], internal[p]);
    return a;
  }

  bool repeats(const space_desc& space, const double* internal) const {
    return tried_.contains(assignment_of(space, internal));
  }

  // A random proposal for the startup, not repeating the study where that can be avoided.
  std::optional<assignment> fresh_random(const space_desc& space, random_stream& rng) {
    auto a = random_assignment(space, rng);
    if (!opt_.avoid_repeats || !tried_.contains(*a)) return a;
    if (auto untried = untried_random(space, rng)) return untried;
    return a;
  }

  std::optional<assignment> untried_random(const space_desc& space, random_stream& rng) {
    return random_untried(space, codecs_.get(space), [this](const assignment& c) { return tried_.contains(c); },
                          tried_.size(), rng);
  }

  std::optional<assignment> random_assignment(const space_desc& space, random_stream& rng) {
    std::vector<double> internal(space.size());
    uniform_candidate(space, rng, internal.data());
    assignment a;
    a.values.assign(space.size(), std::monostate{});
    for (std::size_t p = 0; p < space.size(); ++p)
      if (!std::isnan(internal[p])) a.values[p] = from_internal(space.params[p], enc_[p], internal[p]);
    return a;
  }

  // Whether parameter p is active given internal coordinates of earlier parameters.
  bool active(const space_desc& space, std::size_t p, const double* internal) const {
    const auto& c = space.params[p].active_if;
    if (!c) return true;
    const double parent = internal[c->parent];
    if (std::isnan(parent)) return false;
    const auto v = std::get<std::int64_t>(from_internal(space.params[c->parent], enc_[c->parent], parent));
    return c->holds(v);
  }

  void uniform_candidate(const space_desc& space, random_stream& rng, double* out) const {
    for (std::size_t p = 0; p < space.size(); ++p) out[p] = active(space, p, out) ? uniform_internal(enc_[p], rng) : nan;
  }

  // A neighbour of an observed point: numeric coordinates jittered by a tenth of their range
  // (each with probability 1/2), a categorical resampled with probability 1/(active count);
  // parameters a changed branch or count switches on are drawn afresh.
  void perturbed_candidate(const space_desc& space, const double* base, random_stream& rng, double* out) const {
    std::size_t n_active = 0;
    for (std::size_t p = 0; p < space.size(); ++p) n_active += !std::isnan(base[p]) && enc_[p].kind != encoded_kind::fixed;
    const double flip = 1.0 / static_cast<double>(std::max<std::size_t>(n_active, 1));
    for (std::size_t p = 0; p < space.size(); ++p) {
      if (!active(space, p, out)) {
        out[p] = nan;
        continue;
      }
      const auto& e = enc_[p];
      if (std::isnan(base[p])) {
        out[p] = uniform_internal(e, rng);
        continue;
      }
      out[p] = base[p];
      if (e.kind == encoded_kind::categorical || (e.kind == encoded_kind::grid && space.params[p].role != param_role::plain)) {
        if (rng.uniform01() < flip) out[p] = uniform_internal(e, rng);
      } else if (e.kind != encoded_kind::fixed && rng.uniform01() < 0.5) {
        const double u = unit_of(e, base[p]) + 0.1 * std::normal_distribution<double>(0.0, 1.0)(rng);
        out[p] = internal_of_unit(e, u);
      }
    }
  }

  // L-BFGS-B on -log EI over the numeric coordinates of the candidate's active plain
  // parameters; branches, counts and categoricals stay as they are, so the structure holds.
  void refine(const posterior& post, const feature_layout& layout, const double* start, std::vector<double>& best,
              double& best_value) const {
    // One variable per parameter, its unit coordinate; an arc parameter moves two columns.
    std::vector<std::size_t> params;
    std::vector<Eigen::Index> cols;  // the columns the acquisition's gradient is taken over
    for (std::size_t p = 0; p < enc_.size(); ++p) {
      const auto& e = enc_[p];
      if (std::isnan(start[p]) || space_->params[p].role != param_role::plain) continue;
      if (e.kind != encoded_kind::continuous && e.kind != encoded_kind::grid) continue;
      params.push_back(p);
      for (std::size_t c = 0; c < layout.width[p]; ++c) cols.push_back(static_cast<Eigen::Index>(layout.offset[p] + c));
    }
    if (params.empty()) return;
    VectorXd point(static_cast<Eigen::Index>(layout.dims));
    write_features(layout, enc_, start, point.data());
    VectorXd u(static_cast<Eigen::Index>(params.size()));
    for (std::size_t i = 0; i < params.size(); ++i) u[static_cast<Eigen::Index>(i)] = unit_of(enc_[params[i]], start[params[i]]);
    VectorXd column_grad;
    auto objective = [&](const VectorXd& v, VectorXd& grad) {
      for (std::size_t i = 0; i < params.size(); ++i) {
        const auto col = static_cast<Eigen::Index>(layout.offset[params[i]]);
        const double vi = v[static_cast<Eigen::Index>(i)];
        if (layout.arc[params[i]]) {
          point[col] = std::cos(arc_angle * vi);
          point[col + 1] = std::sin(arc_angle * vi);
        } else {
          point[col] = vi;
        }
      }
      const double value = post.neg_log_ei(point, cols, column_grad);
      grad.resize(v.size());
      Eigen::Index c = 0;
      for (std::size_t i = 0; i < params.size(); ++i) {
        const double vi = v[static_cast<Eigen::Index>(i)];
        if (layout.arc[params[i]]) {
          grad[static_cast<Eigen::Index>(i)] = arc_angle * (-std::sin(arc_angle * vi) * column_grad[c] +
                                                            std::cos(arc_angle * vi) * column_grad[c + 1]);
          c += 2;
        } else if (layout.indicator[params[i]]) {
          grad[static_cast<Eigen::Index>(i)] = column_grad[c];
          c += 2;
        } else {
          grad[static_cast<Eigen::Index>(i)] = column_grad[c++];
        }
      }
      return value;
    };
    LBFGSpp::LBFGSBParam<double> param;
    param.max_iterations = 20;
    param.epsilon = 1e-5;
    param.max_linesearch = 20;
    LBFGSpp::LBFGSBSolver<double> solver(param);
    const VectorXd lb = VectorXd::Zero(u.size()), ub = VectorXd::Ones(u.size());
    double fx = 0;
    try {
      solver.minimize(objective, u, fx, lb, ub);
    } catch (const std::exception&) {
      return;  // keep the candidates as they were
    }
    // Snap grid coordinates to their values, then compare on the snapped point.
    std::vector<double> result(start, start + enc_.size());
    for (std::size_t i = 0; i < params.size(); ++i) result[params[i]] = internal_of_unit(enc_[params[i]], u[static_cast<Eigen::Index>(i)]);
    VectorXd row(static_cast<Eigen::Index>(layout.dims));
    write_features(layout, enc_, result.data(), row.data());
    VectorXd g;
    const double value = -post.neg_log_ei(row, {}, g);
    if (value > best_value && !(opt_.avoid_repeats && repeats(*space_, result.data()))) {
      best_value = value;
      best = std::move(result);
    }
  }

  // Hyperparameters fitted on a schedule of prefixes of the real observations (every one up to
  // refit_all_below, then every refit_interval), from fixed starting values, so the result
  // depends on the history alone; the last fit is memoised. `x` holds the real rows.
  hyper hyperparameters(const observation_set& obs, const MatrixXd& x, const feature_layout& layout) {
    const std::size_t n = static_cast<std::size_t>(x.rows());
    std::size_t m = n;
    if (n > opt_.refit_all_below && opt_.refit_interval > 1)
      m = opt_.refit_all_below + (n - opt_.refit_all_below) / opt_.refit_interval * opt_.refit_interval;
    // Which of the first m enter the fit: the best half and the most recent rest.
    std::vector<std::size_t> chosen(m);
    std::iota(chosen.begin(), chosen.end(), 0);
    if (m > opt_.max_fit_points) {
      const std::size_t n_best = opt_.max_fit_points / 2;
      std::vector<std::size_t> by_value(m);
      std::iota(by_value.begin(), by_value.end(), 0);
      std::partial_sort(by_value.begin(), by_value.begin() + static_cast<std::ptrdiff_t>(n_best), by_value.end(),
                        [&](std::size_t a, std::size_t b) {
                          return obs.y[a] != obs.y[b] ? obs.y[a] < obs.y[b] : a < b;
                        });
      std::vector<char> take(m, 0);
      for (std::size_t i = 0; i < n_best; ++i) take[by_value[i]] = 1;
      std::size_t extra = opt_.max_fit_points - n_best;
      for (std::size_t i = m; i-- > 0 && extra > 0;)
        if (!take[i]) take[i] = 1, --extra;
      chosen.clear();
      for (std::size_t i = 0; i < m; ++i)
        if (take[i]) chosen.push_back(i);
    }
    // The prefix is standardised on its own, so that the fit does not depend on later trials.
    std::vector<std::pair<std::uint64_t, double>> key;
    key.reserve(chosen.size() + 1);
    key.emplace_back(x.cols(), static_cast<double>(layout.n_lengths));
    for (auto i : chosen) key.emplace_back(obs.trials[i]->number, obs.y[i]);
    if (key == fit_key_ && fitted_.log_length.size() == layout.n_lengths) return fitted_;
    MatrixXd fx(static_cast<Eigen::Index>(chosen.size()), x.cols());
    VectorXd fy(static_cast<Eigen::Index>(chosen.size()));
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      fx.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(chosen[i]));
      fy[static_cast<Eigen::Index>(i)] = obs.y[chosen[i]];  // raw, so bitwise the same later
    }
    const double mu = fy.mean();
    const double s = std::sqrt((fy.array() - mu).square().sum() / static_cast<double>(fy.size()));
    fy = (fy.array() - mu) / (s > 1e-12 ? s : 1.0);
    fitted_ = fit_hyper(fx, fy, layout, opt_.max_fit_iterations);
    fit_key_ = std::move(key);
    return fitted_;
  }

  gp_options opt_;
  std::mutex mutex_;
  const space_desc* space_ = nullptr;
  std::vector<encoded_param> enc_;
  std::vector<std::pair<std::uint64_t, double>> fit_key_;
  hyper fitted_;
  posterior post_;  // kept between calls for its workspace
  tried_configurations tried_;
  codec_cache codecs_;
};

}  // namespace
}  // namespace detail

std::unique_ptr<sampler> make_gp_sampler(gp_options options) {
  return std::make_unique<detail::gp_sampler>(options);
}

}  // namespace typetune
