// The study: ask/tell, the optimize() driver and trial bookkeeping (see study_core.hpp).
#include "typetune/engine/study_core.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <new>
#include <stdexcept>
#include <thread>

#include "typetune/engine/errors.hpp"

namespace typetune {

const space_desc& trial_context::space() const noexcept { return study_.space(); }

const param_value& trial_context::at(std::string_view path) const {
  const auto i = study_.space().find(path);
  if (!i) throw std::out_of_range("typetune: the space has no parameter '" + std::string(path) + "'");
  return params_.values.at(*i);
}

void trial_context::report(std::int64_t step, double value) { study_.report(number_, step, value); }

bool trial_context::should_prune() { return study_.should_prune(number_); }

void trial_context::set_metric(std::string name, double value) { study_.set_metric(number_, std::move(name), value); }

bool trial_context::stop_requested() const noexcept {
  const bool stop = study_.stop_requested();
  if (stop) saw_stop_ = true;
  return stop;
}

std::optional<std::chrono::duration<double>> trial_context::time_left() const noexcept {
  if (!deadline_) return std::nullopt;
  const std::chrono::duration<double> left = *deadline_ - std::chrono::steady_clock::now();
  return std::max(left, std::chrono::duration<double>::zero());
}

bool trial_context::out_of_time() const noexcept {
  return deadline_ && std::chrono::steady_clock::now() >= *deadline_;
}

study_core::study_core(space_desc space, std::unique_ptr<sampler> sampler, study_options options,
                       std::unique_ptr<pruner> pruner, std::unique_ptr<trial_store> store)
    : space_(std::move(space)),
      options_(std::move(options)),
      sampler_(std::move(sampler)),
      pruner_(std::move(pruner)),
      store_(store ? std::move(store) : make_memory_store()) {
  if (!sampler_) throw std::invalid_argument("typetune: a study needs a sampler");
}

study_core::~study_core() = default;

std::optional<trial_ticket> study_core::ask() {
  std::lock_guard lock(mutex_);
  if (options_.max_consecutive_failures > 0 &&
      consecutive_failures_ >= options_.max_consecutive_failures) {
    throw too_many_failures_error(
        "typetune: study stopped after " + std::to_string(consecutive_failures_) +
        " consecutive failed trials (last: " + last_failure_ +
        "); fix the objective or raise study_options::max_consecutive_failures");
  }
  const auto number = store_->next_number();
  std::optional<assignment> params;
  if (!queue_.empty()) {
    params = std::move(queue_.front());  // validated by enqueue()
    queue_.pop_front();
  } else {
    // The sampler runs under the lock: it reads the trial list, and model-based samplers keep
    // caches that must not be updated by two threads at once.
    const study_view view{space_, store_->all(), options_.dir, options_.seed};
    params = sampler_->sample(view, proposals_);
    if (!params) return std::nullopt;
    space_.validate(*params);  // a sampler bug must not reach the objective or the records
    ++proposals_;
  }
  trial_record record;
  record.number = number;
  record.state = trial_state::running;
  record.params = *params;
  store_->add(std::move(record));
  started_[number] = std::chrono::steady_clock::now();
  return trial_ticket{number, std::move(*params)};
}

void study_core::enqueue(assignment params) {
  space_.validate(params);  // throws assignment_error naming the parameter
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(params));
}

std::size_t study_core::enqueued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void study_core::set_metric(std::uint64_t number, std::string name, double value) {
  if (name.empty()) throw std::invalid_argument("typetune: set_metric() needs a name");
  if (name == options_.metric) {
    throw std::invalid_argument("typetune: '" + name +
                                "' is the study's objective metric; return it from the objective, "
                                "and give set_metric() other names");
  }
  std::lock_guard lock(mutex_);
  running_trial(number);
  store_->set_metric(number, std::move(name), value);
}

const trial_record& study_core::running_trial(std::uint64_t number) const {
  const auto& t = store_->get(number);
  if (t.state != trial_state::running) {
    throw std::invalid_argument("typetune: trial " + std::to_string(number) + " is " +
                                std::string(to_string(t.state)) + ", not running");
  }
  return t;
}

void study_core::report(std::uint64_t number, std::int64_t step, double value) {
  std::lock_guard lock(mutex_);
  running_trial(number);
  store_->report(number, step, value);
}

bool study_core::should_prune(std::uint64_t number) {
  std::lock_guard lock(mutex_);
  const auto& t = running_trial(number);
  if (!pruner_ || t.intermediate.empty()) return false;
  const study_view view{space_, store_->all(), options_.dir, options_.seed};
  return pruner_->should_prune(view, t);
}

