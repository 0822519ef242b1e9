// The acquisition functions of the GP sampler (as Optuna's optuna/_gp/acqf.py): expected
// improvement below the incumbent, or its logarithm, which has the same argmax but stays
// finite and smooth far from the incumbent, where EI underflows.
#pragma once

#include <span>

#include <Eigen/Core>

#include "engine/gp/gaussian_process.hpp"
#include "typetune/engine/gp_sampler.hpp"

namespace typetune::detail::gp {

// log EI or EI, as `kind` says, at rows of c (unit features), into out. The rows go through the
// posterior in chunks whose kernel matrices stay in cache.
void acquisition_values(const posterior& post, const Eigen::Ref<const Eigen::MatrixXd>& c, gp_acquisition kind,
                        kernel_scratch& s, Eigen::VectorXd& out);

// -log EI at one point (unit features), and its gradient over the feature columns in `free`
// into grad; `at` is the point's posterior, reused between calls.
double neg_log_ei(const posterior& post, const Eigen::VectorXd& point, std::span<const Eigen::Index> free,
                  point_posterior& at, Eigen::VectorXd& grad);

}  // namespace typetune::detail::gp
