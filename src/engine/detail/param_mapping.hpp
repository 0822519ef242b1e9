// Maps a number u in [0, 1) to a legal value of one parameter, honouring log scales, steps,
// choices and constants: the common last step of the random, Sobol and model-based samplers.
#pragma once

#include "typetune/desc/space_desc.hpp"

namespace typetune::detail {

// Continuous reals: low + u (high - low), or its log-scale analogue. Finite parameters: index
// floor(u * cardinality) on a linear scale; on a log scale u is mapped log-uniformly onto
// [low - step/2, high + step/2] and rounded to the nearest grid point, so each grid point gets
// the mass of its log-width cell. Categorical: floor(u * k). Constants: index 0.
[[nodiscard]] param_value value_from_unit(const param_desc& p, double u);

// Fills `a` (sized to the space) parameter by parameter, parents first, drawing u for each
// active parameter from `next_unit(i)`; inactive parameters stay monostate and draw nothing.
template <class NextUnit>
void fill_active(const space_desc& space, assignment& a, NextUnit&& next_unit) {
  a.values.assign(space.size(), std::monostate{});
  for (std::size_t i = 0; i < space.size(); ++i) {
    const auto& p = space.params[i];
    if (p.active_if && !space.condition_holds(i, a)) continue;
    a.values[i] = value_from_unit(p, next_unit(i));
  }
}

}  // namespace typetune::detail
