// Liveness of running trials in a shared storage: this worker's heartbeat thread, and the scan
// that re-queues trials whose worker stopped (see study_options::stale_after).
#include "typetune/engine/study_core.hpp"

#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include "engine/detail/process_probes.hpp"

namespace typetune {
namespace {

// Seconds to three significant digits, for the reasons a stale trial was re-queued.
std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", s);
  return text;
}

}  // namespace

std::size_t study_core::requeue_stale() {
  std::lock_guard lock(mutex_);
  return requeue_stale_locked();
}

std::size_t study_core::requeue_stale_locked() {
  last_stale_scan_ = std::chrono::steady_clock::now();
  if (!storage_->shared()) return 0;
  const double now = detail::unix_now();
  std::vector<stale_trial> stale;
  for (const auto& r : storage_->running_trials(study_id_)) {
    if (const auto own = running_.find(r.lease.number); own != running_.end() && own->second.attempt == r.lease.attempt) {
      continue;
    }
    const double silent = now - r.heartbeat;
    if (detail::worker_is_gone(r.worker, worker_)) {
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
      storage_->heartbeat(study_id_, leases, detail::unix_now());
    } catch (const std::exception&) {
      // A busy or briefly unreachable database: the next beat tries again, and the grace period
      // is several beats long.
    }
  }
}

}  // namespace typetune
