// The interface every search algorithm implements: propose an assignment for a trial number,
// given the space and what has been observed. Implementations live in src/engine/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "typetune/engine/trial.hpp"
#include "typetune/space_desc.hpp"

namespace typetune {

// What a sampler sees of the study: the trials so far (finished and running, ordered by
// number) and the direction. Values of complete trials are as the objective returned them.
struct study_view {
  const space_desc& space;
  std::span<const trial_record> trials;
  direction dir = direction::minimize;
  std::uint64_t seed = 0;
};

class sampler {
 public:
  virtual ~sampler() = default;
  // An assignment for trial `number` in which exactly the active parameters hold legal values,
  // or nullopt once a finite sampler has nothing left to propose. Random streams must be derived
  // from (view.seed, number) alone so that any trial can be re-run from its number.
  [[nodiscard]] virtual std::optional<assignment> sample(const study_view& view,
                                                         std::uint64_t number) = 0;
  [[nodiscard]] virtual std::string_view name() const = 0;
};

}  // namespace typetune
