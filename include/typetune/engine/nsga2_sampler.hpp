// NSGA-II (Deb et al. 2002): a genetic sampler for several objectives and constraints, whose
// generations are fixed blocks of proposal numbers and whose parents are the elitist selection of
// the trials finished before its generation.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include "typetune/engine/sampler.hpp"

namespace typetune {

struct nsga2_options {
  // Proposals per generation, and the size of the parent population each generation draws from.
  std::size_t population_size = 50;
  // The chance that a parameter of a child is drawn afresh; by default 1 / the number of
  // parameters (constants aside) active in the child as crossover made it.
  std::optional<double> mutation_prob;
  // The chance that a child mixes its two parents (uniform crossover) rather than copying the
  // first.
  double crossover_prob = 0.9;
  // In a crossover, the chance that a parameter comes from the second parent.
  double swapping_prob = 0.5;
};

// Proposal n belongs to generation n / population_size. Generation 0 is drawn at random (from the
// stream of (seed, n), whatever the history). For a later generation g the parents are chosen
// from the complete trials with every objective value and a number below g * population_size:
// the non-dominated sort (by Deb's constrained domination when the study has constraints; a trial
// whose constraint metric is missing counts as infinitely infeasible), whole fronts in rank
// order, the last front cut by crowding distance (largest first, then lower number). A child is
// built parameter by parameter, like a random draw, so that only active parameters hold values:
// two parents by binary tournament (rank, then larger crowding distance, then lower number),
// uniform crossover or a copy of the first, then mutation. Without study_view::goals the single
// objective is the trial's value in the study's direction. A proposal is a pure function of
// (seed, number, history); the parent population is cached per generation and recomputed when
// the trials it was chosen from change. Safe to call from several threads. Throws
// std::invalid_argument for population_size < 2 or a probability outside [0, 1].
[[nodiscard]] std::unique_ptr<sampler> make_nsga2_sampler(nsga2_options options = {});

}  // namespace typetune
