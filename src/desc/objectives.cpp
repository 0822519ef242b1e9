// A study's objectives and constraints read from a trial record (see typetune/desc/objectives.hpp).
#include "typetune/desc/objectives.hpp"

#include <algorithm>
#include <cmath>

namespace typetune {
namespace {

std::optional<double> metric_of(const trial_record& t, const std::string& name) {
  const auto it = t.metrics.find(name);
  if (it == t.metrics.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::vector<std::optional<double>> objective_set::values(const trial_record& t) const {
  std::vector<std::optional<double>> out;
  out.reserve(objectives.size());
  for (std::size_t i = 0; i < objectives.size(); ++i)
    out.push_back(i == 0 ? t.value : metric_of(t, objectives[i].name));
  return out;
}

bool objective_set::losses(const trial_record& t, std::span<double> out) const {
  if (t.state != trial_state::complete || out.size() < objectives.size()) return false;
  for (std::size_t i = 0; i < objectives.size(); ++i) {
    const auto v = i == 0 ? t.value : metric_of(t, objectives[i].name);
    if (!v || !std::isfinite(*v)) return false;
    out[i] = objectives[i].dir == direction::maximize ? -*v : *v;
  }
  return true;
}

std::optional<double> objective_set::violation(const trial_record& t) const {
  double sum = 0;
  for (const auto& c : constraints) {
    const auto v = metric_of(t, c.name);
    if (!v || std::isnan(*v)) return std::nullopt;
    sum += std::max(0.0, *v - c.max);
  }
  return sum;
}

bool objective_set::names(std::string_view name) const {
  return std::any_of(objectives.begin(), objectives.end(), [&](const auto& o) { return o.name == name; }) ||
         std::any_of(constraints.begin(), constraints.end(), [&](const auto& c) { return c.name == name; });
}

std::string objective_set::to_text() const {
  std::string out;
  for (const auto& o : objectives) {
    if (!out.empty()) out += ", ";
    out += o.name + " (" + std::string(to_string(o.dir)) + ")";
  }
  for (std::size_t i = 0; i < constraints.size(); ++i) {
    out += i == 0 ? "; subject to " : ", ";
    out += constraints[i].name + " <= " + format_real(constraints[i].max);
  }
  return out;
}

}  // namespace typetune
