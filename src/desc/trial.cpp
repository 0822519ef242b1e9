// Names of trial states, as shown in tables and stored by the storage backends.
#include "typetune/desc/trial.hpp"

#include <initializer_list>

namespace typetune {

std::string_view to_string(trial_state s) {
  switch (s) {
    case trial_state::running: return "running";
    case trial_state::complete: return "complete";
    case trial_state::pruned: return "pruned";
    case trial_state::failed: return "failed";
    case trial_state::diverged: return "diverged";
    case trial_state::out_of_memory: return "out_of_memory";
    case trial_state::interrupted: return "interrupted";
    case trial_state::waiting: return "waiting";
  }
  return "unknown";
}

std::optional<trial_state> trial_state_from(std::string_view text) {
  for (auto s : {trial_state::running, trial_state::complete, trial_state::pruned, trial_state::failed,
                 trial_state::diverged, trial_state::out_of_memory, trial_state::interrupted,
                 trial_state::waiting})
    if (to_string(s) == text) return s;
  return std::nullopt;
}

std::string_view to_string(direction d) { return d == direction::minimize ? "minimize" : "maximize"; }

std::optional<direction> direction_from(std::string_view text) {
  if (text == "minimize") return direction::minimize;
  if (text == "maximize") return direction::maximize;
  return std::nullopt;
}

}  // namespace typetune
