// A study as a page a person looks at: one self-contained HTML file (inline SVG, CSS and a
// little script; nothing is loaded from the network) with the optimisation history and its
// best-so-far line, parallel coordinates over the parameters, parameter importance per scope
// (the whole space and each option of each branch), learning curves of complete and pruned
// trials, and the trial table. Drawn from a study export, so the same page comes from a study
// in memory, a JSON Lines file or a database.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "typetune/desc/study_export.hpp"

namespace typetune {

// How much of the objective's variance one parameter explains within a scope of trials.
struct importance_entry {
  std::string path;
  double share = 0;       // eta squared: between-group sum of squares / total, in [0, 1]
  std::size_t trials = 0;  // complete trials in the scope where the parameter was active
};

struct importance_scope {
  std::string label;       // "all trials", "optimizer = sgd"
  std::size_t trials = 0;  // complete trials in the scope
  std::vector<importance_entry> entries;  // most important first
};

// Parameter importance by the correlation ratio (eta squared). In each scope (all complete
// trials; then, for each branch option, the complete trials that chose it), each parameter
// that varies splits the trials into groups: one per value for a choice or an int with at most
// 8 values, otherwise up to 5 equal-count bins of its value (on the log scale where the
// parameter has one). Its share is the between-group sum of squares of the objective over the
// total sum of squares of the trials where it is active. Scopes with fewer than 4 trials, and
// parameters that never vary, are left out. A simple, model-free stand-in for fANOVA: it
// measures main effects only, and overstates them when trials are few.
[[nodiscard]] std::vector<importance_scope> parameter_importance(const study_export& study);

struct report_options {
  std::string title;  // defaults to the study's name
};

// Writes the report. Throws std::invalid_argument for a study whose trials do not fit its
// space (read_jsonl already guarantees they do).
void write_html_report(std::ostream& out, const study_export& study, const report_options& options = {});

}  // namespace typetune