void study_core::tell(std::uint64_t number, std::string_view metric, double value) {
  if (metric != options_.metric) {
    throw std::invalid_argument("typetune: this study measures '" + options_.metric +
                                "', but tell() got '" + std::string(metric) + "'");
  }
  if (std::isfinite(value)) {
    finish(number, {trial_state::complete, value, {}});
  } else {
    finish(number, {trial_state::diverged, {}, "objective returned " + std::to_string(value)});
  }
}

void study_core::tell_pruned(std::uint64_t number) { finish(number, {trial_state::pruned, {}, {}}); }

void study_core::tell_failure(std::uint64_t number, trial_state state, std::string message) {
  if (state != trial_state::failed && state != trial_state::diverged &&
      state != trial_state::out_of_memory) {
    throw std::invalid_argument("typetune: tell_failure() takes failed, diverged or out_of_memory, not " +
                                std::string(to_string(state)));
  }
  finish(number, {state, {}, std::move(message)});
}

void study_core::finish(std::uint64_t number, const evaluation& result) {
  std::lock_guard lock(mutex_);
  finish_locked(number, result);
}

void study_core::finish_locked(std::uint64_t number, const evaluation& result) {
  const auto& t = running_trial(number);
  if (result.state == trial_state::running) {
    throw std::invalid_argument("typetune: a trial cannot finish as running");
  }
  if (result.state == trial_state::complete && (!result.value || !std::isfinite(*result.value))) {
    // The rule tell() applies: a complete trial has a finite value, so best_trial() never sees
    // NaN (which compares false with everything) or a missing value.
    if (!result.value) {
      finish_locked(number, {trial_state::failed, std::nullopt, "finished as complete without a value"});
    } else {
      finish_locked(number, {trial_state::diverged, std::nullopt, "objective returned " + std::to_string(*result.value)});
    }
    return;
  }
  std::optional<double> value = result.value;
  if ((result.state == trial_state::pruned || result.state == trial_state::interrupted) && !value &&
      !t.intermediate.empty()) {
    value = t.intermediate.rbegin()->second;  // what it had reached when it was stopped
  }
  double duration = 0;
  if (const auto it = started_.find(number); it != started_.end()) {
    duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second).count();
    started_.erase(it);
  }
  if (result.state == trial_state::failed || result.state == trial_state::out_of_memory) {
    ++consecutive_failures_;
    last_failure_ = "trial " + std::to_string(number) + " " +
                    std::string(to_string(result.state)) + ": " + result.message;
  } else if (result.state == trial_state::complete || result.state == trial_state::pruned) {
    consecutive_failures_ = 0;
  }
  store_->finish(number, result.state, value, result.message, duration);
  if (options_.on_trial_end) options_.on_trial_end(store_->get(number));
}

std::string describe_trial(const space_desc& space, const trial_record& t, std::string_view metric) {
  char head[160];
  std::snprintf(head, sizeof head, "trial %llu %s", static_cast<unsigned long long>(t.number),
                std::string(to_string(t.state)).c_str());
  std::string line = head;
  const auto add = [&line](std::string_view name, double v) {
    char text[64];
    std::snprintf(text, sizeof text, "=%.6g", v);
    line += ' ';
    line += name;
    line += text;
  };
  if (t.value) add(metric, *t.value);
  for (const auto& [name, v] : t.metrics) add(name, v);
  char took[48];
  std::snprintf(took, sizeof took, " in %.3g s: ", t.duration_s);
  line += took;
  line += space.format(t.params);
  if (!t.message.empty()) line += " (" + t.message + ")";
  return line;
}

