// The non-template parts of the search front ends: the terminal checks of the progress line,
// the end-of-search summary as text, and saving a study with its report.
#include "typetune/torch/search.hpp"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <ostream>
#include <stdexcept>

#include "typetune/desc/study_export.hpp"
#include "typetune/report/html_report.hpp"

namespace typetune::torch {

std::ostream* stderr_if_terminal() { return isatty(STDERR_FILENO) != 0 ? &std::cerr : nullptr; }

bool writes_to_terminal(const std::ostream& out) {
  if (&out == &std::cout) return isatty(STDOUT_FILENO) != 0;
  if (&out == &std::cerr || &out == &std::clog) return isatty(STDERR_FILENO) != 0;
  return false;
}

std::ostream& operator<<(std::ostream& out, const search_summary& summary) {
  if (summary.interrupted) out << "interrupted: the results so far follow\n";
  out << summary.failures_text();
  if (!summary.has_best) out << "no trial completed (" << summary.trials << " started)\n";
  return out;
}

void save_study(const study_export& study, const std::filesystem::path& export_path,
                const std::filesystem::path& report_path, std::ostream* log) {
  if (!export_path.empty()) {
    std::ofstream out(export_path);
    write_jsonl(out, study);
    if (!out.flush()) throw std::runtime_error("typetune: cannot write " + export_path.string());
    if (log != nullptr)
      *log << "study: " << export_path.string() << " (typetune show|trials|report " << export_path.string() << ")\n";
  }
  if (!report_path.empty()) {
    std::ofstream out(report_path);
    write_html_report(out, study);
    if (!out.flush()) throw std::runtime_error("typetune: cannot write " + report_path.string());
    if (log != nullptr) *log << "report: " << report_path.string() << '\n';
  }
}

}  // namespace typetune::torch
