// Running trials: evaluate() (one objective call, classified by how it ended) and optimize()
// (ask -> evaluate -> finish on a pool of worker threads, within a budget).
#include "typetune/engine/study_core.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "typetune/engine/errors.hpp"

namespace typetune {

trial_result study_core::evaluate(const trial_ticket& ticket, const objective& f, std::optional<std::int64_t> resource,
                                  std::int64_t resumed_from, std::optional<std::chrono::duration<double>> time_limit) {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (time_limit) {
    deadline = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(*time_limit);
  }
  trial_context context(*this, ticket.number, ticket.params, ticket.seed, resource, resumed_from, deadline);
  outcome result(0.0);
  try {
    result = f(context);
  } catch (const trial_pruned&) { return {trial_state::pruned, {}, {}}; } catch (const interrupted&) {
    return {trial_state::interrupted, {}, "stop requested"};
  } catch (const trial_timeout&) {
    if (!time_limit) return {trial_state::failed, {}, "time limit reached"};
    char text[64];
    std::snprintf(text, sizeof text, "time limit of %g s reached", time_limit->count());
    return {trial_state::failed, {}, text};
  } catch (const storage_error&) {
    throw;  // the storage's fault, not the trial's: see study_options::storage_retry
  } catch (const out_of_memory_error& e) {
    return {trial_state::out_of_memory, {}, e.what()};
  } catch (const std::bad_alloc& e) {
    return {trial_state::out_of_memory, {}, e.what()};
  } catch (const std::exception& e) { return {trial_state::failed, {}, e.what()}; } catch (...) {
    return {trial_state::failed, {}, "unknown exception (not derived from std::exception)"};
  }
  if (result.is_pruned()) return {trial_state::pruned, {}, {}};
  if (context.saw_stop_) {
    // It saw the stop request and returned early: its value is of a partly trained model.
    std::optional<double> partial;
    if (std::isfinite(result.value())) partial = result.value();
    return {trial_state::interrupted, partial, "stop requested"};
  }
  if (result.values().size() > 1) {
    const double first = record_named_values(ticket.number, result);
    if (!std::isfinite(first)) return {trial_state::diverged, {}, "objective returned " + std::to_string(first)};
    return {trial_state::complete, first, {}};
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

double study_core::record_named_values(std::uint64_t number, const outcome& result) {
  // The first objective's value is the trial's value, the others are recorded as its metrics. A
  // name the study does not know stops the run, as a wrong metric does.
  std::optional<double> first;
  for (const auto& [name, value] : result.values()) {
    if (name == options_.metric) {
      first = value;
    } else if (!goals_.names(name)) {
      throw std::invalid_argument("typetune: the objective returned a value for '" + name +
                                  "', which is none of this study's objectives and constraints (" + goals_.to_text() +
                                  ")");
    }
  }
  if (!first) {
    throw std::invalid_argument("typetune: the objective returned named values without '" + options_.metric +
                                "', this study's first objective");
  }
  for (const auto& [name, value] : result.values())
    if (name != options_.metric) set_metric(number, name, value);
  return *first;
}

run_summary study_core::optimize(const objective& f, const run_budget& budget) {
  const auto start = std::chrono::steady_clock::now();
  std::atomic<std::uint64_t> reserved{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> exhausted{false};
  std::atomic<bool> budget_spent{false};
  std::atomic<bool> timed_out{false};
  std::mutex local_mutex;  // guards error and started (this call's own trials)
  std::exception_ptr error;
  std::vector<std::uint64_t> started;
  std::atomic<bool> lingering{false};  // one thread of this call waits on other workers' trials
  std::atomic<bool> failed{false};     // a thread stopped the call with an error

  const auto out_of_time = [&] {
    return budget.time_limit && std::chrono::steady_clock::now() - start >= *budget.time_limit;
  };
  // Trials of a shared study that other processes run now: re-queued (and then run here) should
  // their worker die, which is why a worker whose study budget is spent waits for them.
  const auto running_elsewhere = [&] {
    requeue_stale();
    const auto running = storage_->running_trials(study_id_);
    std::lock_guard lock(mutex_);
    return std::count_if(running.begin(), running.end(), [&](const auto& r) {
      const auto own = running_.find(r.lease.number);
      return own == running_.end() || own->second.attempt != r.lease.attempt;
    });
  };
  // The study's budget is spent, but the last trials other workers run may still come back to
  // the queue: one thread per call polls until none runs elsewhere, taking any that comes back.
  const auto wait_for_requeued = [&](bool& i_wait) -> std::optional<trial_ticket> {
    if (!storage_->shared()) return std::nullopt;
    if (!i_wait) i_wait = !lingering.exchange(true);
    if (!i_wait) return std::nullopt;
    const auto poll = std::min(std::chrono::duration<double>(1.0), options_.heartbeat_interval);
    while (!failed.load() && !stop_requested() && !out_of_time()) {
      const auto others = running_elsewhere();  // after taking back the trials of dead workers
      bool spent = false;
      if (auto ticket = ask(budget.study_trials, &spent)) return ticket;  // one taken back
      if (others == 0) break;
      std::this_thread::sleep_for(poll);
    }
    return std::nullopt;
  };

  const auto worker = [&] {
    bool i_wait = false;  // this thread is the one that waits for other workers' trials
    try {
      while (!stop.load()) {
        if (stop_requested()) return;
        if (out_of_time()) {
          timed_out = true;
          return;
        }
        // Reserve a slot first so that exactly max_trials trials start, whatever the workers.
        if (reserved.fetch_add(1) >= budget.max_trials) return;
        bool spent = false;
        auto ticket = ask(budget.study_trials, &spent);
        if (!ticket && spent) ticket = wait_for_requeued(i_wait);
        if (!ticket) {
          (spent ? budget_spent : exhausted) = true;
          stop = true;
          return;
        }
        {
          std::lock_guard lock(local_mutex);
          started.push_back(ticket->number);
        }
        trial_result result;
        try {
          result = evaluate(*ticket, f, std::nullopt, 0, budget.trial_time_limit);
        } catch (const storage_error&) {
          throw;  // nothing can be recorded; the trial stays running for another worker to take
        } catch (const std::exception& e) {
          finish(ticket->number, {trial_state::failed, {}, e.what()});
          throw;
        }
        finish(ticket->number, result);
      }
    } catch (...) {
      std::lock_guard lock(local_mutex);
      if (!error) error = std::current_exception();
      failed = true;
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

  bool sampler_exhausted = exhausted.load();
  if (!sampler_exhausted) {
    // The budget may have ended exactly at a finite sampler's last proposal.
    std::lock_guard sampling(sampler_mutex_);
    std::lock_guard lock(mutex_);
    const study_view view = view_of(cache_);
    const auto capacity = sampler_->capacity(view);
    sampler_exhausted = queue_.empty() && capacity && proposals_ >= *capacity;
  }
  return summarize_run(std::move(started), {.exhausted = sampler_exhausted,
                                            .timed_out = timed_out.load(),
                                            .interrupted = was_stopped,
                                            .study_budget_spent = budget_spent.load()});
}

}  // namespace typetune
