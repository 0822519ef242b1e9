// The default sampler: picks a model by the space and the history (Gaussian process while the
// study is small enough for it, TPE on all-categorical spaces, early on conditional spaces and
// once the study is large).
#pragma once

#include <cstddef>
#include <memory>

#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/nsga2_sampler.hpp"
#include "typetune/engine/sampler.hpp"
#include "typetune/engine/tpe_sampler.hpp"

namespace typetune {

struct auto_options {
  // The GP proposes while fewer than this many trials have finished; then TPE takes over. The
  // GP's cost grows with the cube of the trials (docs/quality.md: about 20 ms per trial at 200)
  // and its lead over TPE is largest early.
  std::size_t gp_max_trials = 200;
  // On a space with branches or repeats, TPE proposes until this many trials have finished (the
  // random startup included): it finds the good structures (which option, how many items) faster,
  // and the GP then refines their numeric parameters. 0: the GP from the start.
  std::size_t conditional_tpe_trials = 25;
  // A study with several objectives or constraints: TPE (ranking trials by non-domination)
  // until this many trials have finished, then NSGA-II, whose cost does not grow with the
  // history. The GP is not used there.
  std::size_t goals_tpe_max_trials = 1000;
  gp_options gp = {};
  tpe_options tpe = {};
  nsga2_options nsga2 = {};  // `multivariate` is set per space: true when every parameter is categorical
};

// On a space whose parameters are all categorical (or constant): multivariate TPE throughout.
// Otherwise the GP (after conditional_tpe_trials of independent TPE on a conditional space)
// until gp_max_trials trials have finished, then independent TPE. With several objectives or
// constraints: TPE, then NSGA-II past goals_tpe_max_trials. Every model sees the whole
// history, including running, pruned and diverged trials, as its own options say.
[[nodiscard]] std::unique_ptr<sampler> make_auto_sampler(auto_options options = {});

}  // namespace typetune
