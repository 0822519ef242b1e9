// Hyperband and successive halving as schedulers: a plan computed with integer arithmetic and
// shown before anything runs, and a driver that runs the plan through a study and reports.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "typetune/engine/study_core.hpp"
#include "typetune/engine/trial_context.hpp"

namespace typetune {

struct hyperband_options {
  std::int64_t min_resource = 1;   // r: what the cheapest rung trains
  std::int64_t max_resource = 81;  // R: what a surviving configuration trains in the end
  std::int64_t reduction_factor = 3;  // eta: each rung keeps 1/eta of its configurations
  std::string unit = "epochs";
};

struct rung_plan {
  std::int64_t configs = 0;   // n_i: configurations evaluated at this rung
  std::int64_t resource = 0;  // r_i: what each is trained up to
};

struct bracket_plan {
  std::int64_t index = 0;  // s: s_max for the most exploratory bracket, 0 for plain full runs
  std::vector<rung_plan> rungs;

  // Totals throw std::overflow_error rather than wrap; plan_* already checked theirs.
  [[nodiscard]] std::int64_t total_resource() const;          // sum n_i * r_i (from scratch)
  [[nodiscard]] std::int64_t total_resource_resumed() const;  // sum n_i * (r_i - r_{i-1})
};

// s_max = floor(log_eta(R / r)); bracket s starts n = ceil((s_max + 1) * eta^s / (s + 1))
// configurations; rung i keeps n_i = floor(n / eta^i) and trains r_i = floor(R / eta^(s - i)).
struct schedule_plan {
  std::string algorithm;  // "hyperband" or "successive halving"
  hyperband_options options;
  std::int64_t s_max = 0;
  std::vector<bracket_plan> brackets;  // in the order they run

  [[nodiscard]] std::int64_t total_configs() const;
  [[nodiscard]] std::int64_t total_resource() const;
  [[nodiscard]] std::int64_t total_resource_resumed() const;
  // A table of brackets, configs and resource per rung, and the totals, in options.unit.
  [[nodiscard]] std::string to_text() const;
};

// Throw std::invalid_argument for min_resource < 1, max_resource < min_resource or eta < 2, and
// std::overflow_error for a plan whose totals do not fit in 64-bit integers.
[[nodiscard]] schedule_plan plan_hyperband(const hyperband_options& options);
// One bracket, s = s_max (the most exploratory one); n_configs overrides its n.
[[nodiscard]] schedule_plan plan_successive_halving(const hyperband_options& options,
                                                    std::int64_t n_configs = 0);

// What a run did, rung by rung, to compare with its plan.
struct rung_report {
  std::int64_t configs = 0;            // objective calls at this rung
  std::int64_t resource = 0;           // r_i
  std::int64_t resource_used = 0;      // sum of r_i over the calls (training from scratch)
  std::int64_t resource_resumed = 0;   // sum of r_i - r_{i-1} (resuming from a checkpoint)
  std::vector<std::uint64_t> trials;   // trial numbers evaluated here
};

struct schedule_report {
  std::vector<std::vector<rung_report>> brackets;  // same shape as the plan when it matched

  [[nodiscard]] std::int64_t total_configs() const;  // distinct configurations (rung-0 calls)
  [[nodiscard]] std::int64_t total_resource() const;
  [[nodiscard]] std::int64_t total_resource_resumed() const;
  // Whether every rung ran exactly the planned configs at the planned resource. Failures or an
  // exhausted finite sampler leave rungs short.
  [[nodiscard]] bool matches(const schedule_plan& plan) const;
};

// Runs the plan: each bracket asks its configurations from the study's sampler, evaluates each
// rung on `workers` threads (trial_context::resource() is r_i), records the rung value as the
// intermediate value at step r_i, keeps the best n_{i+1} and ends the others as pruned; the
// survivors of the last rung complete. Rethrows too_many_failures_error from ask(). After
// study.request_stop() no new configuration is asked and no new rung starts (configurations
// waiting for one end as interrupted). trial_time_limit applies to each objective call.
schedule_report run_schedule(study_core& study, const objective& f, const schedule_plan& plan,
                             std::size_t workers = 1,
                             std::optional<std::chrono::duration<double>> trial_time_limit = std::nullopt);

}  // namespace typetune
