// The non-template study: ask/tell with trial numbers, the optimize() driver with worker
// threads and a time limit, trial states, the consecutive-failure stop and the best trial, kept
// in a trial_storage that other processes may share (resume, heartbeats, stale trials).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "typetune/desc/direction.hpp"
#include "typetune/desc/objectives.hpp"
#include "typetune/desc/space_desc.hpp"
#include "typetune/desc/trial.hpp"
#include "typetune/engine/pruner.hpp"
#include "typetune/engine/sampler.hpp"
#include "typetune/engine/trial_context.hpp"
#include "typetune/engine/trial_storage.hpp"

namespace typetune {

struct study_options {
  std::string metric = "value";  // declared once; every tell() and named outcome must match
  direction dir = direction::minimize;
  // Further objectives, for a study with several: each a named metric that every complete trial
  // records (set_metric(), or a named value of the outcome). Such a study has a Pareto front
  // (pareto_front()) rather than a best trial, needs a sampler that supports it
  // (sampler::supports_goals) and takes no pruner.
  std::vector<objective_spec> extra_objectives = {};
  // Constraints on named metrics that every complete trial records: a trial is feasible when
  // each is at most its bound. best_trial() and pareto_front() hold feasible trials only, and
  // the sampler must support them.
  std::vector<constraint_spec> constraints = {};
  std::uint64_t seed = 0;  // the only source of randomness; passed to the sampler
  // Failed and out_of_memory trials in a row (in the order they finish) before ask() and
  // optimize() give up with too_many_failures_error. Diverged trials do not count: a sampler
  // exploring a too-large learning rate is not a broken objective. 0 disables the stop.
  std::size_t max_consecutive_failures = 5;
  // Called once per trial as it is recorded (any final state), under the study's lock: keep it
  // short (a log line, a progress bar), and do not call back into the study from it.
  std::function<void(const trial_record&)> on_trial_end = {};

  // Persistence (the storage is the constructor's last argument). A study is found by name; a
  // stored study must have been made with the same direction, metric and seed, and the same
  // space unless allow_space_changes accepts a compatible change (space_diff.hpp).
  std::string study_name = "default";
  bool allow_space_changes = false;
  // With a shared storage, each running trial's worker writes a heartbeat this often; a
  // running trial whose heartbeat is older than stale_after (or whose worker process on this
  // host is gone) is re-queued with the same parameters and seed, and failed once it has been
  // re-queued max_retries times.
  // heartbeat_interval must be positive and stale_after longer than it (the constructor
  // throws std::invalid_argument otherwise).
  std::chrono::duration<double> heartbeat_interval{10.0};
  std::chrono::duration<double> stale_after{60.0};
  std::uint32_t max_retries = 3;
  // How long the calls made for a running trial (report, set_metric, should_prune, tell, the
  // end of a trial) and ask() keep retrying a storage that fails with an io error (a database
  // that restarts, a lock held past the busy timeout), with waits growing from 50 ms to 2 s.
  // Past it the error ends the run (optimize() throws it) and the trial is not marked failed:
  // the database, not the trial, was at fault, and the heartbeat's grace period hands the trial
  // to another worker. 0: no retry.
  std::chrono::duration<double> storage_retry{60.0};

  // The objectives (metric and dir first, then extra_objectives) and the constraints.
  [[nodiscard]] objective_set goals() const {
    objective_set out{{{metric, dir}}, constraints};
    out.objectives.insert(out.objectives.end(), extra_objectives.begin(), extra_objectives.end());
    return out;
  }
};

// One line for a finished trial: "trial 12 complete val_loss=0.3123 val_acc=0.91 in 0.41 s:
// dense_bot=200, ..." (the objective's value, then the named metrics in name order).
[[nodiscard]] std::string describe_trial(const space_desc& space, const trial_record& t, std::string_view metric);

struct run_budget {
  std::uint64_t max_trials = 100;                           // trials started by this optimize() call
  std::optional<std::chrono::duration<double>> time_limit;  // no new trial starts after it
  std::size_t workers = 1;                                  // threads, each running one trial at a time
  // Per trial: trial_context::deadline() is the trial's start plus this; see out_of_time().
  std::optional<std::chrono::duration<double>> trial_time_limit = std::nullopt;
  // The study's own budget, shared by every run and process on it: no trial is created once
  // the study holds this many (numbers 0 .. study_trials - 1), decided inside the storage's
  // write transaction, so N processes started together on one study create exactly this many.
  // A re-queued trial of a dead worker still runs again: on a shared storage, one thread of a
  // call that finds the budget spent waits (polling each second) while other processes still
  // run trials of the study, and takes back any whose worker dies. nullopt: max_trials alone
  // decides.
  std::optional<std::uint64_t> study_trials = std::nullopt;
};

// Trials of one run that ended failed, out_of_memory or diverged with the same message.
struct failure_group {
  trial_state state = trial_state::failed;
  std::string message;
  std::uint64_t count = 0;
  std::uint64_t first_trial = 0;  // the lowest trial number with it
};

struct run_summary {
  std::uint64_t trials_started = 0;  // by this call only (not by another running at once)
  // The sampler had nothing left (a finite space fully explored), also when the budget ended
  // exactly at the last configuration.
  bool exhausted = false;
  bool timed_out = false;
  bool interrupted = false;             // a stop was requested (Ctrl-C): no new trial started after it
  bool study_budget_spent = false;      // the study held run_budget::study_trials trials
  std::vector<failure_group> failures;  // by first trial number

