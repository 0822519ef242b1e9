// The tree-structured Parzen estimator (TPE) sampler: Optuna's TPESampler defaults, in an
// independent (one parameter at a time) and a multivariate mode (one joint model per group).
#pragma once

#include <cstddef>
#include <memory>

#include "typetune/engine/sampler.hpp"

namespace typetune {

struct tpe_options {
  // Trials drawn at random before a parameter (or group) gets a model.
  std::size_t n_startup_trials = 10;
  // Draws from the "good" density l(x); the one with the largest l(x)/g(x) is proposed.
  std::size_t n_ei_candidates = 24;
  // false: each parameter has its own estimator. true: parameters that are always active
  // together (same branch path and repeat items, judged from the observed trials, like
  // Optuna's multivariate=True, group=True) share a joint product-kernel estimator.
  bool multivariate = false;
  // "Good" trials: min(ceil(gamma_fraction * n), gamma_max) of the n observations.
  double gamma_fraction = 0.1;
  std::size_t gamma_max = 25;
  // Weight of the wide prior component of every estimator.
  double prior_weight = 1.0;
  // Lower bandwidth bound range / min(100, n + 1), Optuna's "magic clip".
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
  // Pruned trials count as observations ranked after every complete trial (deeper first,
  // then by their last intermediate value), as Optuna does.
  bool consider_pruned_trials = true;
  // Diverged trials (NaN or infinite values) count as observations ranked after every complete
  // and pruned one, so the region that diverges weighs on the bad side.
  bool consider_diverged_trials = true;
  // Running trials join the bad side (Optuna's constant_liar), so that parallel workers asking
  // at the same time are steered away from each other's configurations. They do not count
  // towards the startup or gamma.
  bool constant_liar = true;
  // A proposal that repeats a configuration already in the study (in any state) is replaced by
  // an untried one that the model likes: in multivariate mode first the same draw's other
  // candidates, best score first; then its nearest neighbours, one parameter at a time (up to
  // n_redraws of them, in a random order) drawn again from its model with its current value
  // excluded. If all of those repeat too, an untried configuration is drawn at random (exactly,
  // on a finite space); if none is left, the repeat stands.
  bool avoid_repeats = true;
  std::size_t n_redraws = 8;
  // The most recent n_flat_weights observations weigh 1; older ones ramp down linearly.
  std::size_t n_flat_weights = 25;
  // Whether a continuous kernel's log-density keeps its -log(sigma) term. Without it (Optuna
  // 3.1's form) each kernel counts in proportion to its width, so wide kernels and the prior
  // weigh more when candidates are scored: a bias towards exploring. docs/quality.md measures
  // both forms.
  bool kernel_log_sigma = false;
  // true: for a conditional parameter, the random startup ends and gamma applies on the count of
  // all observed trials, and the good side holds the good trials in which it was active (as
  // Optuna does). false: both count only the trials in which it was active.
  bool count_all_trials = true;
  // Candidates are scored by log l(x) - log g(x) - exploration * log l(x): above 0, a candidate
  // where the good density is thin (not yet exploited) gains; 0 is plain TPE.
  double exploration = 0;
};

// Proposes assignments in which only active parameters hold values; a parameter's estimators
// are built from the trials where it was active. Complete trials are ranked by value, then
// pruned, then diverged ones; running trials weigh on the bad side (tpe_options says how each
// can be turned off). Draws are a pure function of (seed, trial number,
// history); the sampler caches sorted observations between calls to stay cheap, and is safe
// to call from several threads.
[[nodiscard]] std::unique_ptr<sampler> make_tpe_sampler(tpe_options options = {});

}  // namespace typetune
