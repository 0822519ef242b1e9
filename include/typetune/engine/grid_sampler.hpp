// Grid search: trial n gets configuration n of an exact enumeration of a finite space, in which
// the options of a branch and the counts of a repeat are summed, not multiplied.
#pragma once

#include <memory>

#include "typetune/engine/sampler.hpp"

namespace typetune {

// sample() throws std::invalid_argument naming the parameter if the space has a continuous
// real, and returns nullopt once trial number >= space.grid_size().
[[nodiscard]] std::unique_ptr<sampler> make_grid_sampler();

}  // namespace typetune
