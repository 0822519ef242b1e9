// What the study reads about the process and its host: the wall clock, the peak resident set
// size and whether another worker's process still runs.
#pragma once

#include <cstdint>
#include <string>

namespace typetune::detail {

// Unix time in seconds (the clock trials' start times and heartbeats are stored in).
[[nodiscard]] double unix_now();

// The process's peak resident set size in bytes (getrusage: the larger of the kernel's high-water
// mark, which reset_peak_rss() lowers, and the RSS of the image this process was exec'd from).
// One system call: a trial's own bookkeeping stays well under a microsecond.
[[nodiscard]] std::uint64_t peak_rss_bytes();

// Resets the process's high-water mark to its current RSS (Linux >= 4.0, /proc/self/clear_refs);
// harmless where unsupported. The file stays open, reopened after a fork.
void reset_peak_rss();

// Whether `worker` ("host:pid") names a process on this host (`self` is this process's own
// "host:pid") that no longer exists. A reused pid reads as alive: the heartbeat's grace period
// still catches that worker.
[[nodiscard]] bool worker_is_gone(const std::string& worker, const std::string& self);

}  // namespace typetune::detail
