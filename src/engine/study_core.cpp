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

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include "typetune/desc/space_diff.hpp"
#include "typetune/engine/errors.hpp"
#include "typetune/engine/random_stream.hpp"

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

namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The process's peak resident set size in bytes (getrusage: the larger of the kernel's high-water
// mark, which reset_peak_rss() lowers, and the RSS of the image this process was exec'd from).
// One system call: a trial's own bookkeeping stays well under a microsecond.
std::uint64_t peak_rss_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // KiB on Linux
}

// Resets the process's high-water mark to its current RSS (Linux >= 4.0, /proc/self/clear_refs);
// harmless where unsupported. The file stays open, reopened after a fork.
void reset_peak_rss() {
  static std::mutex mutex;
  static int fd = -1;
  static pid_t owner = 0;
  std::lock_guard lock(mutex);
  if (owner != ::getpid()) {
    if (fd >= 0) ::close(fd);
    fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    owner = ::getpid();
  }
  if (fd < 0) return;
  [[maybe_unused]] const auto written = ::write(fd, "5", 1);
}

// Whether `worker` ("host:pid") names a process on this host that no longer exists. A reused
// pid reads as alive: the heartbeat's grace period still catches that worker.
bool worker_is_gone(const std::string& worker, const std::string& self) {
  const auto colon = worker.rfind(':');
  const auto self_colon = self.rfind(':');
  if (colon == std::string::npos || self_colon == std::string::npos) return false;
  if (worker.compare(0, colon, self, 0, self_colon) != 0 || colon != self_colon) return false;
  long long pid = 0;
  const auto digits = worker.substr(colon + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  try {
    pid = std::stoll(digits);
  } catch (const std::exception&) {
    return false;
  }
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", s);
  return text;
}

}  // namespace

std::uint64_t trial_seed(std::uint64_t study_seed, std::uint64_t number) noexcept {
  random_stream rng(study_seed, number, stream_ids::trial_seed);
  return rng();
}

