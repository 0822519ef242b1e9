// A study as a page a person looks at: one self-contained HTML file (inline SVG, CSS and a
// little script; nothing is loaded from the network) with the optimisation history and its
// best-so-far line, parallel coordinates over the parameters, parameter importance per scope
// (the whole space and each option of each branch), learning curves of complete and pruned
// trials, and the trial table. Drawn from a study export, so the same page comes from a study
// in memory, a JSON Lines file or a database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "typetune/desc/study_export.hpp"

namespace typetune {

// How much of the objective's variance one parameter explains within a scope of trials.
struct importance_entry {
  std::string path;
  double share = 0;        // epsilon squared, in [0, 1] (see parameter_importance)
  std::size_t trials = 0;  // complete trials in the scope where the parameter was active
};

struct importance_scope {
  std::string label;                      // "all trials", "optimizer = sgd"
  std::size_t trials = 0;                 // complete trials in the scope
  std::vector<importance_entry> entries;  // most important first
};

// Parameter importance by the correlation ratio, corrected for chance (epsilon squared). In each
// scope (all complete trials; then, for each branch option, the complete trials that chose it),
// each parameter that varies splits the trials where it is active into groups: one per value
// for a choice or an int with at most 8 values, otherwise up to 5 equal-count bins of its value
// (on the log scale where the parameter has one). With n trials in k groups, its share is
// (SS_between - (k - 1) SS_within / (n - k)) / SS_total, clamped to [0, 1]: the share of the
// objective's variance the grouping explains beyond what k groups of pure noise would. Scopes
// with fewer than 4 trials, parameters that never vary, and parameters whose every group holds
// one trial are left out. A simple, model-free stand-in for fANOVA: main effects only.
[[nodiscard]] std::vector<importance_scope> parameter_importance(const study_export& study);

// Text made safe for HTML, in an element or a quoted attribute: & < > " ' as entities. Every
// name and message the report and `typetune serve` show goes through it.
[[nodiscard]] std::string html_escape(std::string_view text);

struct report_options {
  std::string title;  // defaults to the study's name
  // Unix time at which the timeline ends the bars of running trials; 0: the latest time the
  // study records (a start plus its duration).
  double now = 0;
  // A live page (typetune serve): the address of the JSON endpoint it asks for changes,
  // "/api/study?name=..." (the page adds since, plots and columns), the version of the study
  // the page shows, and how often it asks, in milliseconds. Empty: a static report.
  std::string live_updates;
  std::uint64_t live_version = 0;
  int live_interval_ms = 1000;
};

// Writes the report. Throws std::invalid_argument for a study whose trials do not fit its
// space (read_jsonl already guarantees they do).
void write_html_report(std::ostream& out, const study_export& study, const report_options& options = {});

// The report in parts, as a live page replaces them while trials finish: the static report and
// `typetune serve` write the same parts from the same code.
struct report_section {
  std::string id;    // the element the part fills: id="sec-<id>"
  std::string html;  // its heading and content
};

// The parts above the trial table, in page order: "summary", "history", "pareto" (several
// objectives), "parallel", "importance", "curves", "timeline" (trials per worker over time),
// "slices" (the objective against each parameter) and "space" (the space's Markdown and
// Graphviz documents).
[[nodiscard]] std::vector<report_section> report_sections(const study_export& study,
                                                          const report_options& options = {});

// The trial table's columns: number, state, value, every parameter, then each metric any trial
// recorded (sorted), seconds, peak memory, message. `signature` changes when they do, so that
// rows drawn for other columns are known to be stale.
struct report_table {
  std::vector<std::string> metrics;
  [[nodiscard]] std::string signature(const study_export& study) const;
};
[[nodiscard]] report_table report_table_of(const study_export& study);
[[nodiscard]] std::string report_table_head(const study_export& study, const report_table& table);  // <tr>...</tr>
[[nodiscard]] std::string report_table_row(const study_export& study, const report_table& table,
                                           const trial_record& trial);  // <tr data-trial=N>...</tr>

}  // namespace typetune
