// What a study optimises: one objective or several, each a named value with its direction, and
// constraints on named metrics. A trial's first objective is its `value`; the others, and the
// constraints, are named metrics of the trial (trial_record::metrics), recorded by the objective
// with set_metric() or returned with its value.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "typetune/desc/trial.hpp"

namespace typetune {

struct objective_spec {
  std::string name;
  direction dir = direction::minimize;
  friend bool operator==(const objective_spec&, const objective_spec&) = default;
};

// A constraint on a named metric: a trial is feasible when the metric is at most `max` (Optuna's
// constraints_func convention is max = 0).
struct constraint_spec {
  std::string name;
  double max = 0;
  friend bool operator==(const constraint_spec&, const constraint_spec&) = default;
};

// A study's objectives (at least one; objectives[0] is trial_record::value, the others named
// metrics) and constraints.
struct objective_set {
  std::vector<objective_spec> objectives;
  std::vector<constraint_spec> constraints;

  [[nodiscard]] std::size_t size() const noexcept { return objectives.size(); }
  [[nodiscard]] bool several() const noexcept { return objectives.size() > 1; }
  [[nodiscard]] bool constrained() const noexcept { return !constraints.empty(); }

  // The objective values of a trial in declaration order (nullopt for one that is missing).
  [[nodiscard]] std::vector<std::optional<double>> values(const trial_record& t) const;
  // A complete trial's values as losses (lower is better: maximised objectives negated) into
  // `out` (size() of them); false, leaving `out` unspecified, when the trial is not complete or
  // a value is missing or not finite.
  [[nodiscard]] bool losses(const trial_record& t, std::span<double> out) const;
  // How far a trial is from feasible: the sum over constraints of max(0, metric - max); 0 when
  // feasible (and always 0 without constraints). nullopt when a constraint's metric is missing
  // or NaN.
  [[nodiscard]] std::optional<double> violation(const trial_record& t) const;
  [[nodiscard]] bool feasible(const trial_record& t) const {
    const auto v = violation(t);
    return v && *v == 0;
  }
  // Whether `name` is the name of an objective or a constraint.
  [[nodiscard]] bool names(std::string_view name) const;
  // "val_loss (minimize), parameters (minimize); subject to latency_ms <= 5"
  [[nodiscard]] std::string to_text() const;
};

}  // namespace typetune
