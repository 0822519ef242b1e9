// The median pruner (see typetune/engine/median_pruner.hpp).
#include "typetune/engine/median_pruner.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace typetune {
namespace {

class median_pruner final : public pruner {
 public:
  explicit median_pruner(median_pruner_options options) : options_(options) {}

  bool should_prune(const study_view& view, const trial_record& trial) override {
    if (trial.intermediate.empty()) return false;
    const auto [step, value] = *trial.intermediate.rbegin();
    if (step < options_.n_warmup_steps) return false;
    if (std::isnan(value)) return true;

    std::size_t complete = 0;
    values_.clear();
    for (const auto& t : view.trials) {
      if (t.state != trial_state::complete) continue;
      ++complete;
      if (const auto it = t.intermediate.find(step);
          it != t.intermediate.end() && !std::isnan(it->second)) {
        values_.push_back(it->second);
      }
    }
    if (complete < options_.n_startup_trials || values_.empty()) return false;

    const auto mid = values_.begin() + static_cast<std::ptrdiff_t>(values_.size() / 2);
    std::nth_element(values_.begin(), mid, values_.end());
    double median = *mid;
    if (values_.size() % 2 == 0) median = (median + *std::max_element(values_.begin(), mid)) / 2;
    return view.dir == direction::minimize ? value > median : value < median;
  }

  std::string_view name() const override { return "median"; }

 private:
  median_pruner_options options_;
  std::vector<double> values_;  // reused between calls: the study serialises them
};

}  // namespace

std::unique_ptr<pruner> make_median_pruner(median_pruner_options options) {
  return std::make_unique<median_pruner>(options);
}

}  // namespace typetune