  // "3 of 20 trials did not complete:\n  2 failed (first: trial 4): cuda error ...\n...";
  // empty when every trial completed (or was pruned or interrupted).
  [[nodiscard]] std::string failures_text() const;
};

// How a run (optimize(), a schedule) ended, as study_core::summarize_run() puts it in the summary.
struct run_end {
  bool exhausted = false;  // see run_summary::exhausted
  bool timed_out = false;
  bool interrupted = false;         // a stop was requested (clear_stop_request() said so)
  bool study_budget_spent = false;  // see run_summary::study_budget_spent
};

// A trial handed out by ask(): its number, the assignment (inactive parameters monostate) and
// the seed of its own random stream (see trial_seed()).
struct trial_ticket {
  std::uint64_t number = 0;
  assignment params;
  std::uint64_t seed = 0;
};

// A trial handed out for an ask/tell loop (study_core::ask_trial): its ticket, and a context
// over it through which report(), should_prune() and set_metric() reach the study as they do
// from an objective that optimize() runs. The trial ends with study_core::tell() and friends.
class asked_trial {
 public:
  asked_trial(const asked_trial&) = delete;
  asked_trial& operator=(const asked_trial&) = delete;
  [[nodiscard]] const trial_ticket& ticket() const noexcept { return ticket_; }
  [[nodiscard]] trial_context& context() noexcept { return context_; }
  [[nodiscard]] const trial_context& context() const noexcept { return context_; }

 private:
  friend class study_core;
  asked_trial(study_core& study, trial_ticket ticket)
      : ticket_(std::move(ticket)), context_(study, ticket_.number, ticket_.params, ticket_.seed, std::nullopt, 0) {}
  trial_ticket ticket_;  // before context_, which refers to its parameters
  trial_context context_;
};

// The seed a trial records and hands its objective: a pure function of the study's seed and the
// trial's number, so that a re-run (after its worker died) draws the same numbers.
[[nodiscard]] std::uint64_t trial_seed(std::uint64_t study_seed, std::uint64_t number) noexcept;

// Each trial records its seed, start time, worker ("host:pid", this_worker()) and peak memory:
// peak_rss_bytes is the process's peak resident set size (getrusage's ru_maxrss) read when the
// trial ends. The kernel's high-water mark is reset (/proc/self/clear_refs) when a trial starts
// while no other trial of this study runs in the process, so with one trial at a time it is
// that trial's own peak (never below the RSS of the image the process was exec'd from); with
// several worker threads it covers whatever ran beside it.
class study_core {
 public:
  // A null storage means a private in-memory one; a null pruner never prunes. Opens (or
  // creates) the study options.study_name in the storage: a stored study continues, its
  // trials re-feeding the sampler. Throws storage_error (study_mismatch) naming what differs
  // when the stored study has another direction, metric, seed or space.
  study_core(space_desc space, std::unique_ptr<sampler> sampler, study_options options = {},
             std::unique_ptr<pruner> pruner = nullptr, std::shared_ptr<trial_storage> storage = nullptr);
  ~study_core();
  study_core(const study_core&) = delete;
  study_core& operator=(const study_core&) = delete;

  [[nodiscard]] const space_desc& space() const noexcept { return space_; }
  [[nodiscard]] const study_options& options() const noexcept { return options_; }

  // A new running trial, or nullopt when a finite sampler is exhausted. Throws
  // too_many_failures_error after too many consecutive failures, and whatever the sampler
  // throws (a grid over a continuous space).
  [[nodiscard]] std::optional<trial_ticket> ask();
  // ask() under the study's own budget (run_budget::study_trials): nullopt, with
  // *budget_spent set, once the study holds study_trials trials and none waits to run again.
  [[nodiscard]] std::optional<trial_ticket> ask(std::optional<std::uint64_t> study_trials, bool* budget_spent);
  // ask() for an ask/tell loop: the trial with a context for report() and should_prune();
  // null when a finite sampler is exhausted.
  [[nodiscard]] std::unique_ptr<asked_trial> ask_trial();

