// Asynchronous successive halving (ASHA, Li et al. 2020) as a pruner: rungs at resources
// min_resource * eta^k; a trial reaching a rung continues only if it is in the top 1/eta there.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "typetune/engine/pruner.hpp"

namespace typetune {

// Steps reported by the objective are the resource (epochs by default). Decisions use only the
// trials that reached the rung so far, so no worker ever waits for another: that is what makes
// it fit parallel workers, at the price of some promotions a synchronous run would not make.
struct asha_options {
  std::int64_t min_resource = 1;
  std::int64_t max_resource = 81;  // no rung above this: a trial that gets here runs to the end
  std::int64_t reduction_factor = 3;
  std::int64_t min_early_stopping_rate = 0;  // first rung at min_resource * eta^rate
  // A trial that arrives at a rung reached by no more than this many trials (itself included)
  // is pruned there, as with Optuna's bootstrap_count: 0 lets the first arrivals go on as the
  // best so far; 1 stops a trial that is alone at its rung, so that in a small study fewer trials
  // go on only because they came first. Unlike Optuna's, it spares the last rung: the first
  // trial to reach it goes on, so a study is not left without a complete trial for want of a
  // second arrival there.
  std::int64_t bootstrap_count = 0;
  std::string unit = "epochs";
};

// Throws std::invalid_argument for min_resource < 1, max_resource < min_resource, eta < 2 or a
// negative bootstrap_count.
[[nodiscard]] std::unique_ptr<pruner> make_asha_pruner(asha_options options = {});

// The rung resources min_resource * eta^(rate + k) up to max_resource, as ASHA uses them.
[[nodiscard]] std::vector<std::int64_t> asha_rungs(const asha_options& options);

}  // namespace typetune
