// What a run reports: its summary (optimize() and the schedules build it here), the failed trials
// grouped by state and message, and the failures as text.
#include "typetune/engine/study_core.hpp"

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

namespace typetune {

run_summary study_core::summarize_run(std::vector<std::uint64_t> started, const run_end& end) const {
  std::sort(started.begin(), started.end());
  run_summary summary;
  summary.trials_started = started.size();
  summary.exhausted = end.exhausted;
  summary.timed_out = end.timed_out;
  summary.interrupted = end.interrupted;
  summary.study_budget_spent = end.study_budget_spent;
  summary.failures = summarize_failures(started);
  return summary;
}

std::vector<failure_group> study_core::summarize_failures(std::span<const std::uint64_t> numbers) const {
  std::vector<failure_group> groups;
  std::lock_guard lock(mutex_);
  for (const auto number : numbers) {
    if (number >= cache_.size()) continue;
    const auto& t = *cache_[number];
    if (t.state != trial_state::failed && t.state != trial_state::out_of_memory &&
        t.state != trial_state::diverged) {
      continue;
    }
    const auto same = std::find_if(groups.begin(), groups.end(), [&](const failure_group& g) {
      return g.state == t.state && g.message == t.message;
    });
    if (same != groups.end()) {
      ++same->count;
      same->first_trial = std::min(same->first_trial, number);
    } else {
      groups.push_back({t.state, t.message, 1, number});
    }
  }
  std::sort(groups.begin(), groups.end(),
            [](const failure_group& a, const failure_group& b) { return a.first_trial < b.first_trial; });
  return groups;
}

std::string run_summary::failures_text() const {
  if (failures.empty()) return {};
  std::uint64_t total = 0;
  for (const auto& g : failures) total += g.count;
  std::string text = std::to_string(total) + " of " + std::to_string(trials_started) +
                     (trials_started == 1 ? " trial" : " trials") + " did not complete:\n";
  for (const auto& g : failures) {
    text += "  " + std::to_string(g.count) + " " + std::string(to_string(g.state)) + " (first: trial " +
            std::to_string(g.first_trial) + "): " + (g.message.empty() ? "(no message)" : g.message) + "\n";
  }
  return text;
}

}  // namespace typetune
