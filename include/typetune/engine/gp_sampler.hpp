// Gaussian-process Bayesian optimisation: a Matérn-5/2 ARD process over the unit-scaled space
// with fitted hyperparameters, proposing the maximiser of log expected improvement.
#pragma once

#include <cstddef>
#include <memory>

#include "typetune/engine/sampler.hpp"

namespace typetune {

enum class gp_acquisition : std::uint8_t {
  log_ei,  // log expected improvement: the same argmax as EI, but stable far from the incumbent
  ei,
};

// How a conditional numeric parameter (one with an activation condition) enters the kernel.
// Categoricals are one-hot in every case, all-zero when inactive.
enum class gp_conditional_embedding : std::uint8_t {
  neutral,     // one column; inactive at the middle of the range, 0.5
  arc,         // two columns: active values on a half circle, inactive at its centre, so
               // "inactive" is one point at the same distance from every active value
  branch_arc,  // arc for the parameters of a branch's options (exclusive alternatives: adam's
               // learning rate is not sgd's), neutral for the items of a repeat (a missing
               // layer's units are closest to a middling layer's)
  indicator,   // two columns: the value (0.5 when inactive) and 1/0 for active/inactive, each
               // with its own length scale
};

struct gp_options {
  // Random trials before the first model; the process needs a few points to fit anything.
  std::size_t n_startup_trials = 10;
  gp_acquisition acquisition = gp_acquisition::log_ei;
  // Random candidates scored by the acquisition: half uniform over the space, half around the
  // best trials (their numeric coordinates jittered, a categorical occasionally resampled).
  std::size_t n_candidates = 256;
  // The best candidates refined by L-BFGS-B over their numeric coordinates.
  std::size_t n_local_refinements = 3;
  // Hyperparameters (length scales, signal variance, noise) are fitted by maximising the log
  // marginal likelihood on the first fit_points trials; between refits the last fit is reused,
  // and every refit starts from the same defaults, so draws stay a pure function of the history.
  // Refits happen at every trial up to refit_all_below trials, then every refit_interval.
  std::size_t refit_all_below = 40;
  std::size_t refit_interval = 10;
  // At most this many trials (the best and the most recent) enter the likelihood fit; the
  // posterior itself uses every trial.
  std::size_t max_fit_points = 100;
  std::size_t max_fit_iterations = 30;
  // Pruned trials enter the fit at an imputed final value: the value a complete trial ended
  // with that ranked as the pruned one did at its last step (the share of complete trials that
  // were as good or better there gives the quantile of the complete trials' final values).
  bool use_pruned = true;
  // Diverged trials enter the fit above every complete one: at the worst complete value plus a
  // tenth of the complete values' range.
  bool use_diverged = true;
  // Running trials enter the posterior (not the hyperparameter fit) at the posterior mean of the
  // finished ones (the "kriging believer"): the variance collapses where a worker is busy, so
  // the next proposal goes elsewhere, while the mean keeps what the data say.
  bool constant_liar = true;
  // Candidates that repeat a configuration of the study (in any state) are dropped; when every
  // candidate repeats, an untried configuration is drawn at random (exactly, on a finite space).
  bool avoid_repeats = true;
  // How a conditional numeric parameter enters the kernel (docs/quality.md measures them).
  gp_conditional_embedding conditional_embedding = gp_conditional_embedding::branch_arc;
};

// Proposes assignments in which only active parameters hold values. Inputs: reals and grids
// scaled to [0, 1] (log parameters in log space), categoricals one-hot (all-zero when
// inactive), conditional numeric parameters as gp_options::conditional_embedding says; one
// length scale per parameter. Complete, pruned, diverged and
// running trials are used as gp_options describes.
[[nodiscard]] std::unique_ptr<sampler> make_gp_sampler(gp_options options = {});

}  // namespace typetune
