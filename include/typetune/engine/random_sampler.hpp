// Random search: independent draws per trial from the counter-based stream of (seed, trial);
// on a finite space a seeded permutation of the grid, so no configuration is drawn twice.
#pragma once

#include <memory>

#include "typetune/engine/sampler.hpp"

namespace typetune {

// On a finite space it returns nullopt once every configuration was proposed (trial number
// >= space.grid_size()).
[[nodiscard]] std::unique_ptr<sampler> make_random_sampler();

}  // namespace typetune
