// The interface every search algorithm implements: propose an assignment for a trial number,
// given the space and what has been observed. Implementations live in src/engine/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "typetune/desc/objectives.hpp"
#include "typetune/desc/space_desc.hpp"
#include "typetune/desc/trial.hpp"

namespace typetune {

// What a sampler sees of the study: the trials so far (finished and running, ordered by
// number) and the direction. Values of complete trials are as the objective returned them.
// `goals` is set for a study with several objectives or with constraints (then `dir` is the
// first objective's): the objectives' values and the constraints' metrics are read from each
// trial through it (objective_set::losses, violation).
struct study_view {
  const space_desc& space;
  trial_span trials;
  direction dir = direction::minimize;
  std::uint64_t seed = 0;
  const objective_set* goals = nullptr;
};

class sampler {
 public:
  virtual ~sampler() = default;
  // An assignment for the sampler's `number`-th proposal in which exactly the active parameters
  // hold legal values, or nullopt once a finite sampler has nothing left to propose. `number` is
  // the trial number unless configurations were enqueued (study_core::enqueue): enqueued trials
  // take trial numbers but no proposal, so a grid skips nothing. Random streams must be derived
  // from (view.seed, number) alone so that any proposal can be re-made from its number.
  [[nodiscard]] virtual std::optional<assignment> sample(const study_view& view, std::uint64_t number) = 0;
  // How many proposals a finite sampler makes in all (sample() returns nullopt from this number
  // on), or nullopt when it never runs out. Lets a run that stops exactly at the end know that
  // it explored everything.
  [[nodiscard]] virtual std::optional<std::uint64_t> capacity(const study_view& /*view*/) { return std::nullopt; }
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Whether it proposes for a study with several objectives or with constraints (study_view::goals
  // set). A study refuses a sampler that does not, naming it, when it is made.
  [[nodiscard]] virtual bool supports_goals() const { return false; }
};

}  // namespace typetune
