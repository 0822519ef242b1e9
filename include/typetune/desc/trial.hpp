// A trial as the engine records it: its number, state, the active parameters it was given,
// its final value and the intermediate values it reported. No templates over user types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "typetune/desc/space_desc.hpp"

namespace typetune {

enum class trial_state : std::uint8_t {
  running,
  complete,
  pruned,
  failed,         // the objective threw; `message` holds what it said
  diverged,       // the objective returned NaN or an infinity
  out_of_memory,  // its own state, so that a later run can retry it with less
  interrupted,    // stopped by a stop request (Ctrl-C) before it could finish
  waiting,        // re-queued after its worker stopped: runs again with the same parameters and seed
};

[[nodiscard]] std::string_view to_string(trial_state s);
// The state named by to_string(s); nullopt for any other text.
[[nodiscard]] std::optional<trial_state> trial_state_from(std::string_view text);

enum class direction : std::uint8_t { minimize, maximize };

[[nodiscard]] std::string_view to_string(direction d);  // "minimize", "maximize"
[[nodiscard]] std::optional<direction> direction_from(std::string_view text);

struct trial_record {
  std::uint64_t number = 0;
  trial_state state = trial_state::running;
  assignment params;                        // only active parameters hold values
  std::optional<double> value;              // set when complete (and for pruned: last reported)
  std::map<std::int64_t, double> intermediate;  // step -> value, from report(step, value)
  std::map<std::string, double> metrics;    // named metrics besides the objective (set_metric)
  std::string message;                      // failure text
  double duration_s = 0;
  std::uint64_t seed = 0;                   // the seed of the trial's own random stream
  double start_time = 0;                    // Unix time in seconds when it started; 0 unknown
  std::uint64_t peak_rss_bytes = 0;         // the worker's peak resident memory; 0 unknown
  std::uint64_t peak_device_bytes = 0;      // peak accelerator memory; 0 none or unknown
  std::string worker;                       // who ran it: "host:pid"; empty when unknown
};

}  // namespace typetune
