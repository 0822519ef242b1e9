// Parameter importance by the correlation ratio (see html_report.hpp for the method).
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include "typetune/report/html_report.hpp"

namespace typetune {
namespace {

constexpr std::size_t min_scope_trials = 4;
constexpr std::size_t max_exact_values = 8;
constexpr std::size_t max_bins = 5;

// The group of each trial's value of parameter p: its own value when p has few values, else its
// equal-count bin.
std::vector<std::size_t> groups_of(const param_desc& p, const std::vector<param_value>& values) {
  const bool exact = p.kind == param_kind::categorical || p.kind == param_kind::constant ||
                     (p.cardinality() != 0 && p.cardinality() <= max_exact_values);
  std::vector<std::size_t> out(values.size());
  if (exact) {
    std::map<std::pair<std::int64_t, double>, std::size_t> ids;
    for (std::size_t i = 0; i < values.size(); ++i) {
      const auto key = std::holds_alternative<double>(values[i]) ? std::pair<std::int64_t, double>{0, std::get<double>(values[i])}
                                                                 : std::pair<std::int64_t, double>{std::get<std::int64_t>(values[i]), 0};
      out[i] = ids.emplace(key, ids.size()).first->second;
    }
    return out;
  }
  std::vector<std::pair<double, std::size_t>> order;
  for (std::size_t i = 0; i < values.size(); ++i) {
    double x = std::holds_alternative<double>(values[i]) ? std::get<double>(values[i])
                                                         : static_cast<double>(std::get<std::int64_t>(values[i]));
    if (p.log && x > 0) x = std::log(x);
    order.emplace_back(x, i);
  }
  std::sort(order.begin(), order.end());
  const std::size_t bins = std::min(max_bins, std::max<std::size_t>(1, values.size() / 3));
  for (std::size_t r = 0; r < order.size(); ++r) out[order[r].second] = r * bins / order.size();
  return out;
}

// Epsilon squared: the between-group share of the variance, less what k groups would explain of
// pure noise. Nullopt when every group holds one trial (nothing is left to tell noise from
// effect).
std::optional<double> explained_share(const std::vector<std::size_t>& groups, const std::vector<double>& y) {
  const double n = static_cast<double>(y.size());
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double total = 0;
  for (double v : y) total += (v - mean) * (v - mean);
  std::map<std::size_t, std::pair<double, std::size_t>> sums;
  for (std::size_t i = 0; i < y.size(); ++i) {
    sums[groups[i]].first += y[i];
    ++sums[groups[i]].second;
  }
  const double k = static_cast<double>(sums.size());
  if (k < 2 || n - k < 1) return std::nullopt;
  if (total <= 0) return 0.0;
  double between = 0;
  for (const auto& [g, s] : sums) {
    const double m = s.first / static_cast<double>(s.second);
    between += static_cast<double>(s.second) * (m - mean) * (m - mean);
  }
  const double within = total - between;
  return std::clamp((between - (k - 1) * within / (n - k)) / total, 0.0, 1.0);
}

std::optional<importance_scope> measure(const study_export& s, std::string label,
                                        const std::vector<const trial_record*>& trials) {
  if (trials.size() < min_scope_trials) return std::nullopt;
  importance_scope scope{std::move(label), trials.size(), {}};
  const auto& space = s.study.space;
  for (std::size_t i = 0; i < space.size(); ++i) {
    const auto& p = space.params[i];
    if (p.kind == param_kind::constant) continue;
    std::vector<param_value> values;
    std::vector<double> y;
    for (const auto* t : trials) {
      if (!t->params.is_active(i)) continue;
      values.push_back(t->params.values[i]);
      y.push_back(*t->value);
    }
    if (values.size() < min_scope_trials) continue;
    if (std::all_of(values.begin(), values.end(), [&](const param_value& v) { return v == values.front(); })) continue;
    if (const auto share = explained_share(groups_of(p, values), y)) scope.entries.push_back({p.path, *share, values.size()});
  }
  std::stable_sort(scope.entries.begin(), scope.entries.end(),
                   [](const importance_entry& a, const importance_entry& b) { return a.share > b.share; });
  return scope;
}

}  // namespace

std::vector<importance_scope> parameter_importance(const study_export& s) {
  std::vector<const trial_record*> complete;
  for (const auto& t : s.trials)
    if (t.state == trial_state::complete && t.value && std::isfinite(*t.value)) complete.push_back(&t);
  std::vector<importance_scope> out;
  if (auto all = measure(s, "all trials", complete)) out.push_back(std::move(*all));
  const auto& space = s.study.space;
  for (std::size_t b = 0; b < space.size(); ++b) {
    const auto& p = space.params[b];
    if (p.role != param_role::branch) continue;
    for (std::size_t k = 0; k < p.choices.size(); ++k) {
      std::vector<const trial_record*> chose;
      for (const auto* t : complete)
        if (t->params.is_active(b) && t->params.values[b] == param_value{static_cast<std::int64_t>(k)}) chose.push_back(t);
      if (auto scope = measure(s, p.path + " = " + p.format(param_value{static_cast<std::int64_t>(k)}), chose)) out.push_back(std::move(*scope));
    }
  }
  return out;
}

}  // namespace typetune
