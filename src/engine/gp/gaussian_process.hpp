// The Gaussian process of the GP sampler (as Optuna's optuna/_gp/gp.py): a Matérn-5/2 kernel
// with one length scale per parameter over the unit features, its hyperparameters fitted by
// maximum a posteriori marginal likelihood (L-BFGS-B from LBFGS++), and the posterior at new
// points. Values are standardised and minimised.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "engine/gp/search_space.hpp"

namespace typetune::detail::gp {

// The kernel's hyperparameters in log coordinates: a length scale per length index of the
// layout, the signal variance and the noise variance.
struct hyperparameters {
  Eigen::VectorXd log_length;
  double log_signal = 0, log_noise = 0;
};

// Hyperparameters maximising the log marginal likelihood of rows x with standardised values y,
// plus weak priors, from fixed starting values (so the fit depends on x and y alone).
[[nodiscard]] hyperparameters fit_hyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                                                  const feature_layout& layout, std::size_t max_iterations);

// Matrices the posterior's batch computations work in, kept by the sampler between calls and
// candidate chunks: at a few hundred trials they are megabytes, and fresh allocations of that
// size cost page faults on every call.
struct kernel_scratch {
  Eigen::MatrixXd scaled;  // query rows divided by the length scales
  Eigen::MatrixXd k;       // kernel between query and training rows
  Eigen::MatrixXd solved;  // L^-1 k^T
  Eigen::VectorXd norms_a, norms_b;
  Eigen::VectorXd mean, var;  // the result of posterior::predict
};

// The posterior at one point, with the derivatives of its mean and variance along chosen
// feature columns, and the vectors its computation works in. Local refinement evaluates it
// many times: it keeps one and reuses its storage.
struct point_posterior {
  double mean = 0, var = 0;
  Eigen::VectorXd dmean, dvar;  // per chosen column
  Eigen::VectorXd scaled, k, dfactor, kinv_k;
};

// The process conditioned on observations.
struct posterior {
  Eigen::VectorXd length;  // per feature column
  double signal = 1, noise = 1e-3;
  Eigen::MatrixXd xs;               // training rows / length
  Eigen::LLT<Eigen::MatrixXd> llt;  // of K + noise
  Eigen::VectorXd alpha;            // (K + noise)^-1 y
  double incumbent = 0;             // the lowest posterior mean at a training point

  // The posterior mean at rows of c (unit features), into out.
  void predict_mean(const Eigen::Ref<const Eigen::MatrixXd>& c, kernel_scratch& s, Eigen::VectorXd& out) const;
  // The posterior mean and variance at rows of c (unit features), into s.mean and s.var.
  void predict(const Eigen::Ref<const Eigen::MatrixXd>& c, kernel_scratch& s) const;
  // The posterior at one point (unit features), with derivatives along the columns in `free`.
  void predict_at(const Eigen::VectorXd& point, std::span<const Eigen::Index> free, point_posterior& out) const;
};

// The process with hyperparameters h conditioned on rows x with standardised values y. When
// K + noise is not positive definite, the noise grows tenfold at a time; nullopt when it still
// is not at a noise of 10.
[[nodiscard]] std::optional<posterior> fit_posterior(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                                     const Eigen::Ref<const Eigen::VectorXd>& y,
                                                     const hyperparameters& h, const feature_layout& layout,
                                                     kernel_scratch& s);

}  // namespace typetune::detail::gp
