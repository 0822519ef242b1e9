// What an objective sees of its trial (the assignment, report(), should_prune(), the resource a
// scheduler gave it) and what it returns: a value, or "pruned".
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typetune/desc/space_desc.hpp"

namespace typetune {

class study_core;

// One named value of an outcome: an objective's or a constraint's metric and its value.
struct named_value {
  std::string metric;
  double value = 0;
};

// The result of one objective call. A value may name its metric; the study then checks it
// against the metric it was declared with, so a renamed metric is caught on the first trial.
// A study with several objectives or constraints also takes the values by name, all at once
// (`return {{"val_loss", loss}, {"parameters", n}};`), or the first objective's value alone with
// the others recorded by set_metric().
class outcome {
 public:
  outcome(double value) : value_(value) {}  // NOLINT(google-explicit-constructor): `return 0.3;`
  outcome(std::string metric, double value) : value_(value), metric_(std::move(metric)) {}
  outcome(std::initializer_list<named_value> values) : values_(values) {
    if (values_.empty()) throw std::invalid_argument("typetune: an outcome needs at least one value");
    value_ = values_.front().value;
    metric_ = values_.front().metric;
  }

  [[nodiscard]] static outcome pruned() {
    outcome o(0.0);
    o.pruned_ = true;
    return o;
  }

  [[nodiscard]] bool is_pruned() const noexcept { return pruned_; }
  [[nodiscard]] double value() const noexcept { return value_; }
  [[nodiscard]] const std::string& metric() const noexcept { return metric_; }  // empty: unnamed
  // Every named value when it was made from several (the first is value() and metric()).
  [[nodiscard]] const std::vector<named_value>& values() const noexcept { return values_; }

 private:
  double value_ = 0;
  std::string metric_;
  std::vector<named_value> values_;
  bool pruned_ = false;
};

class trial_context {
 public:
  trial_context(const trial_context&) = delete;
  trial_context& operator=(const trial_context&) = delete;

  [[nodiscard]] std::uint64_t number() const noexcept { return number_; }
  // The trial's own seed (recorded with it; the same when a re-queued trial runs again): seed
  // the model's initialisation and data shuffling from it for a trial that can be repeated.
  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
  [[nodiscard]] const assignment& params() const noexcept { return params_; }
  [[nodiscard]] const space_desc& space() const noexcept;
  // The value of the parameter at `path` (monostate when inactive); throws std::out_of_range
  // naming the path when the space has no such parameter.
  [[nodiscard]] const param_value& at(std::string_view path) const;

  // Set when a scheduler (Hyperband, successive halving) runs the trial: train up to this much
  // (in the schedule's unit). resumed_from is what the trial's previous rung already trained,
  // for objectives that keep a checkpoint; 0 on the first rung.
  [[nodiscard]] std::optional<std::int64_t> resource() const noexcept { return resource_; }
  [[nodiscard]] std::int64_t resumed_from() const noexcept { return resumed_from_; }

  // Records an intermediate value (e.g. the validation loss after epoch `step`).
  void report(std::int64_t step, double value);
  // Asks the study's pruner whether to stop now; false when the study has none.
  [[nodiscard]] bool should_prune();

  // Records a named metric besides the objective (validation accuracy, epochs trained, the
  // parameter count); kept in trial_record::metrics and shown in describe_trial(). Throws
  // std::invalid_argument for an empty name or the study's own metric.
  void set_metric(std::string name, double value);

  // Whether a stop was requested (Ctrl-C under tt::handle_interrupts, study_core::request_stop):
  // a long objective checks it between batches and then throws typetune::interrupted (or
  // returns); either way the trial is recorded as interrupted.
  [[nodiscard]] bool stop_requested() const noexcept;

  // The per-trial time limit (run_budget::trial_time_limit), if any: the deadline, the time
  // left (never negative) and whether it has passed. Stopping is cooperative: an objective that
  // sees out_of_time() throws typetune::trial_timeout (recorded as failed, "time limit of X s
  // reached"), or returns a value, which is kept like any other.
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> deadline() const noexcept { return deadline_; }
  [[nodiscard]] std::optional<std::chrono::duration<double>> time_left() const noexcept;
  [[nodiscard]] bool out_of_time() const noexcept;

 private:
  friend class study_core;
  friend class asked_trial;
  trial_context(study_core& study, std::uint64_t number, const assignment& params, std::uint64_t seed,
                std::optional<std::int64_t> resource, std::int64_t resumed_from,
                std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt)
      : study_(study),
        number_(number),
        seed_(seed),
        params_(params),
        resource_(resource),
        resumed_from_(resumed_from),
        deadline_(deadline) {}

  study_core& study_;
  std::uint64_t number_;
  std::uint64_t seed_;
  const assignment& params_;
  std::optional<std::int64_t> resource_;
  std::int64_t resumed_from_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  mutable bool saw_stop_ = false;  // stop_requested() answered true: a returned value is partial
};

using objective = std::function<outcome(trial_context&)>;

}  // namespace typetune
