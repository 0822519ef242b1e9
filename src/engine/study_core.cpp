// The study's trial bookkeeping: construction and teardown, the cache of the stored trials,
// report/set_metric/should_prune, tell and finish, and reads (best_trial, trials). ask() is in
// study_ask.cpp, opening the stored study in study_open.cpp, heartbeats in heartbeat.cpp,
// evaluate()/optimize() in study_optimize.cpp and the run summary in run_summary.cpp.
#include "typetune/engine/study_core.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/detail/process_probes.hpp"
#include "engine/detail/storage_retry.hpp"
#include "typetune/desc/pareto.hpp"
#include "typetune/detail/utf8.hpp"
#include "typetune/engine/errors.hpp"

namespace typetune {

study_core::study_core(space_desc space, std::unique_ptr<sampler> sampler, study_options options,
                       std::unique_ptr<pruner> pruner, std::shared_ptr<trial_storage> storage)
    : space_(std::move(space)),
      options_(std::move(options)),
      goals_(options_.goals()),
      sampler_(std::move(sampler)),
      pruner_(std::move(pruner)),
      storage_(storage ? std::move(storage) : make_memory_storage()),
      worker_(this_worker()) {
  if (!sampler_) throw std::invalid_argument("typetune: a study needs a sampler");
  if (options_.study_name.empty())
    throw std::invalid_argument("typetune: a study needs a name (study_options::study_name)");
  if (!(options_.heartbeat_interval.count() > 0)) {
    throw std::invalid_argument("typetune: the heartbeat interval must be positive (got " +
                                std::to_string(options_.heartbeat_interval.count()) + " s)");
  }
  if (!(options_.stale_after > options_.heartbeat_interval)) {
    throw std::invalid_argument("typetune: stale_after (" + std::to_string(options_.stale_after.count()) +
                                " s) must be longer than the heartbeat interval (" +
                                std::to_string(options_.heartbeat_interval.count()) +
                                " s): a live worker's trials would be taken back between two beats");
  }
  if (!(options_.storage_retry.count() >= 0)) {
    throw std::invalid_argument("typetune: storage_retry must be 0 (no retry) or more");
  }
  check_goals();
  open_study();
}

void study_core::check_goals() const {
  std::vector<std::string_view> seen;
  const auto check_name = [&](const std::string& name, std::string_view what) {
    if (name.empty()) throw std::invalid_argument("typetune: every " + std::string(what) + " of a study needs a name");
    detail::require_utf8(name, "the " + std::string(what) + " name");
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      throw std::invalid_argument("typetune: '" + name +
                                  "' is named twice among the study's objectives and constraints");
    }
    seen.push_back(name);
  };
  detail::require_utf8(options_.study_name, "the study's name");
  for (const auto& o : goals_.objectives) check_name(o.name, "objective");
  for (const auto& c : goals_.constraints) {
    check_name(c.name, "constraint");
    if (std::isnan(c.max)) throw std::invalid_argument("typetune: constraint '" + c.name + "' has a NaN bound");
  }
  if ((goals_.several() || goals_.constrained()) && !sampler_->supports_goals()) {
    throw std::invalid_argument("typetune: the " + std::string(sampler_->name()) +
                                " sampler optimises one objective without constraints, and this study has " +
                                goals_.to_text() +
                                ": use the default sampler, NSGA-II, TPE, random search, Sobol or a grid");
  }
  if (goals_.several() && pruner_) {
    throw std::invalid_argument("typetune: a study with several objectives (" + goals_.to_text() +
                                ") takes no pruner: pruning compares one objective's intermediate values");
  }
}

study_core::~study_core() {
  if (heartbeat_.joinable()) {
    heartbeat_.request_stop();
    heartbeat_wake_.notify_all();
    heartbeat_.join();
  }
  // Trials asked and never told: give them back so that another worker runs them now rather
  // than after the heartbeat's grace period.
  std::vector<stale_trial> abandoned;
  for (const auto& [number, own] : running_) {
    if (!own.lost) {
      abandoned.push_back(
          {{number, own.attempt}, "abandoned by worker " + worker_ + " (its study ended before the trial did)"});
    }
  }
  if (!abandoned.empty() && storage_->shared()) {
    try {
      (void)storage_->requeue(study_id_, abandoned, options_.max_retries);
    } catch (...) {
      // The heartbeat's grace period takes them back instead.
    }
  }
}

void study_core::refresh_locked() const {
  apply_locked(
      detail::with_storage_retry(options_.storage_retry, [&] { return storage_->read_trials(study_id_, version_); }));
}

void study_core::apply_locked(const trial_delta& delta) const {
  for (const auto& shared : delta.trials) {
    const auto& t = *shared;
    if (t.number < cache_.size()) {
      cache_[t.number] = shared;
      dirty_.push_back(t.number);
    } else if (t.number == cache_.size()) {
      cache_.push_back(shared);
    } else {
      throw storage_error(storage_errc::corrupt, "typetune: study '" + options_.study_name + "' in " + storage_->url() +
                                                     ": trial numbers jump from " + std::to_string(cache_.size()) +
                                                     " to " + std::to_string(t.number) + " (trials were deleted)");
    }
  }
  version_ = std::max(version_, delta.version);
  proposals_ = std::max(proposals_, delta.proposals);  // other workers' proposals, for ask()
}

