// Log expected improvement, stable in the tails, and its gradient.
#include "engine/gp/acquisition.hpp"

#include <algorithm>
#include <cmath>

#include "engine/model_space.hpp"

namespace typetune::detail::gp {
namespace {

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

}  // namespace

void acquisition_values(const posterior& post, const Eigen::Ref<const Eigen::MatrixXd>& c, gp_acquisition kind,
                        kernel_scratch& s, Eigen::VectorXd& out) {
  constexpr Eigen::Index chunk = 64;
  out.resize(c.rows());
  for (Eigen::Index first = 0; first < c.rows(); first += chunk) {
    const Eigen::Index rows = std::min(chunk, c.rows() - first);
    post.predict(c.middleRows(first, rows), s);
    for (Eigen::Index i = 0; i < rows; ++i) {
      const double sd = std::sqrt(s.var[i]);
      const double z = (post.incumbent - s.mean[i]) / sd;
      const double lei = std::log(sd) + log_h(z);
      out[first + i] = kind == gp_acquisition::log_ei ? lei : std::exp(lei);
    }
  }
}

double neg_log_ei(const posterior& post, const Eigen::VectorXd& point, std::span<const Eigen::Index> free,
                  point_posterior& at, Eigen::VectorXd& grad) {
  post.predict_at(point, free, at);
  const double sd = std::sqrt(at.var);
  const double z = (post.incumbent - at.mean) / sd;
  const double lh = log_h(z);
  const double value = -(std::log(sd) + lh);
  const double log_pdf = -0.5 * z * z - log_sqrt_2pi;
  const double ratio_pdf = std::exp(log_pdf - lh), ratio_cdf = std::exp(log_phi_cdf(z) - lh);
  grad.setZero(static_cast<Eigen::Index>(free.size()));
  for (Eigen::Index f = 0; f < grad.size(); ++f) {
    const double dsd = at.dvar[f] / (2.0 * sd);
    // d log EI = (phi dsd - Phi dmean) / (sd h)
    grad[f] = -(ratio_pdf * dsd - ratio_cdf * at.dmean[f]) / sd;
  }
  return value;
}

}  // namespace typetune::detail::gp
