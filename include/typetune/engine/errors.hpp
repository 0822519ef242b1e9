// Exceptions the engine gives a meaning to: an objective throws out_of_memory_error,
// trial_pruned, trial_timeout or interrupted to end its trial in that state; the study throws
// too_many_failures_error, and search_exhausted when a finite space has nothing left to ask.
#pragma once

#include <stdexcept>
#include <string>

namespace typetune {

// Thrown by an objective (or a trainer) that ran out of device or host memory; the trial ends
// as out_of_memory rather than failed, so that a later run can retry it with a smaller batch.
// std::bad_alloc is treated the same way.
class out_of_memory_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by an objective to stop its trial as pruned, for code deep inside a training loop that
// cannot easily return (the same as returning outcome::pruned()).
class trial_pruned : public std::exception {
 public:
  [[nodiscard]] const char* what() const noexcept override { return "typetune: trial pruned"; }
};

// Thrown by an objective that stopped because trial_context::out_of_time() became true (the
// per-trial time limit, run_budget::trial_time_limit). The trial is recorded as failed with the
// message "time limit of X s reached": a configuration too slow for the limit is a failure of
// that configuration, and the consecutive-failure stop then catches a limit too short for all.
class trial_timeout : public std::exception {
 public:
  [[nodiscard]] const char* what() const noexcept override { return "typetune: trial time limit reached"; }
};

// Thrown by an objective that stopped because trial_context::stop_requested() became true (a
// Ctrl-C, study_core::request_stop()); the trial is recorded as interrupted.
class interrupted : public std::exception {
 public:
  [[nodiscard]] const char* what() const noexcept override { return "typetune: trial interrupted"; }
};

// Thrown by ask() and optimize() once the configured number of consecutive trials failed: the
// objective is most likely broken, and spending the rest of the budget would not fix it.
class too_many_failures_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by study.ask() when a finite sampler (a grid, or Sobol on a finite space) has proposed
// every configuration; study.try_ask() returns nullopt instead.
class search_exhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace typetune