study_core::study_core(space_desc space, std::unique_ptr<sampler> sampler, study_options options,
                       std::unique_ptr<pruner> pruner, std::shared_ptr<trial_storage> storage)
    : space_(std::move(space)),
      options_(std::move(options)),
      sampler_(std::move(sampler)),
      pruner_(std::move(pruner)),
      storage_(storage ? std::move(storage) : make_memory_storage()),
      worker_(this_worker()) {
  if (!sampler_) throw std::invalid_argument("typetune: a study needs a sampler");
  if (options_.study_name.empty()) throw std::invalid_argument("typetune: a study needs a name (study_options::study_name)");
  open_study();
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
      abandoned.push_back({{number, own.attempt}, "abandoned by worker " + worker_ + " (its study ended before the trial did)"});
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

void study_core::open_study() {
  study_info wanted;
  wanted.name = options_.study_name;
  wanted.dir = options_.dir;
  wanted.space = space_;
  wanted.attributes = {{"objective", options_.metric},
                       {"seed", std::to_string(options_.seed)},
                       {"sampler", std::string(sampler_->name())}};
  auto stored = storage_->open_study(wanted);
  const std::string where = "typetune: study '" + options_.study_name + "' in " + storage_->url();
  const std::string ways_out = "; run it under another name (tt::study_name) or delete the stored study";
  if (stored.info.dir != options_.dir) {
    throw storage_error(storage_errc::study_mismatch, where + " was created to " + std::string(to_string(stored.info.dir)) +
                                                          ", but this program would " +
                                                          std::string(to_string(options_.dir)) + ways_out);
  }
  const auto& attrs = stored.info.attributes;
  if (const auto stored_objective = objective_name(stored.info);
      !stored_objective.empty() && stored_objective != options_.metric) {
    throw storage_error(storage_errc::study_mismatch, where + " measures '" + stored_objective +
                                                          "', but this program measures '" + options_.metric + "'" +
                                                          ways_out);
  }
  if (const auto it = attrs.find("seed"); it != attrs.end() && it->second != std::to_string(options_.seed)) {
    throw storage_error(storage_errc::study_mismatch,
                        where + " was created with seed " + it->second + ", but this program uses seed " +
                            std::to_string(options_.seed) +
                            " (samplers derive every proposal from the seed: mixing seeds repeats or skips "
                            "configurations)" + ways_out);
  }
  if (!(stored.info.space == space_)) {
    const auto diff = diff_spaces(stored.info.space, space_);
    if (diff.empty() || (options_.allow_space_changes && diff.compatible())) {
      storage_->change_space(stored.id, space_);
    } else if (options_.allow_space_changes) {
      throw storage_error(storage_errc::study_mismatch,
                          where + " has another space, and not every change keeps its stored trials valid:\n" +
                              diff.to_text() +
                              "allow_space_changes accepts only widened ranges, added choice values and parameters "
                              "added with a default" + ways_out);
    } else {
      throw storage_error(storage_errc::study_mismatch,
                          where + " was created with another space:\n" + diff.to_text() +
                              (diff.compatible() ? "every change keeps the stored trials valid: pass "
                                                   "tt::allow_space_changes{} (study_options::allow_space_changes) to "
                                                   "continue with the new space"
                                                 : "run it under another name (tt::study_name) or delete the stored "
                                                   "study"));
    }
  }
  study_id_ = stored.id;
  proposals_ = stored.proposals;
  std::lock_guard lock(mutex_);
  requeue_stale_locked();
  refresh_locked();
}

void study_core::set_attributes(const std::map<std::string, std::string>& attributes) {
  storage_->set_study_attributes(study_id_, attributes);
}

std::map<std::string, std::string> study_core::attributes() const {
  // Found by name, as another process would; the id tells a study deleted and made again apart.
  const auto stored = storage_->find_study(options_.study_name);
  if (!stored || stored->id != study_id_) {
    throw storage_error(storage_errc::not_found, "typetune: study '" + options_.study_name + "' in " + storage_->url() +
                                                     " no longer exists (was it deleted?)");
  }
  return stored->info.attributes;
}

void study_core::refresh_locked() const { apply_locked(storage_->read_trials(study_id_, version_)); }

void study_core::apply_locked(const trial_delta& delta) const {
  for (const auto& t : delta.trials) {
    if (t.number < cache_.size()) {
      cache_[t.number] = t;
      dirty_.push_back(t.number);
    } else if (t.number == cache_.size()) {
      cache_.push_back(t);
    } else {
      throw storage_error(storage_errc::corrupt, "typetune: study '" + options_.study_name + "' in " + storage_->url() +
                                                     ": trial numbers jump from " + std::to_string(cache_.size()) +
                                                     " to " + std::to_string(t.number) + " (trials were deleted)");
    }
  }
  version_ = std::max(version_, delta.version);
  proposals_ = std::max(proposals_, delta.proposals);  // other workers' proposals, for ask()
}

void study_core::sync_snapshot_locked() {
  if (dirty_.size() > cache_.size()) {
    snapshot_ = cache_;  // many reports since the last proposal: one full copy is cheaper
  } else {
    const auto known = snapshot_.size();
    for (const auto number : dirty_)
      if (number < known) snapshot_[number] = cache_[number];
    snapshot_.insert(snapshot_.end(), cache_.begin() + static_cast<std::ptrdiff_t>(known), cache_.end());
  }
  dirty_.clear();
}

std::size_t study_core::requeue_stale() {
  std::lock_guard lock(mutex_);
  return requeue_stale_locked();
}

std::size_t study_core::requeue_stale_locked() {
  last_stale_scan_ = std::chrono::steady_clock::now();
  if (!storage_->shared()) return 0;
  const double now = unix_now();
  std::vector<stale_trial> stale;
  for (const auto& r : storage_->running_trials(study_id_)) {
    if (const auto own = running_.find(r.lease.number); own != running_.end() && own->second.attempt == r.lease.attempt) {
      continue;
    }
    const double silent = now - r.heartbeat;
    if (worker_is_gone(r.worker, worker_)) {
      stale.push_back({r.lease, "worker " + r.worker + " is no longer running"});
    } else if (silent > options_.stale_after.count()) {
      stale.push_back({r.lease, "worker " + r.worker + " sent no heartbeat for " + seconds_text(silent) + " s (limit " +
                                    seconds_text(options_.stale_after.count()) + " s)"});
    }
  }
  if (stale.empty()) return 0;
  return storage_->requeue(study_id_, stale, options_.max_retries).size();
}

void study_core::heartbeat_loop(std::stop_token stop) {
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.heartbeat_interval);
  std::unique_lock wait_lock(heartbeat_mutex_);
  while (!stop.stop_requested()) {
    heartbeat_wake_.wait_for(wait_lock, stop, interval, [] { return false; });
    if (stop.stop_requested()) return;
    std::vector<trial_lease> leases;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [number, own] : running_)
        if (!own.lost) leases.push_back({number, own.attempt});
    }
    if (leases.empty()) continue;
    try {
      storage_->heartbeat(study_id_, leases, unix_now());
    } catch (const std::exception&) {
      // A busy or briefly unreachable database: the next beat tries again, and the grace period
      // is several beats long.
    }
  }
}

