// The median pruner: stop a trial whose intermediate value at a step is worse than the median
// of the complete trials' values at that step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "typetune/engine/pruner.hpp"

namespace typetune {

struct median_pruner_options {
  std::size_t n_startup_trials = 5;  // no pruning until this many trials are complete
  std::int64_t n_warmup_steps = 0;   // no pruning at steps below this (early values are noisy)
};

[[nodiscard]] std::unique_ptr<pruner> make_median_pruner(median_pruner_options options = {});

}  // namespace typetune