study_core::own_trial& study_core::running_trial(std::uint64_t number) {
  const auto it = running_.find(number);
  if (it != running_.end()) return it->second;
  if (number >= cache_.size()) refresh_locked();
  if (number >= cache_.size()) throw std::out_of_range("typetune: no trial " + std::to_string(number));
  const auto& t = *cache_[number];
  if (t.state == trial_state::running) {
    throw std::invalid_argument("typetune: trial " + std::to_string(number) + " is running in another worker (" +
                                t.worker + "), not in this one");
  }
  throw std::invalid_argument("typetune: trial " + std::to_string(number) + " is " + std::string(to_string(t.state)) +
                              ", not running");
}

trial_record& study_core::edit_locked(std::shared_ptr<trial_record>& mine, std::uint64_t number) {
  auto& entry = cache_[number];
  // Held by `mine` and cache_ alone: no reader (snapshot_, the storage) sees it change.
  if (!mine || mine.get() != entry.get() || mine.use_count() > 2) {
    mine = std::make_shared<trial_record>(*entry);
    entry = mine;
  }
  return *mine;
}

void study_core::set_metric(std::uint64_t number, std::string name, double value) {
  if (name.empty()) throw std::invalid_argument("typetune: set_metric() needs a name");
  detail::require_utf8(name, "the metric name");
  if (name == options_.metric) {
    throw std::invalid_argument("typetune: '" + name + "' is the study's " +
                                (goals_.several() ? "first objective" : "objective metric") +
                                "; return it from the objective, and give set_metric() other names");
  }
  std::lock_guard lock(mutex_);
  auto& own = running_trial(number);
  if (own.lost) return;
  if (!detail::with_storage_retry(options_.storage_retry, [&] {
        return storage_->set_metric(study_id_, {number, own.attempt}, name, value);
      })) {
    own.lost = true;
    return;
  }
  edit_locked(own.record, number).metrics[std::move(name)] = value;
  dirty_.push_back(number);
}

void study_core::report(std::uint64_t number, std::int64_t step, double value) {
  std::lock_guard lock(mutex_);
  auto& own = running_trial(number);
  if (own.lost) return;
  if (!detail::with_storage_retry(options_.storage_retry, [&] {
        return storage_->report(study_id_, {number, own.attempt}, step, value);
      })) {
    own.lost = true;
    return;
  }
  edit_locked(own.record, number).intermediate[step] = value;
  dirty_.push_back(number);
}

bool study_core::should_prune(std::uint64_t number) {
  std::lock_guard lock(mutex_);
  const auto& own = running_trial(number);
  if (own.lost) return true;  // another worker runs it again: stop spending on this copy
  if (!pruner_ || cache_[number]->intermediate.empty()) return false;
  // Decisions read the shared snapshot: with many workers, ASHA's rungs hold every worker's
  // trials that reached them.
  refresh_locked();
  if (cache_[number]->state != trial_state::running) return true;
  const study_view view = view_of(cache_);
  return pruner_->should_prune(view, *cache_[number]);
}
void study_core::tell(std::uint64_t number, std::string_view metric, double value) {
  if (metric != options_.metric) {
    throw std::invalid_argument("typetune: this study measures '" + options_.metric + "', but tell() got '" +
                                std::string(metric) + "'");
  }
  if (std::isfinite(value)) {
    finish(number, {trial_state::complete, value, {}});
  } else {
    finish(number, {trial_state::diverged, {}, "objective returned " + std::to_string(value)});
  }
}

void study_core::tell(std::uint64_t number, const outcome& result) {
  if (result.is_pruned()) {
    tell_pruned(number);
  } else if (result.values().size() > 1) {
    tell(number, options_.metric, record_named_values(number, result));
  } else {
    tell(number, result.metric().empty() ? options_.metric : result.metric(), result.value());
  }
}

void study_core::tell_pruned(std::uint64_t number) { finish(number, {trial_state::pruned, {}, {}}); }

void study_core::tell_failure(std::uint64_t number, trial_state state, std::string message) {
  if (state != trial_state::failed && state != trial_state::diverged && state != trial_state::out_of_memory) {
    throw std::invalid_argument("typetune: tell_failure() takes failed, diverged or out_of_memory, not " +
                                std::string(to_string(state)));
  }
  finish(number, {state, {}, std::move(message)});
}

void study_core::finish(std::uint64_t number, const trial_result& result) {
  std::lock_guard lock(mutex_);
  finish_locked(number, result);
}

