// Quasi-random search: point n of a scrambled Sobol sequence (one dimension per parameter)
// for trial n, mapped to each parameter's scale, steps and choices.
#pragma once

#include <memory>

#include "typetune/engine/sampler.hpp"

namespace typetune {

// Scrambled with a random linear matrix and a digital shift drawn from the study seed
// (Matousek 1998), which keeps the net's stratification and removes the bias of the raw
// sequence's first points.
[[nodiscard]] std::unique_ptr<sampler> make_sobol_sampler();

}  // namespace typetune
