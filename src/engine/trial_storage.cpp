// The parts of the storage interface every backend shares: error names and the worker's name.
#include "typetune/engine/trial_storage.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>

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

void merge_study_attributes(std::map<std::string, std::string>& stored, const std::map<std::string, std::string>& given,
                            const std::string& where) {
  for (const auto key : engine_attribute_keys) {
    const auto wanted = given.find(std::string(key));
    if (wanted == given.end()) continue;
    const auto kept = stored.find(wanted->first);
    if (kept != stored.end() && kept->second == wanted->second) continue;  // the same value: no change
    throw storage_error(storage_errc::study_mismatch,
                        where + ": attribute '" + wanted->first + "' belongs to the study itself (its " +
                            "metric, seed and sampler are checked when it is re-opened), so set_study_attributes " +
                            "cannot " + (kept == stored.end() ? "add" : "change") + " it" +
                            (kept == stored.end() ? "" : " from '" + kept->second + "'") + " to '" +
                            wanted->second + "'; store the figure under another name. Nothing was changed");
  }
  for (const auto& [key, value] : given) stored[key] = value;
}

std::string this_worker() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::string name = host[0] != '\0' ? std::string(host.data()) : std::string("localhost");
  name.append(":").append(std::to_string(static_cast<long long>(getpid())));
  const auto env = [](const char* key) -> std::string {
    // Read when a study opens; typetune never changes the environment, so nothing races it.
    const char* value = std::getenv(key);  // NOLINT(concurrency-mt-unsafe)
    return value != nullptr ? value : "";
  };
  // The scheduler's name for the worker: Slurm's job (an array task as JOB_TASK, as squeue
  // writes it) or a Kubernetes Indexed Job's completion index; a pod's name is its host name.
  if (const auto array_job = env("SLURM_ARRAY_JOB_ID"); !array_job.empty()) {
    name.append(" slurm:").append(array_job).append("_").append(env("SLURM_ARRAY_TASK_ID"));
  } else if (const auto job = env("SLURM_JOB_ID"); !job.empty()) {
    name.append(" slurm:").append(job);
  } else if (const auto index = env("JOB_COMPLETION_INDEX"); !index.empty()) {
    name.append(" k8s-index:").append(index);
  }
  return name;
}

}  // namespace typetune
