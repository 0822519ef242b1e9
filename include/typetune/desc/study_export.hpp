// The one export format of a study, shared by the `typetune` command line, the HTML report and
// programs that keep their own studies in memory: JSON Lines, a header line with the study's
// name, direction and space description, then one line per trial (docs/space-json.md gives the
// fields). A CSV table of the same trials is written from the same data.
#pragma once

#include <iosfwd>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "typetune/desc/objectives.hpp"
#include "typetune/desc/space_desc.hpp"
#include "typetune/desc/trial.hpp"

namespace typetune {

// Thrown for an export that cannot be read: not JSON Lines, a header that is not typetune's, a
// newer version, or a trial that does not fit the space. The message names the line.
class export_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct study_info {
  std::string name;
  direction dir = direction::minimize;
  space_desc space;
  std::map<std::string, std::string> attributes;  // free-form: "objective", "dataset", ...
  // A study with several objectives: those after the first (whose name is the "objective"
  // attribute and whose direction is `dir`), each a named metric of its trials; and the
  // constraints on named metrics. Both empty for a study with one unconstrained objective.
  std::vector<objective_spec> extra_objectives;
  std::vector<constraint_spec> constraints;
};

// The objective's name, as a study records it in its attributes under "objective" (studies
// stored before that key was settled recorded it under "metric"); empty when neither is there.
[[nodiscard]] std::string objective_name(const study_info& info);
// Every objective of the study, the first one included, and its constraints.
[[nodiscard]] objective_set objectives_of(const study_info& info);

struct study_export {
  study_info study;
  std::vector<trial_record> trials;  // ordered by number
};

// The best complete trial with a finite value, by the study's direction (feasible, when the
// study has constraints); nullptr when none, and for a study with several objectives.
[[nodiscard]] const trial_record* best_complete_trial(const study_export& study);
// The trials of the study's Pareto front (typetune/desc/pareto.hpp: complete, feasible, not
// dominated), ordered by number; for a study with one objective, the best trial and its ties.
[[nodiscard]] std::vector<const trial_record*> pareto_front_trials(const study_export& study);

// One trial as one line of JSON (no newline). Parameters are keyed by path, active ones only,
// with their values as the space shows them (numbers, or the choice itself).
[[nodiscard]] std::string trial_to_json(const trial_record& t, const space_desc& space);
// Reads a line written by trial_to_json; throws export_error naming the trial and the field for
// an unknown state or parameter, a value of the wrong type or outside its range, or a set of
// parameters that the space would not have made active together.
[[nodiscard]] trial_record trial_from_json(std::string_view line, const space_desc& space);

// A study's objectives and constraints as the storage keeps them: a JSON object
// {"objectives": [{"name", "direction"}, ...], "constraints": [{"name", "max"}, ...]} listing every
// objective (the first is the study's "objective" attribute and direction), or "" for a study
// with one objective and no constraints. read_goals_json fills info.extra_objectives and
// info.constraints from it (info's direction and attributes already read); it throws
// export_error naming the field.
[[nodiscard]] std::string goals_json(const study_info& info);
void read_goals_json(std::string_view text, study_info& info);

// The header line alone (no newline), and back. A study with several objectives or with
// constraints has "objectives" and "constraints" in the header, as goals_json writes them.
[[nodiscard]] std::string study_header_json(const study_info& info);
[[nodiscard]] study_info study_header_from_json(std::string_view line);

void write_jsonl(std::ostream& out, const study_export& study);
[[nodiscard]] study_export read_jsonl(std::istream& in);

// A table with one row per trial: number, state, value, one column per parameter (empty when
// inactive), one per named metric, duration, start time, peak memory and message. RFC 4180
// quoting.
void write_csv(std::ostream& out, const study_export& study);

}  // namespace typetune
