// The interface of pruners: given the study so far and a running trial's intermediate values,
// decide whether the trial should stop now. Implementations live in src/engine/.
#pragma once

#include <string_view>

#include "typetune/engine/sampler.hpp"
#include "typetune/desc/trial.hpp"

namespace typetune {

class pruner {
 public:
  virtual ~pruner() = default;
  // Called after trial.intermediate got its latest report (the largest step). The study
  // serialises calls, so implementations may keep state without locking.
  [[nodiscard]] virtual bool should_prune(const study_view& view, const trial_record& trial) = 0;
  [[nodiscard]] virtual std::string_view name() const = 0;
};

}  // namespace typetune
