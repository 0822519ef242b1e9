// Candidates for the acquisition and their local refinement.
#include "engine/gp/optimize_acquisition.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <random>

#include <LBFGSB.h>

#include "engine/gp/acquisition.hpp"

namespace typetune::detail::gp {
namespace {

using Eigen::VectorXd;

// A neighbour of an observed point: numeric coordinates jittered by a tenth of their range
// (each with probability 1/2), a categorical resampled with probability 1/(active count);
// parameters a changed branch or count switches on are drawn afresh.
void perturbed_point(const encoded_space& s, const double* base, random_stream& rng, double* out) {
  std::size_t n_active = 0;
  for (std::size_t p = 0; p < s.size(); ++p)
    n_active += !std::isnan(base[p]) && s.params[p].kind != encoded_kind::fixed;
  const double flip = 1.0 / static_cast<double>(std::max<std::size_t>(n_active, 1));
  for (std::size_t p = 0; p < s.size(); ++p) {
    if (!is_active(s, p, out)) {
      out[p] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    const auto& e = s.params[p];
    if (std::isnan(base[p])) {
      out[p] = uniform_internal(e, rng);
      continue;
    }
    out[p] = base[p];
    if (e.kind == encoded_kind::categorical ||
        (e.kind == encoded_kind::grid && s.desc.params[p].role != param_role::plain)) {
      if (rng.uniform01() < flip) out[p] = uniform_internal(e, rng);
    } else if (e.kind != encoded_kind::fixed && rng.uniform01() < 0.5) {
      const double u = unit_of(e, base[p]) + 0.1 * std::normal_distribution<double>(0.0, 1.0)(rng);
      out[p] = internal_of_unit(e, u);
    }
  }
}

// What local refinement moves: one variable per active plain numeric parameter, its unit
// coordinate; branches, counts and categoricals stay as they are, so the structure holds.
struct refine_variables {
  std::vector<std::size_t> params;
  std::vector<Eigen::Index> cols;  // the columns they move, which the gradient is taken over
};

refine_variables variables_of(const encoded_space& s, const double* start) {
  refine_variables vars;
  for (std::size_t p = 0; p < s.size(); ++p) {
    const auto& e = s.params[p];
    if (std::isnan(start[p]) || s.desc.params[p].role != param_role::plain) continue;
    if (e.kind != encoded_kind::continuous && e.kind != encoded_kind::grid) continue;
    vars.params.push_back(p);
    for (std::size_t c = 0; c < s.layout.width[p]; ++c)
      vars.cols.push_back(static_cast<Eigen::Index>(s.layout.offset[p] + c));
  }
  return vars;
}

// -log EI as a function of the variables, for LBFGS++: the variables are written into the
// start's feature row (an arc parameter's two columns through the angle) and the gradient
// over the columns is carried back to them.
struct refine_objective {
  const posterior& post;
  const encoded_space& s;
  const refine_variables& vars;
  VectorXd point;  // the feature row, other columns as at the start
  point_posterior at;
  VectorXd column_grad;

  refine_objective(const posterior& p, const encoded_space& space, const refine_variables& v, const double* start)
      : post(p), s(space), vars(v), point(static_cast<Eigen::Index>(space.layout.dims)) {
    write_features(s, start, point.data());
  }

  double operator()(const VectorXd& v, VectorXd& grad) {
    const auto& layout = s.layout;
    for (std::size_t i = 0; i < vars.params.size(); ++i) {
      const auto col = static_cast<Eigen::Index>(layout.offset[vars.params[i]]);
      const double vi = v[static_cast<Eigen::Index>(i)];
      if (layout.arc[vars.params[i]]) {
        point[col] = std::cos(arc_angle * vi);
        point[col + 1] = std::sin(arc_angle * vi);
      } else {
        point[col] = vi;
      }
    }
    const double value = neg_log_ei(post, point, vars.cols, at, column_grad);
    grad.resize(v.size());
    Eigen::Index c = 0;
    for (std::size_t i = 0; i < vars.params.size(); ++i) {
      const double vi = v[static_cast<Eigen::Index>(i)];
      if (layout.arc[vars.params[i]]) {
        grad[static_cast<Eigen::Index>(i)] = arc_angle * (-std::sin(arc_angle * vi) * column_grad[c] +
                                                          std::cos(arc_angle * vi) * column_grad[c + 1]);
        c += 2;
      } else if (layout.indicator[vars.params[i]]) {  // the value column; the activity stays 1
        grad[static_cast<Eigen::Index>(i)] = column_grad[c];
        c += 2;
      } else {
        grad[static_cast<Eigen::Index>(i)] = column_grad[c++];
      }
    }
    return value;
  }
};

}  // namespace

std::vector<double> generate_candidates(const encoded_space& s, std::span<const double> observed,
                                        const Eigen::Ref<const VectorXd>& values, std::size_t n, random_stream& rng) {
  const std::size_t n_params = s.size();
  std::vector<std::size_t> order(static_cast<std::size_t>(values.size()));
  std::iota(order.begin(), order.end(), 0);
  const std::size_t n_top = std::min<std::size_t>(5, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_top), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return values[static_cast<Eigen::Index>(a)] < values[static_cast<Eigen::Index>(b)];
                    });
  std::vector<double> cand(n * n_params);
  for (std::size_t c = 0; c < n; ++c) {
    double* out = &cand[c * n_params];
    if (c < n / 2) uniform_point(s, rng, out);
    else perturbed_point(s, &observed[order[c % n_top] * n_params], rng, out);
  }
  return cand;
}

std::vector<std::size_t> rank_by_score(const VectorXd& score) {
  std::vector<std::size_t> rank(static_cast<std::size_t>(score.size()));
  std::iota(rank.begin(), rank.end(), 0);
  std::sort(rank.begin(), rank.end(), [&](std::size_t a, std::size_t b) {
    const double sa = score[static_cast<Eigen::Index>(a)], sb = score[static_cast<Eigen::Index>(b)];
    return sa != sb ? sa > sb : a < b;
  });
  return rank;
}

std::optional<scored_point> refine(const posterior& post, const encoded_space& s, const double* start) {
  const refine_variables vars = variables_of(s, start);
  if (vars.params.empty()) return std::nullopt;
  refine_objective objective(post, s, vars, start);
  VectorXd u(static_cast<Eigen::Index>(vars.params.size()));
  for (std::size_t i = 0; i < vars.params.size(); ++i)
    u[static_cast<Eigen::Index>(i)] = unit_of(s.params[vars.params[i]], start[vars.params[i]]);
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
    return std::nullopt;  // the candidate stays as it was
  }
  // Snap grid coordinates to their values, then score the snapped point.
  scored_point result{std::vector<double>(start, start + s.size()), 0.0};
  for (std::size_t i = 0; i < vars.params.size(); ++i)
    result.internal[vars.params[i]] = internal_of_unit(s.params[vars.params[i]], u[static_cast<Eigen::Index>(i)]);
  VectorXd row(static_cast<Eigen::Index>(s.layout.dims));
  write_features(s, result.internal.data(), row.data());
  VectorXd g;
  result.log_ei = -neg_log_ei(post, row, {}, objective.at, g);
  return result;
}

}  // namespace typetune::detail::gp
