// The GP's features of a space: unit scaling, one-hot categoricals, conditional embeddings.
#include "engine/gp/search_space.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <variant>

namespace typetune::detail::gp {

using Eigen::MatrixXd;
using Eigen::VectorXd;

feature_layout::feature_layout(const space_desc& space, const std::vector<encoded_param>& enc,
                               gp_conditional_embedding embedding) {
  for (std::size_t p = 0; p < enc.size(); ++p) {
    const auto& e = enc[p];
    offset.push_back(dims);
    const bool conditional_numeric = space.params[p].active_if && e.kind != encoded_kind::fixed &&
                                     e.kind != encoded_kind::categorical;
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

VectorXd feature_layout::expand(const VectorXd& per_length) const {
  VectorXd out(static_cast<Eigen::Index>(dims));
  for (std::size_t c = 0; c < dims; ++c) out[static_cast<Eigen::Index>(c)] = per_length[length_of[c]];
  return out;
}

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

void write_features(const encoded_space& s, const double* internal, double* row) {
  const auto& layout = s.layout;
  for (std::size_t p = 0; p < s.size(); ++p) {
    const std::size_t w = layout.width[p];
    if (w == 0) continue;
    const auto& e = s.params[p];
    double* f = row + layout.offset[p];
    const double x = internal[p];
    if (e.kind == encoded_kind::categorical) {
      std::fill(f, f + w, 0.0);  // an inactive categorical is all-zero
      if (!std::isnan(x)) f[static_cast<std::size_t>(x)] = 1.0;
    } else if (layout.indicator[p]) {
      f[0] = std::isnan(x) ? 0.5 : unit_of(e, x);
      f[1] = std::isnan(x) ? 0.0 : 1.0;
    } else if (layout.arc[p]) {
      const double u = std::isnan(x) ? 0.0 : unit_of(e, x);
      f[0] = std::isnan(x) ? 0.0 : std::cos(arc_angle * u);
      f[1] = std::isnan(x) ? 0.0 : std::sin(arc_angle * u);
    } else {
      f[0] = std::isnan(x) ? 0.5 : unit_of(e, x);  // neutral middle when inactive
    }
  }
}

MatrixXd feature_rows(const encoded_space& s, std::span<const double> points) {
  const std::size_t n = s.size() == 0 ? 0 : points.size() / s.size();
  MatrixXd x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(s.layout.dims));
  VectorXd row(static_cast<Eigen::Index>(s.layout.dims));
  for (std::size_t i = 0; i < n; ++i) {
    write_features(s, &points[i * s.size()], row.data());
    x.row(static_cast<Eigen::Index>(i)) = row.transpose();
  }
  return x;
}

void internal_of(const encoded_space& s, const trial_record& t, double* out) {
  for (std::size_t p = 0; p < s.size(); ++p)
    out[p] = t.params.is_active(p) ? to_internal(s.desc.params[p], s.params[p], t.params.values[p])
                                   : std::numeric_limits<double>::quiet_NaN();
}

assignment assignment_of(const encoded_space& s, const double* internal) {
  assignment a;
  a.values.assign(s.size(), std::monostate{});
  for (std::size_t p = 0; p < s.size(); ++p)
    if (!std::isnan(internal[p])) a.values[p] = from_internal(s.desc.params[p], s.params[p], internal[p]);
  return a;
}

bool is_active(const encoded_space& s, std::size_t p, const double* internal) {
  const auto& c = s.desc.params[p].active_if;
  if (!c) return true;
  const double parent = internal[c->parent];
  if (std::isnan(parent)) return false;
  const auto v = std::get<std::int64_t>(from_internal(s.desc.params[c->parent], s.params[c->parent], parent));
  return c->holds(v);
}

void uniform_point(const encoded_space& s, random_stream& rng, double* out) {
  for (std::size_t p = 0; p < s.size(); ++p)
    out[p] = is_active(s, p, out) ? uniform_internal(s.params[p], rng) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace typetune::detail::gp
