// The Matérn-5/2 process: kernel, marginal likelihood and its fit, posterior.
#include "engine/gp/gaussian_process.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include <LBFGSB.h>

namespace typetune::detail::gp {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

const double sqrt5 = std::sqrt(5.0);

// Weak priors that keep the fit sane with few points (BoTorch's classic choices, for unit
// inputs and standardised outputs): length ~ Gamma(3, 6), signal ~ Gamma(2, 0.15),
// noise ~ Gamma(1.1, 0.05). In log coordinates log p = a t - b e^t.
constexpr double length_a = 3.0, length_b = 6.0, signal_a = 2.0, signal_b = 0.15, noise_a = 1.1, noise_b = 0.05;
// Added to the fitted noise variance, so that K + noise stays invertible.
constexpr double min_noise = 1e-6;

// Matérn 5/2 between rows of a and b (both already divided by the length scales), into `k`;
// `factor`, if given, receives signal * 5/3 (1 + sqrt5 r) exp(-sqrt5 r), the common part of
// the kernel's derivatives. Works in place on preallocated matrices: at a few hundred trials
// these are megabytes, and fresh allocations of that size cost page faults on every call.
void matern_matrix(const MatrixXd& a, const MatrixXd& b, double signal, MatrixXd& k, MatrixXd* factor, VectorXd& a_norm,
                   VectorXd& b_norm) {
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

// The priors' part of the negative log posterior at theta, added to value and grad; lengths,
// signal and noise_var are theta's, out of log coordinates.
void add_priors(const VectorXd& theta, const VectorXd& lengths, double signal, double noise_var, double& value,
                VectorXd& grad) {
  const auto nl = lengths.size();
  for (Eigen::Index j = 0; j < nl; ++j) {
    value -= length_a * theta[j] - length_b * lengths[j];
    grad[j] -= length_a - length_b * lengths[j];
  }
  value -= signal_a * theta[nl] - signal_b * signal;
  grad[nl] -= signal_a - signal_b * signal;
  value -= noise_a * theta[nl + 1] - noise_b * noise_var;
  grad[nl + 1] -= noise_a - noise_b * noise_var;
}

// The negative log posterior of the hyperparameters and its gradient, for LBFGS++; theta holds
// the log length scales, the log signal and the log noise. It remembers the best point it was
// evaluated at, which is what the fit uses when the line search fails.
struct marginal_likelihood {
  const MatrixXd& x;
  const VectorXd& y;
  const feature_layout& layout;
  double best_value = std::numeric_limits<double>::infinity();
  VectorXd best_theta;
  // Workspace, sized once per fit.
  MatrixXd xs, k, dk_factor, w, mx;
  VectorXd norms_a, norms_b, alpha, row_sum;
  Eigen::LLT<MatrixXd> llt;

  marginal_likelihood(const MatrixXd& x_, const VectorXd& y_, const feature_layout& l) : x(x_), y(y_), layout(l) {}

  double operator()(const VectorXd& theta, VectorXd& grad) {
    const auto n = x.rows();
    const auto d = x.cols();
    const auto nl = layout.n_lengths;
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
    for (Eigen::Index j = 0; j < d; ++j) {
      const double along_j = 2.0 * (xs.col(j).array().square() * row_sum.array()).sum() -
                             2.0 * xs.col(j).dot(mx.col(j));
      grad[layout.length_of[static_cast<std::size_t>(j)]] -= along_j;
    }
    add_priors(theta, lengths, signal, noise - min_noise, value, grad);
    if (value < best_value) {
      best_value = value;
      best_theta = theta;
    }
    return value;
  }
};

}  // namespace

hyperparameters fit_hyperparameters(const MatrixXd& x, const VectorXd& y, const feature_layout& layout,
                                    std::size_t max_iterations) {
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
  hyperparameters h;
  h.log_length = theta.head(d);
  h.log_signal = theta[d];
  h.log_noise = theta[d + 1];
  return h;
}

std::optional<posterior> fit_posterior(const Eigen::Ref<const MatrixXd>& x, const Eigen::Ref<const VectorXd>& y,
                                       const hyperparameters& h, const feature_layout& layout, kernel_scratch& s) {
  posterior post;
  post.length = layout.expand(h.log_length.array().exp());
  post.signal = std::exp(h.log_signal);
  const double noise = std::exp(h.log_noise) + min_noise;
  post.xs = x.array().rowwise() / post.length.transpose().array();
  matern_matrix(post.xs, post.xs, post.signal, s.k, nullptr, s.norms_a, s.norms_b);
  for (double jitter = noise; jitter < 10; jitter *= 10) {
    s.solved = s.k;
    s.solved.diagonal().array() += jitter;
    post.llt.compute(s.solved);
    if (post.llt.info() == Eigen::Success) {
      post.noise = jitter;
      post.alpha = post.llt.solve(y);
      s.mean.noalias() = s.k * post.alpha;
      post.incumbent = s.mean.minCoeff();
      return post;
    }
  }
  return std::nullopt;
}

void posterior::predict_mean(const Eigen::Ref<const MatrixXd>& c, kernel_scratch& s, VectorXd& out) const {
  s.scaled = c.array().rowwise() / length.transpose().array();
  matern_matrix(s.scaled, xs, signal, s.k, nullptr, s.norms_a, s.norms_b);
  out.noalias() = s.k * alpha;
}

void posterior::predict(const Eigen::Ref<const MatrixXd>& c, kernel_scratch& s) const {
  const auto n = xs.rows();
  s.scaled = c.array().rowwise() / length.transpose().array();
  matern_matrix(s.scaled, xs, signal, s.k, nullptr, s.norms_a, s.norms_b);
  s.mean.noalias() = s.k * alpha;
  s.solved = s.k.transpose();
  llt.matrixL().solveInPlace(s.solved);
  s.var.resize(c.rows());
  for (Eigen::Index i = 0; i < c.rows(); ++i)
    s.var[i] = std::max(signal - s.solved.col(i).head(n).squaredNorm(), 1e-12);
}

void posterior::predict_at(const VectorXd& point, std::span<const Eigen::Index> free, point_posterior& out) const {
  const auto n = xs.rows();
  out.scaled = point.array() / length.array();
  out.k.resize(n);
  out.dfactor.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double r = std::sqrt(std::max((xs.row(i).transpose() - out.scaled).squaredNorm(), 0.0));
    const double e = std::exp(-sqrt5 * r);
    out.k[i] = signal * (1.0 + sqrt5 * r + 5.0 / 3.0 * r * r) * e;
    out.dfactor[i] = -signal * 5.0 / 3.0 * (1.0 + sqrt5 * r) * e;  // dk/dx_d = dfactor (x_d - x_id) / l_d^2
  }
  out.mean = out.k.dot(alpha);
  out.kinv_k = llt.solve(out.k);
  out.var = std::max(signal - out.k.dot(out.kinv_k), 1e-12);
  out.dmean.resize(static_cast<Eigen::Index>(free.size()));
  out.dvar.resize(static_cast<Eigen::Index>(free.size()));
  for (std::size_t f = 0; f < free.size(); ++f) {
    const Eigen::Index d = free[f];
    const double inv_l2 = 1.0 / (length[d] * length[d]);
    double dmean = 0, dvar = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double dk = out.dfactor[i] * (point[d] - xs(i, d) * length[d]) * inv_l2;
      dmean += dk * alpha[i];
      dvar -= 2.0 * dk * out.kinv_k[i];
    }
    out.dmean[static_cast<Eigen::Index>(f)] = dmean;
    out.dvar[static_cast<Eigen::Index>(f)] = dvar;
  }
}

}  // namespace typetune::detail::gp