  // Queues a known configuration: the next ask() hands it out (first in, first out) before the
  // sampler is consulted. Throws assignment_error naming the parameter unless it fits the space.
  void enqueue(assignment params);
  [[nodiscard]] std::size_t enqueued() const;  // queued, not yet asked

  // Asks running optimize() calls (and schedules) to stop: no new trial starts, and running
  // objectives see trial_context::stop_requested(). Only stores to a lock-free atomic, so a
  // signal handler may call it. optimize() clears the request when it returns; a request made
  // while none runs stops the next one before its first trial.
  void request_stop() noexcept { stop_requested_.store(true); }
  [[nodiscard]] bool stop_requested() const noexcept { return stop_requested_.load(); }
  bool clear_stop_request() noexcept { return stop_requested_.exchange(false); }  // was it set?

  // A named metric of a running trial (see trial_context::set_metric).
  void set_metric(std::uint64_t number, std::string name, double value);

  void report(std::uint64_t number, std::int64_t step, double value);
  [[nodiscard]] bool should_prune(std::uint64_t number);

  // Completes a trial with its value (diverged for NaN/inf). Throws std::invalid_argument when
  // `metric` is not the study's metric or the trial is not running.
  void tell(std::uint64_t number, std::string_view metric, double value);
  // Completes a trial with an outcome of several named values (see outcome): the first
  // objective's is its value, the others are recorded as its metrics; one outcome value is
  // tell(number, metric, value). Throws std::invalid_argument for a name that is none of the
  // study's objectives and constraints.
  void tell(std::uint64_t number, const outcome& result);
  // Ends a running trial as pruned (its value is the last reported one).
  void tell_pruned(std::uint64_t number);
  // Ends a running trial as failed, diverged or out_of_memory, keeping `message`.
  void tell_failure(std::uint64_t number, trial_state state, std::string message);

  // Runs ask -> objective -> tell on budget.workers threads until max_trials trials started,
  // the time limit passed, a stop was requested or the sampler is exhausted; running trials
  // always finish. Rethrows the first error that stopped it (too_many_failures_error, a
  // sampler's error). Several calls may run at once; each summary counts its own trials.
  run_summary optimize(const objective& f, const run_budget& budget);

  // For schedulers: runs the objective for an asked trial, classifying how it ended, without
  // ending the trial; then finish() records it. `time_limit`: the trial's deadline is now plus it.
  [[nodiscard]] trial_result evaluate(const trial_ticket& ticket, const objective& f,
                                      std::optional<std::int64_t> resource = std::nullopt,
                                      std::int64_t resumed_from = 0,
                                      std::optional<std::chrono::duration<double>> time_limit = std::nullopt);
  // Records how a running trial ended. The same rule as tell(): a complete result with a NaN or
  // infinite value is recorded as diverged, one with no value as failed.
  void finish(std::uint64_t number, const trial_result& result);

  // The failed, out_of_memory and diverged trials among `numbers`, grouped by state and message.
  [[nodiscard]] std::vector<failure_group> summarize_failures(std::span<const std::uint64_t> numbers) const;
  // The summary of a run that started the trials `started` (in any order) and ended as `end`
  // says: their count and their failures (summarize_failures). optimize() and the schedules
  // (tt::hyperband, tt::successive_halving) both report through it.
  [[nodiscard]] run_summary summarize_run(std::vector<std::uint64_t> started, const run_end& end) const;

  // Looks for running trials whose worker stopped (see study_options::stale_after) and re-queues
  // them; returns how many it took back. ask() does this by itself at most once per
  // heartbeat_interval, and the constructor once; a no-op for a store no other process shares.
  std::size_t requeue_stale();

  // The study's attributes as stored: the engine's own ("objective", "seed", "sampler") and what
  // set_attributes added. set_attributes merges `attributes` into them in one transaction, for
  // figures computed after the search ("test_accuracy", "gain_points"); it throws
  // storage_error (study_mismatch) for a changed engine key and changes nothing then.
  void set_attributes(const std::map<std::string, std::string>& attributes);
  [[nodiscard]] std::map<std::string, std::string> attributes() const;

  [[nodiscard]] trial_storage& storage() const noexcept { return *storage_; }
  [[nodiscard]] std::uint64_t study_id() const noexcept { return study_id_; }
  [[nodiscard]] const std::string& worker() const noexcept { return worker_; }
  // Trials this process ran whose results were dropped because another worker had taken them
  // back (their heartbeat had lapsed); they run again elsewhere.
  [[nodiscard]] std::uint64_t lost_trials() const;

