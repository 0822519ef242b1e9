// ask(): a new trial from the queue of known configurations or the sampler, and the snapshot of
// the trials the sampler proposes from; enqueue(); the trial's seed.
#include "typetune/engine/study_core.hpp"

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include "engine/detail/process_probes.hpp"
#include "engine/detail/storage_retry.hpp"
#include "typetune/engine/errors.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune {

std::uint64_t trial_seed(std::uint64_t study_seed, std::uint64_t number) noexcept {
  random_stream rng(study_seed, number, stream_ids::trial_seed);
  return rng();
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

std::optional<trial_ticket> study_core::ask() { return ask(std::nullopt, nullptr); }

std::optional<trial_ticket> study_core::ask(std::optional<std::uint64_t> study_trials, bool* budget_spent) {
  if (budget_spent != nullptr) *budget_spent = false;
  std::unique_lock sampling(sampler_mutex_);  // one proposal at a time in this process
  std::unique_lock lock(mutex_);
  if (options_.max_consecutive_failures > 0 && consecutive_failures_ >= options_.max_consecutive_failures) {
    throw too_many_failures_error("typetune: study stopped after " + std::to_string(consecutive_failures_) +
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
    auto params = sampler_->sample(view_of(snapshot_), index);
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
    if (study_trials && slot.number >= *study_trials) {  // the study's budget is spent: create nothing
      if (budget_spent != nullptr) *budget_spent = true;
      return std::nullopt;
    }
    proposed = true;
    new_trial t;
    if (!queue_.empty()) {
      t.params = queue_.front();  // validated by enqueue(); popped once the trial is stored
      t.proposals_used = 0;
      from_queue = true;
    } else if (early && early->index == slot.proposal) {
      if (!early->params) return std::nullopt;
      t.params = *early->params;  // a copy: a transaction that fails is tried again
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
  // A failed transaction wrote nothing: the proposal is made again on the next try.
  auto created = detail::with_storage_retry(options_.storage_retry, [&] {
    proposed = false;
    from_queue = false;
    return storage_->create_trial(study_id_, version_, worker_, detail::unix_now(), propose);
  });
  if (proposed && created.trial) {
    // The proposer already applied what changed before it; only the new trial is left.
    apply_locked(trial_delta{{created.trial}, created.changes.version});
  } else {
    apply_locked(created.changes);
  }
  proposals_ = created.proposals;
  if (!created.trial) return std::nullopt;
  if (from_queue && !created.was_waiting) queue_.pop_front();
  if (running_.empty()) detail::reset_peak_rss();
  running_[created.lease.number] = own_trial{created.lease.attempt, std::chrono::steady_clock::now(), false, nullptr};
  if (storage_->shared() && !heartbeat_.joinable()) {
    heartbeat_ = std::jthread([this](std::stop_token stop) { heartbeat_loop(std::move(stop)); });
  }
  return trial_ticket{created.trial->number, created.trial->params, created.trial->seed};
}

std::unique_ptr<asked_trial> study_core::ask_trial() {
  auto ticket = ask();
  if (!ticket) return nullptr;
  return std::unique_ptr<asked_trial>(new asked_trial(*this, std::move(*ticket)));
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

}  // namespace typetune
