// Names of trial states, as shown in tables and stored by the storage backends.
#include "typetune/engine/trial.hpp"

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
  }
  return "unknown";
}

}  // namespace typetune