void study_core::finish_locked(std::uint64_t number, const trial_result& result) {
  auto& own = running_trial(number);
  if (result.state == trial_state::running) {
    throw std::invalid_argument("typetune: a trial cannot finish as running");
  }
  if (result.state == trial_state::complete && (!result.value || !std::isfinite(*result.value))) {
    // The rule tell() applies: a complete trial has a finite value, so best_trial() never sees
    // NaN (which compares false with everything) or a missing value.
    if (!result.value) {
      finish_locked(number, {trial_state::failed, std::nullopt, "finished as complete without a value"});
    } else {
      finish_locked(number,
                    {trial_state::diverged, std::nullopt, "objective returned " + std::to_string(*result.value)});
    }
    return;
  }
  const auto& t = *cache_[number];
  if (result.state == trial_state::complete && (goals_.several() || goals_.constrained())) {
    // Every objective and constraint must have been recorded; an objective that is not finite
    // makes the trial diverged, as the first one's does.
    for (std::size_t i = 1; i < goals_.objectives.size(); ++i) {
      const auto& name = goals_.objectives[i].name;
      const auto it = t.metrics.find(name);
      if (it == t.metrics.end()) {
        finish_locked(number, {trial_state::failed, std::nullopt,
                               "objective '" + name + "' was not recorded (set_metric(\"" + name +
                                   "\", v) or a named value of the result)"});
        return;
      }
      if (!std::isfinite(it->second)) {
        finish_locked(
            number, {trial_state::diverged, std::nullopt, "objective '" + name + "' is " + std::to_string(it->second)});
        return;
      }
    }
    for (const auto& c : goals_.constraints) {
      const auto it = t.metrics.find(c.name);
      if (it == t.metrics.end() || std::isnan(it->second)) {
        finish_locked(number, {trial_state::failed, std::nullopt,
                               "constraint '" + c.name + "' was " +
                                   (it == t.metrics.end() ? "not recorded (set_metric(\"" + c.name + "\", v))"
                                                          : std::string("NaN"))});
        return;
      }
    }
  }
  std::optional<double> value = result.value;
  if ((result.state == trial_state::pruned || result.state == trial_state::interrupted) && !value &&
      !t.intermediate.empty()) {
    value = t.intermediate.rbegin()->second;  // what it had reached when it was stopped
  }
  trial_result ended = result;
  ended.value = value;
  ended.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - own.started).count();
  ended.peak_rss_bytes = detail::peak_rss_bytes();
  const trial_lease lease{number, own.attempt};
  const bool was_lost = own.lost;
  auto mine = std::move(own.record);
  running_.erase(number);  // whatever happens below, this worker is done with it
  if (was_lost ||
      !detail::with_storage_retry(options_.storage_retry, [&] { return storage_->finish(study_id_, lease, ended); })) {
    ++lost_;  // re-queued by another worker, which runs it again: this result is not kept
    return;
  }
  if (result.state == trial_state::failed || result.state == trial_state::out_of_memory) {
    ++consecutive_failures_;
    last_failure_ = "trial " + std::to_string(number) + " " + std::string(to_string(result.state)) + ": " +
                    result.message;
  } else if (result.state == trial_state::complete || result.state == trial_state::pruned) {
    consecutive_failures_ = 0;
  }
  auto& ended_record = edit_locked(mine, number);
  ended.apply_to(ended_record);
  dirty_.push_back(number);
  if (options_.on_trial_end) options_.on_trial_end(ended_record);
}

std::optional<trial_record> study_core::best_trial() const {
  if (goals_.several()) {
    throw std::logic_error("typetune: a study with several objectives (" + goals_.to_text() +
                           ") has no single best trial: see its Pareto front (pareto_front())");
  }
  std::lock_guard lock(mutex_);
  refresh_locked();
  const trial_record* best = nullptr;
  for (const auto& shared : cache_) {
    const auto& t = *shared;
    if (t.state != trial_state::complete || !t.value) continue;
    if (goals_.constrained() && !goals_.feasible(t)) continue;
    if (!best || better(options_.dir, *t.value, *best->value)) best = &t;
  }
  if (!best) return std::nullopt;
  return *best;
}

std::vector<trial_record> study_core::pareto_front() const {
  std::lock_guard lock(mutex_);
  refresh_locked();
  std::vector<trial_record> out;
  for (const auto number : typetune::pareto_front(cache_, goals_)) out.push_back(*cache_[number]);
  return out;
}

std::vector<trial_record> study_core::trials() const {
  std::lock_guard lock(mutex_);
  refresh_locked();
  return copy_records(cache_);
}

trial_record study_core::trial(std::uint64_t number) const {
  std::lock_guard lock(mutex_);
  refresh_locked();
  if (number >= cache_.size()) throw std::out_of_range("typetune: no trial " + std::to_string(number));
  return *cache_[number];
}

std::uint64_t study_core::lost_trials() const {
  std::lock_guard lock(mutex_);
  return lost_;
}

std::size_t study_core::consecutive_failures() const {
  std::lock_guard lock(mutex_);
  return consecutive_failures_;
}

}  // namespace typetune
