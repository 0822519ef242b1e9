// The parts of the storage interface every backend shares: error names and the worker's name.
#include "typetune/engine/trial_storage.hpp"

#include <unistd.h>

#include <array>

namespace typetune {

std::string_view to_string(storage_errc e) {
  switch (e) {
    case storage_errc::bad_url: return "bad_url";
    case storage_errc::not_found: return "not_found";
    case storage_errc::not_typetune: return "not_typetune";
    case storage_errc::newer_schema: return "newer_schema";
    case storage_errc::corrupt: return "corrupt";
    case storage_errc::study_mismatch: return "study_mismatch";
    case storage_errc::io: return "io";
  }
  return "unknown";
}

std::string this_worker() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::string name = host[0] != '\0' ? std::string(host.data()) : std::string("localhost");
  return name + ":" + std::to_string(static_cast<long long>(getpid()));
}

}  // namespace typetune
