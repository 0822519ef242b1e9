// A trial as the engine records it: its number, state, the active parameters it was given,
// its final value and the intermediate values it reported. No templates over user types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "typetune/space_desc.hpp"

namespace typetune {

enum class trial_state : std::uint8_t {
  running,
  complete,
  pruned,
  failed,         // the objective threw; `message` holds what it said
  diverged,       // the objective returned NaN or an infinity
  out_of_memory,  // its own state, so that a later run can retry it with less
  interrupted,    // stopped by a stop request (Ctrl-C) before it could finish
};

[[nodiscard]] std::string_view to_string(trial_state s);

enum class direction : std::uint8_t { minimize, maximize };

struct trial_record {
  std::uint64_t number = 0;
  trial_state state = trial_state::running;
  assignment params;                        // only active parameters hold values
  std::optional<double> value;              // set when complete (and for pruned: last reported)
  std::map<std::int64_t, double> intermediate;  // step -> value, from report(step, value)
  std::map<std::string, double> metrics;    // named metrics besides the objective (set_metric)
  std::string message;                      // failure text
  double duration_s = 0;
};

}  // namespace typetune
