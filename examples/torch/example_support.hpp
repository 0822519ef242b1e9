// What the LibTorch example programs share: wall time, stratified slices of a data set for
// their quick runs, images flattened for an MLP, and the flags that join a stored study.
#pragma once

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>

#include <typetune/torch/data.hpp>

namespace examples {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A stratified slice of `count` samples (all of them when count is 0 or at least their number).
inline typetune::torch::tensor_dataset slice(const typetune::torch::tensor_dataset& d, std::int64_t count,
                                             std::uint64_t seed) {
  if (count <= 0 || count >= d.size()) return d;
  const double fraction = static_cast<double>(count) / static_cast<double>(d.size());
  return d.subset(typetune::torch::stratified_split(d.y(), fraction, seed).validation);
}

// Images [N, 28, 28] as rows of 784 features.
inline typetune::torch::tensor_dataset flatten(const typetune::torch::tensor_dataset& d) {
  return {d.x().reshape({d.size(), -1}), d.y()};
}

// --storage, --study and --worker, as every search program has them (docs/cluster.md): started
// N times on one stored study, the processes share its budget; a --worker process only trains,
// and one run without --worker (after them, or beside them: it waits for their last trials)
// tests and reports the best. The environment's TYPETUNE_STORAGE and TYPETUNE_STUDY stand in for
// absent flags, so that a job script sets them once.
struct shared_study {
  std::string storage;  // empty: in memory, this process alone
  std::string name;
  bool worker = false;

  explicit shared_study(std::string default_name) : name(std::move(default_name)) {}

  void add_flags(CLI::App& app) {
    app.add_option("--storage", storage,
                   "keep the study in a database, shared by every process started on it: sqlite:///abs/path.db, "
                   "postgresql://... (default: in memory, this process alone)")
        ->envname("TYPETUNE_STORAGE");
    app.add_option("--study", name, "the study's name in its storage")
        ->capture_default_str()
        ->envname("TYPETUNE_STUDY");
    app.add_flag("--worker", worker,
                 "only train the trials the stored study hands out until its budget is spent; no refit, test or "
                 "report (a run without --worker does those)");
  }
  [[nodiscard]] std::string url() const { return storage.empty() ? std::string("memory:") : storage; }
  // A --worker without a stored study would train for nobody: a usage error (exit status 2).
  [[nodiscard]] bool usable(const char* program) const {
    if (worker && storage.empty()) {
      std::cerr << program << ": --worker needs --storage (or TYPETUNE_STORAGE): a study that other processes share\n";
      return false;
    }
    return true;
  }
  // What a worker says when the study's budget is spent.
  static int worker_done(std::size_t trained_here, std::size_t in_study) {
    std::cout << "worker done: " << trained_here << " trials trained here; the study holds " << in_study << "\n";
    return 0;
  }
};

}  // namespace examples
