// The study's probes of the process and its host (see detail/process_probes.hpp).
#include "engine/detail/process_probes.hpp"

#include <chrono>
#include <exception>
#include <mutex>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

namespace typetune::detail {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::uint64_t peak_rss_bytes() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // KiB on Linux
}

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

bool worker_is_gone(const std::string& worker_name, const std::string& self_name) {
  // "host:pid", then the scheduler's name for it after a space (this_worker()).
  const std::string worker = worker_name.substr(0, worker_name.find(' '));
  const std::string self = self_name.substr(0, self_name.find(' '));
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

}  // namespace typetune::detail