  // The complete trial with the best value (better(); ties: the lowest number), if any; with
  // constraints, the best feasible one. Throws std::logic_error for a study with several
  // objectives, which has a front instead.
  [[nodiscard]] std::optional<trial_record> best_trial() const;
  // The complete, feasible trials that no other such trial dominates (pareto.hpp), ordered by
  // number; for a study with one objective, the best trial and any that tie with it.
  [[nodiscard]] std::vector<trial_record> pareto_front() const;
  // The study's objectives and constraints (study_options::goals()).
  [[nodiscard]] const objective_set& goals() const noexcept { return goals_; }
  // A consistent snapshot of every trial, ordered by number (read from the storage: with a
  // shared one it includes other workers' trials).
  [[nodiscard]] std::vector<trial_record> trials() const;
  [[nodiscard]] trial_record trial(std::uint64_t number) const;
  [[nodiscard]] std::size_t consecutive_failures() const;

 private:
  // A trial this object handed out and has not finished.
  struct own_trial {
    std::uint32_t attempt = 0;
    std::chrono::steady_clock::time_point started;
    bool lost = false;  // the storage refused a write: another worker took it back
                        // This worker's own copy of the running trial, which report(), set_metric() and finish
    // change in place while cache_ holds it and no one else does (see edit_locked).
    std::shared_ptr<trial_record> record;
  };

  void open_study();
  own_trial& running_trial(std::uint64_t number);  // caller holds mutex_
  // The record of a running trial of this worker, to change: cache_'s entry when it is the
  // worker's own copy and nobody else holds it, else a new copy that replaces the entry.
  trial_record& edit_locked(std::shared_ptr<trial_record>& mine, std::uint64_t number);
  void finish_locked(std::uint64_t number, const trial_result& result);
  void refresh_locked() const;
  void apply_locked(const trial_delta& delta) const;
  void sync_snapshot_locked();  // caller holds sampler_mutex_ and mutex_
  std::size_t requeue_stale_locked();
  void heartbeat_loop(std::stop_token stop);

  // The view samplers and pruners get: goals_ is passed only when there is more than the one
  // objective (several objectives, or constraints).
  [[nodiscard]] study_view view_of(trial_span trials) const {
    return {space_, trials, options_.dir, options_.seed, goals_.several() || goals_.constrained() ? &goals_ : nullptr};
  }
  void check_goals() const;
  double record_named_values(std::uint64_t number, const outcome& result);

  space_desc space_;
  study_options options_;
  objective_set goals_;
  std::unique_ptr<sampler> sampler_;
  std::unique_ptr<pruner> pruner_;
  std::shared_ptr<trial_storage> storage_;
  std::uint64_t study_id_ = 0;
  std::string worker_;

  // Lock order: sampler_mutex_, then mutex_. The sampler runs under sampler_mutex_ alone, on
  // snapshot_, so that a slow proposal (a GP fit) does not hold up other threads' report(),
  // should_prune() and tell(), which need mutex_ only.
  std::mutex sampler_mutex_;
  // cache_ as the sampler last saw it, under sampler_mutex_: the same records as cache_ (shared
  // pointers), so a trial costs a pointer here.
  std::vector<shared_trial> snapshot_;
  mutable std::mutex mutex_;
  // The study as last read: every trial by number, and the storage version it is as of.
  // A record here is shared with the storage (memory) and snapshot_, and never changed while it is
  // shared: see edit_locked.
  mutable std::vector<shared_trial> cache_;
  // Trials of cache_ changed since snapshot_ was last brought up to date (numbers below its size).
  mutable std::vector<std::uint64_t> dirty_;
  mutable std::uint64_t version_ = 0;
  std::unordered_map<std::uint64_t, own_trial> running_;
  std::uint64_t lost_ = 0;
  std::size_t consecutive_failures_ = 0;
  std::string last_failure_;
  std::deque<assignment> queue_;         // enqueued configurations, handed out before sampling
  mutable std::uint64_t proposals_ = 0;  // the study's sampler proposals so far (all workers)
  bool other_writers_ = false;           // another process took a proposal index this one expected
  std::chrono::steady_clock::time_point last_stale_scan_{};
  std::atomic<bool> stop_requested_{false};

  std::mutex heartbeat_mutex_;
  std::condition_variable_any heartbeat_wake_;
  std::jthread heartbeat_;
  static_assert(std::atomic<bool>::is_always_lock_free, "request_stop() must be async-signal-safe");
};

}  // namespace typetune