evaluation study_core::evaluate(const trial_ticket& ticket, const objective& f,
                                std::optional<std::int64_t> resource, std::int64_t resumed_from,
                                std::optional<std::chrono::duration<double>> time_limit) {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (time_limit) {
    deadline = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(*time_limit);
  }
  trial_context context(*this, ticket.number, ticket.params, resource, resumed_from, deadline);
  outcome result(0.0);
  try {
    result = f(context);
  } catch (const trial_pruned&) {
    return {trial_state::pruned, {}, {}};
  } catch (const interrupted&) {
    return {trial_state::interrupted, {}, "stop requested"};
  } catch (const trial_timeout&) {
    if (!time_limit) return {trial_state::failed, {}, "time limit reached"};
    char text[64];
    std::snprintf(text, sizeof text, "time limit of %g s reached", time_limit->count());
    return {trial_state::failed, {}, text};
  } catch (const out_of_memory_error& e) {
    return {trial_state::out_of_memory, {}, e.what()};
  } catch (const std::bad_alloc& e) {
    return {trial_state::out_of_memory, {}, e.what()};
  } catch (const std::exception& e) {
    return {trial_state::failed, {}, e.what()};
  } catch (...) {
    return {trial_state::failed, {}, "unknown exception (not derived from std::exception)"};
  }
  if (result.is_pruned()) return {trial_state::pruned, {}, {}};
  if (context.saw_stop_) {
    // It saw the stop request and returned early: its value is of a partly trained model.
    std::optional<double> partial;
    if (std::isfinite(result.value())) partial = result.value();
    return {trial_state::interrupted, partial, "stop requested"};
  }
  if (!result.metric().empty() && result.metric() != options_.metric) {
    // Not a property of this trial: every trial would fail the same way, so stop the run.
    throw std::invalid_argument("typetune: the objective returned metric '" + result.metric() +
                                "', but this study measures '" + options_.metric + "'");
  }
  if (!std::isfinite(result.value())) {
    return {trial_state::diverged, {}, "objective returned " + std::to_string(result.value())};
  }
  return {trial_state::complete, result.value(), {}};
}

run_summary study_core::optimize(const objective& f, const run_budget& budget) {
  const auto start = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> reserved{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> exhausted{false};
  std::atomic<bool> timed_out{false};
  std::mutex local_mutex;  // guards error and started (this call's own trials)
  std::exception_ptr error;
  std::vector<std::uint64_t> started;

  const auto worker = [&] {
    try {
      while (!stop.load()) {
        if (stop_requested()) return;
        if (budget.time_limit && std::chrono::steady_clock::now() - start >= *budget.time_limit) {
          timed_out = true;
          return;
        }
        // Reserve a slot first so that exactly max_trials trials start, whatever the workers.
        if (reserved.fetch_add(1) >= budget.max_trials) return;
        auto ticket = ask();
        if (!ticket) {
          exhausted = true;
          stop = true;
          return;
        }
        {
          std::lock_guard lock(local_mutex);
          started.push_back(ticket->number);
        }
        evaluation result;
        try {
          result = evaluate(*ticket, f, std::nullopt, 0, budget.trial_time_limit);
        } catch (const std::exception& e) {
          finish(ticket->number, {trial_state::failed, {}, e.what()});
          throw;
        }
        finish(ticket->number, result);
      }
    } catch (...) {
      std::lock_guard lock(local_mutex);
      if (!error) error = std::current_exception();
      stop = true;
    }
  };

  const std::size_t workers = std::max<std::size_t>(1, budget.workers);
  if (workers == 1) {
    worker();
  } else {
    std::vector<std::jthread> threads;
    threads.reserve(workers);
    for (std::size_t w = 0; w < workers; ++w) threads.emplace_back(worker);
  }
  const bool was_stopped = clear_stop_request();
  if (error) std::rethrow_exception(error);

  run_summary summary;
  summary.trials_started = started.size();
  summary.timed_out = timed_out.load();
  summary.interrupted = was_stopped;
  summary.exhausted = exhausted.load();
  if (!summary.exhausted) {
    // The budget may have ended exactly at a finite sampler's last proposal.
    std::lock_guard lock(mutex_);
    const study_view view{space_, store_->all(), options_.dir, options_.seed};
    const auto capacity = sampler_->capacity(view);
    summary.exhausted = queue_.empty() && capacity && proposals_ >= *capacity;
  }
  std::sort(started.begin(), started.end());
  summary.failures = summarize_failures(started);
  return summary;
}

std::vector<failure_group> study_core::summarize_failures(std::span<const std::uint64_t> numbers) const {
  std::vector<failure_group> groups;
  std::lock_guard lock(mutex_);
  for (const auto number : numbers) {
    const auto& t = store_->get(number);
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

std::optional<trial_record> study_core::best_trial() const {
  std::lock_guard lock(mutex_);
  const trial_record* best = nullptr;
  for (const auto& t : store_->all()) {
    if (t.state != trial_state::complete || !t.value) continue;
    const bool better = !best || (options_.dir == direction::minimize ? *t.value < *best->value
                                                                      : *t.value > *best->value);
    if (better) best = &t;
  }
  if (!best) return std::nullopt;
  return *best;
}

std::vector<trial_record> study_core::trials() const {
  std::lock_guard lock(mutex_);
  const auto all = store_->all();
  return {all.begin(), all.end()};
}

trial_record study_core::trial(std::uint64_t number) const {
  std::lock_guard lock(mutex_);
  return store_->get(number);
}

std::size_t study_core::consecutive_failures() const {
  std::lock_guard lock(mutex_);
  return consecutive_failures_;
}

}  // namespace typetune
