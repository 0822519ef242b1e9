// Asynchronous successive halving (see typetune/engine/asha_pruner.hpp).
#include "typetune/engine/asha_pruner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace typetune {
namespace {

void check(const asha_options& o) {
  if (o.min_resource < 1) throw std::invalid_argument("typetune: ASHA needs min_resource >= 1");
  if (o.max_resource < o.min_resource) {
    throw std::invalid_argument("typetune: ASHA needs max_resource >= min_resource");
  }
  if (o.reduction_factor < 2) throw std::invalid_argument("typetune: ASHA needs reduction_factor >= 2");
  if (o.min_early_stopping_rate < 0) {
    throw std::invalid_argument("typetune: ASHA needs min_early_stopping_rate >= 0");
  }
  if (o.bootstrap_count < 0) throw std::invalid_argument("typetune: ASHA needs bootstrap_count >= 0");
}

class asha_pruner final : public pruner {
 public:
  explicit asha_pruner(asha_options options) : options_(std::move(options)), rungs_(asha_rungs(options_)) {}

  bool should_prune(const study_view& view, const trial_record& trial) override {
    if (trial.intermediate.empty()) return false;
    const auto last = std::prev(trial.intermediate.end());
    const auto [step, value] = *last;
    // Decide once per rung, at the report that first reaches it; between rungs the trial has
    // already been promoted and keeps running.
    const auto rung = std::upper_bound(rungs_.begin(), rungs_.end(), step);
    if (rung == rungs_.begin()) return false;
    const std::int64_t resource = *std::prev(rung);
    if (last != trial.intermediate.begin() && std::prev(last)->first >= resource) return false;
    if (std::isnan(value)) return true;

    // Every other trial that reached this rung competes with the value it had on arrival.
    competitors_.clear();
    competitors_.push_back(value);
    for (const auto& t : view.trials) {
      if (t.number == trial.number) continue;
      const auto it = t.intermediate.lower_bound(resource);
      if (it != t.intermediate.end() && !std::isnan(it->second)) competitors_.push_back(it->second);
    }
    const bool last_rung = rung == rungs_.end();
    if (!last_rung && competitors_.size() <= static_cast<std::size_t>(options_.bootstrap_count)) return true;
    const bool minimize = view.dir == direction::minimize;
    std::sort(competitors_.begin(), competitors_.end(),
              [&](double a, double b) { return minimize ? a < b : a > b; });
    // Top 1/eta are promoted; until eta trials arrived only the best so far goes on (there is no
    // way to pause a trial and promote it later).
    const auto kept = std::max<std::size_t>(
        1, competitors_.size() / static_cast<std::size_t>(options_.reduction_factor));
    const double threshold = competitors_[kept - 1];
    return minimize ? value > threshold : value < threshold;
  }

  std::string_view name() const override { return "asha"; }

 private:
  asha_options options_;
  std::vector<std::int64_t> rungs_;
  std::vector<double> competitors_;
};

}  // namespace

std::vector<std::int64_t> asha_rungs(const asha_options& options) {
  check(options);
  std::vector<std::int64_t> rungs;
  std::int64_t r = options.min_resource;
  const auto eta = options.reduction_factor;
  for (std::int64_t i = 0; i < options.min_early_stopping_rate; ++i) {
    if (r > options.max_resource / eta) return rungs;
    r *= eta;
  }
  // No rung at max_resource itself: a trial that gets there has nothing left to save.
  while (r < options.max_resource) {
    rungs.push_back(r);
    if (r > std::numeric_limits<std::int64_t>::max() / eta) break;
    r *= eta;
  }
  return rungs;
}

std::unique_ptr<pruner> make_asha_pruner(asha_options options) {
  check(options);
  return std::make_unique<asha_pruner>(std::move(options));
}

}  // namespace typetune
