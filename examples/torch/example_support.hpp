// What the LibTorch example programs share: wall time, stratified slices of a data set for
// their quick runs, images flattened for an MLP, and saving a study with its report.
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

#include <typetune/desc/study_export.hpp>
#include <typetune/report/html_report.hpp>
#include <typetune/study.hpp>
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

// Says how a tuner's search ended (interrupted, failures by message). Returns the exit status
// when no trial completed (130 after Ctrl-C, else 1), nothing when there is a best to show.
template <class Tuner>
std::optional<int> report_search(const typetune::run_summary& summary, const Tuner& tuner) {
  if (summary.interrupted) std::cout << "interrupted: the results so far follow\n";
  std::cout << summary.failures_text();
  if (tuner.has_best()) return std::nullopt;
  std::cout << "no trial completed (" << tuner.study().trials().size() << " started)\n";
  return summary.interrupted ? 130 : 1;
}

// Writes the tuner's study as a JSON Lines export and/or an HTML report, when paths are given.
template <class Tuner>
void save_study(const Tuner& tuner, const std::string& name, const std::string& export_path, const std::string& report_path) {
  if (export_path.empty() && report_path.empty()) return;
  const auto study = tuner.study().export_study(name);
  if (!export_path.empty()) {
    std::ofstream out(export_path);
    typetune::write_jsonl(out, study);
    if (!out.flush()) throw std::runtime_error("cannot write " + export_path);
    std::cout << "study: " << export_path << " (typetune show|trials|report " << export_path << ")\n";
  }
  if (!report_path.empty()) {
    std::ofstream out(report_path);
    typetune::write_html_report(out, study);
    if (!out.flush()) throw std::runtime_error("cannot write " + report_path);
    std::cout << "report: " << report_path << "\n";
  }
}

}  // namespace examples