std::optional<trial_ticket> study_core::ask() {
  std::unique_lock sampling(sampler_mutex_);  // one proposal at a time in this process
  std::unique_lock lock(mutex_);
  if (options_.max_consecutive_failures > 0 &&
      consecutive_failures_ >= options_.max_consecutive_failures) {
    throw too_many_failures_error(
        "typetune: study stopped after " + std::to_string(consecutive_failures_) +
        " consecutive failed trials (last: " + last_failure_ +
        "); fix the objective or raise study_options::max_consecutive_failures");
  }
  if (storage_->shared() && std::chrono::steady_clock::now() - last_stale_scan_ >= options_.heartbeat_interval) {
    requeue_stale_locked();
  }
  // The proposal is made before the trial is created, outside mutex_ and outside the storage's
  // write transaction: other threads report, prune and finish meanwhile. It is made for the
  // proposal index this process last saw; should another process have used that index in the
  // meantime, the trial is proposed again inside the transaction, for the index it gets. Once
  // that has happened, other processes are writing to the study: from then on the trials and the
  // index are read afresh before each proposal (one more read; a lone process skips it).
  struct early_proposal {
    std::uint64_t index = 0;
    std::optional<assignment> params;
  };
  const auto sample_at = [&](std::uint64_t index) {  // on snapshot_, under sampler_mutex_
    auto params = sampler_->sample(study_view{space_, snapshot_, options_.dir, options_.seed}, index);
    if (params) space_.validate(*params);  // a sampler bug must not reach the objective or the records
    return params;
  };
  std::optional<early_proposal> early;
  if (queue_.empty()) {
    if (other_writers_) refresh_locked();
    sync_snapshot_locked();
    const std::uint64_t index = proposals_;
    lock.unlock();
    early = early_proposal{index, sample_at(index)};
    lock.lock();
  }
  bool from_queue = false;
  bool proposed = false;
  const auto propose = [&](const proposal_slot& slot) -> std::optional<new_trial> {
    apply_locked(slot.changes);
    proposed = true;
    new_trial t;
    if (!queue_.empty()) {
      t.params = queue_.front();  // validated by enqueue(); popped once the trial is stored
      t.proposals_used = 0;
      from_queue = true;
    } else if (early && early->index == slot.proposal) {
      if (!early->params) return std::nullopt;
      t.params = std::move(*early->params);
      t.proposals_used = 1;
    } else {
      // Another process took the index: propose again, here under the locks, for the new one.
      if (early) other_writers_ = true;
      sync_snapshot_locked();
      auto params = sample_at(slot.proposal);
      if (!params) return std::nullopt;
      t.params = std::move(*params);
      t.proposals_used = 1;
    }
    t.seed = trial_seed(options_.seed, slot.number);
    return t;
  };
  auto created = storage_->create_trial(study_id_, version_, worker_, unix_now(), propose);
  if (proposed && created.trial) {
    // The proposer already applied what changed before it; only the new trial is left.
    apply_locked(trial_delta{{*created.trial}, created.changes.version});
  } else {
    apply_locked(created.changes);
  }
  proposals_ = created.proposals;
  if (!created.trial) return std::nullopt;
  if (from_queue && !created.was_waiting) queue_.pop_front();
  if (running_.empty()) reset_peak_rss();
  running_[created.lease.number] = own_trial{created.lease.attempt, std::chrono::steady_clock::now(), false};
  if (storage_->shared() && !heartbeat_.joinable()) {
    heartbeat_ = std::jthread([this](std::stop_token stop) { heartbeat_loop(std::move(stop)); });
  }
  return trial_ticket{created.trial->number, std::move(created.trial->params), created.trial->seed};
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

study_core::own_trial& study_core::running_trial(std::uint64_t number) {
  const auto it = running_.find(number);
  if (it != running_.end()) return it->second;
  if (number >= cache_.size()) refresh_locked();
  if (number >= cache_.size()) throw std::out_of_range("typetune: no trial " + std::to_string(number));
  const auto& t = cache_[number];
  if (t.state == trial_state::running) {
    throw std::invalid_argument("typetune: trial " + std::to_string(number) + " is running in another worker (" +
                                t.worker + "), not in this one");
  }
  throw std::invalid_argument("typetune: trial " + std::to_string(number) + " is " + std::string(to_string(t.state)) +
                              ", not running");
}

void study_core::set_metric(std::uint64_t number, std::string name, double value) {
  if (name.empty()) throw std::invalid_argument("typetune: set_metric() needs a name");
  if (name == options_.metric) {
    throw std::invalid_argument("typetune: '" + name +
                                "' is the study's objective metric; return it from the objective, "
                                "and give set_metric() other names");
  }
  std::lock_guard lock(mutex_);
  auto& own = running_trial(number);
  if (own.lost) return;
  if (!storage_->set_metric(study_id_, {number, own.attempt}, name, value)) {
    own.lost = true;
    return;
  }
  cache_[number].metrics[std::move(name)] = value;
  dirty_.push_back(number);
}

void study_core::report(std::uint64_t number, std::int64_t step, double value) {
  std::lock_guard lock(mutex_);
  auto& own = running_trial(number);
  if (own.lost) return;
  if (!storage_->report(study_id_, {number, own.attempt}, step, value)) {
    own.lost = true;
    return;
  }
  cache_[number].intermediate[step] = value;
  dirty_.push_back(number);
}

bool study_core::should_prune(std::uint64_t number) {
  std::lock_guard lock(mutex_);
  const auto& own = running_trial(number);
  if (own.lost) return true;  // another worker runs it again: stop spending on this copy
  if (!pruner_ || cache_[number].intermediate.empty()) return false;
  // Decisions read the shared snapshot: with many workers, ASHA's rungs hold every worker's
  // trials that reached them.
  refresh_locked();
  if (cache_[number].state != trial_state::running) return true;
  const study_view view{space_, cache_, options_.dir, options_.seed};
  return pruner_->should_prune(view, cache_[number]);
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
      finish_locked(number, {trial_state::diverged, std::nullopt, "objective returned " + std::to_string(*result.value)});
    }
    return;
  }
  auto& t = cache_[number];
  std::optional<double> value = result.value;
  if ((result.state == trial_state::pruned || result.state == trial_state::interrupted) && !value &&
      !t.intermediate.empty()) {
    value = t.intermediate.rbegin()->second;  // what it had reached when it was stopped
  }
  trial_result ended;
  ended.state = result.state;
  ended.value = value;
  ended.message = result.message;
  ended.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - own.started).count();
  ended.peak_rss_bytes = peak_rss_bytes();
  const trial_lease lease{number, own.attempt};
  const bool was_lost = own.lost;
  running_.erase(number);
  if (was_lost || !storage_->finish(study_id_, lease, ended)) {
    ++lost_;  // re-queued by another worker, which runs it again: this result is not kept
    return;
  }
  if (result.state == trial_state::failed || result.state == trial_state::out_of_memory) {
    ++consecutive_failures_;
    last_failure_ = "trial " + std::to_string(number) + " " +
                    std::string(to_string(result.state)) + ": " + result.message;
  } else if (result.state == trial_state::complete || result.state == trial_state::pruned) {
    consecutive_failures_ = 0;
  }
  t.state = ended.state;
  t.value = ended.value;
  t.message = ended.message;
  t.duration_s = ended.duration_s;
  t.peak_rss_bytes = ended.peak_rss_bytes;
  dirty_.push_back(number);
  if (options_.on_trial_end) options_.on_trial_end(t);
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
  trial_context context(*this, ticket.number, ticket.params, ticket.seed, resource, resumed_from, deadline);
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
    std::lock_guard sampling(sampler_mutex_);
    std::lock_guard lock(mutex_);
    const study_view view{space_, cache_, options_.dir, options_.seed};
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
    if (number >= cache_.size()) continue;
    const auto& t = cache_[number];
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
  refresh_locked();
  const trial_record* best = nullptr;
  for (const auto& t : cache_) {
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
  refresh_locked();
  return cache_;
}

trial_record study_core::trial(std::uint64_t number) const {
  std::lock_guard lock(mutex_);
  refresh_locked();
  if (number >= cache_.size()) throw std::out_of_range("typetune: no trial " + std::to_string(number));
  return cache_[number];
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
