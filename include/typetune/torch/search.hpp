// Searches in the shapes users know, over a checked space and the user's builder:
// - tuners as keras-tuner has them (random, Bayesian, Hyperband): an objective such as
//   "val_loss", a trial budget, executions per trial (repeated seeds: mean and spread), the
//   best hyperparameters as the user's struct, and the best model, rebuilt and retrained;
// - randomized and grid search with cross-validation as scikit-learn has them: n_iter, cv,
//   scoring, refit, best_params, best_score, best_model and a results table.
// The builder is `Model build(const P&)` or `Model build(const P&, tt::torch::fit_options&)`;
// the second form sets what the struct decides about fitting (optimizer, batch size, epochs).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <thread>
#include <tuple>
#include <chrono>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "typetune/study.hpp"
#include "typetune/torch/cross_validation.hpp"
#include "typetune/torch/data.hpp"
#include "typetune/torch/trainer.hpp"

namespace typetune::torch {

namespace detail {
template <class Builder>
using builder_struct_t = std::remove_cvref_t<builder_params_t<Builder>>;

// Writes to `out` and clears the terminal's line at each line start, so that log lines replace
// a progress line drawn with '\r' instead of running on after it.
class line_clearing_buffer : public std::streambuf {
 public:
  explicit line_clearing_buffer(std::ostream& out) : out_(out.rdbuf()) {}

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (at_line_start_) out_->sputn("\r\033[K", 4);
    at_line_start_ = traits_type::to_char_type(c) == '\n';
    return out_->sputc(traits_type::to_char_type(c));
  }
  int sync() override { return out_->pubsync(); }

 private:
  std::streambuf* out_;
  bool at_line_start_ = true;
};

// Where a trainer's run ended, in the terms of the study: pruned and stopped runs are not
// values to compare.
inline void raise_unless_finished(const history& h) {
  if (h.end == fit_end::interrupted) throw interrupted{};
  if (h.end == fit_end::timed_out) throw trial_timeout{};
}
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Tuners

struct tuner_options {
  std::string objective = "val_loss";  // "val_accuracy" (and any "*accuracy") is maximised
  std::uint64_t max_trials = 10;       // ignored by Hyperband, whose plan sets the trials
  std::size_t executions_per_trial = 1;  // seeds per configuration; the value is their mean
  std::uint64_t seed = 0;              // the sampler's and the runs' seeds derive from it
  std::size_t workers = 1;             // trials at a time
  int threads = 0;                     // LibTorch's intra-op threads; 0: the cores divided among the workers
  std::ostream* log = nullptr;         // one line per finished trial
  std::ostream* progress = nullptr;    // a live line, redrawn after every epoch (give it a terminal)
  bool handle_interrupts = true;       // Ctrl-C ends the search cleanly (see tt::handle_interrupts)
  std::optional<std::chrono::duration<double>> trial_time_limit = std::nullopt;
  // With a stored study (tt::storage among the study options): max_trials counts the trials
  // already stored, so running the same program again finishes what a stopped run left and
  // then only reads the study back, instead of adding max_trials more.
  bool count_stored_trials = false;
  // Work for the cores of the search's tail, when nothing is left to start and one trial still
  // runs: called from that trial's worker after each of its epochs there, it starts the work (a
  // baseline to compare with, say) the first time and returns whether the work still runs.
  // While it does, the last trial keeps its threads; then (or without tail_work) the trial's
  // matrix products take the idle workers' threads. Never called with one worker or a
  // scheduler (Hyperband), nor when the last trials end together; it must return quickly.
  std::function<bool()> tail_work = {};
};

// The configurations tried, as a person reads them.
struct trial_row {
  std::uint64_t number = 0;
  std::string state;
  std::optional<double> value;
  std::map<std::string, double> metrics;
  std::string params;
  double seconds = 0;
};

// StudyOptions: a std::tuple of the study's options besides direction and logging: a sampler,
// and a pruner (tt::asha, tt::median_pruner) or a scheduler (tt::hyperband).
template <class Space, class Builder, class StudyOptions>
class tuner {
 public:
  using params_type = detail::builder_struct_t<Builder>;
  using study_type = typetune::study<Space, params_type>;

  tuner(const Space& space, Builder build, tuner_options options, StudyOptions study_options)
      : space_(space), build_(std::move(build)), options_(std::move(options)), study_options_(std::move(study_options)) {
    static_assert(fits<params_type>(Space{}));
    if (options_.executions_per_trial == 0) throw std::invalid_argument("typetune: executions_per_trial must be at least 1");
  }

  // Known configurations to try first (the baseline, or a list taken from another tool).
  void enqueue(const params_type& p) { queued_.push_back(encode(space_, p)); }

  // Searches, training on `train` and validating on `validation` with `fit`. Returns the
  // study's summary (interrupted when Ctrl-C stopped it).
  run_summary search(const tensor_dataset& train, const tensor_dataset& validation, fit_options fit) {
    if (validation.size() == 0 && options_.objective.starts_with("val_"))
      throw std::invalid_argument("typetune: the objective '" + options_.objective + "' needs validation data");
    fit.objective = options_.objective;
    fit_ = fit;
    finished_ = 0;
    started_ = std::chrono::steady_clock::now();
    train_ = train;
    validation_ = validation;
    base_threads_ = options_.threads > 0 ? options_.threads : threads_per_worker(options_.workers);
    threads_now_ = base_threads_;
    begun_ = 0;
    running_ = 0;
    set_threads(base_threads_);
    std::optional<detail::line_clearing_buffer> clearing;
    std::optional<std::ostream> clearing_log;
    log_ = options_.log;
    if (options_.log != nullptr && options_.progress != nullptr) {
      clearing.emplace(*options_.log);
      clearing_log.emplace(&*clearing);
      log_ = &*clearing_log;
    }
    auto made = make_study();
    std::uint64_t to_run = options_.max_trials;
    if (options_.count_stored_trials) {
      const auto stored = static_cast<std::uint64_t>(made->trials().size());
      to_run = stored >= to_run ? 0 : to_run - stored;
    }
    planned_ = made->schedule_plan() ? static_cast<std::uint64_t>(made->schedule_plan()->total_configs()) : to_run;
    // A scheduler's rungs call run_trial once per rung: the tail is only known without one.
    share_tail_ = !made->schedule_plan() && options_.workers > 1;
    // A stored study that already holds max_trials is only read back.
    const bool nothing_left = options_.count_stored_trials && to_run == 0;
    if (!nothing_left)
      for (const auto& q : queued_) made->enqueue_raw(q);
    const auto started = std::chrono::steady_clock::now();
    const auto summary = nothing_left
                             ? run_summary{}
                             : made->optimize([this](trial<params_type>& t) { return run_trial(t); },
                                         budget{.trials = to_run,
                                                .time_limit = std::nullopt,
                                                .workers = options_.workers,
                                                .trial_time_limit = options_.trial_time_limit});
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (threads_now_ != base_threads_) set_blas_threads(base_threads_);
    if (options_.progress != nullptr) *options_.progress << "\r\033[K" << std::flush;
    log_ = nullptr;
    study_ = std::move(made);
    checkpoints_.clear();
    return summary;
  }

  // Whether a trial has completed (false after a search interrupted before its first one).
  [[nodiscard]] bool has_best() const {
    const auto all = study().trials();
    return std::any_of(all.begin(), all.end(), [](const trial_record& t) { return t.state == trial_state::complete; });
  }
  // The best configuration as the user's struct; throws std::logic_error before any trial completed.
  [[nodiscard]] params_type best_params() const { return study().best().params; }
  [[nodiscard]] double best_value() const { return study().best().value; }
  [[nodiscard]] std::map<std::string, double> best_metrics() const { return study().best().metrics; }
  // The model of the best trial as the search trained it (its first execution).
  [[nodiscard]] model_ref best_trained_model() const {
    std::lock_guard lock(mutex_);
    if (!best_model_) throw std::logic_error("typetune: no trial has completed yet");
    return best_model_;
  }
  // Whether the study's best trial was trained by this process's search (a stored study
  // continued by a re-run may have its best from an earlier run: best_model() retrains it).
  [[nodiscard]] bool best_trained_here() const {
    if (!has_best()) return false;
    const auto number = study().best().number;
    std::lock_guard lock(mutex_);
    return best_model_ && best_number_ == number;
  }
  // The best configuration rebuilt and trained again on `data` for `epochs` (the fit's epochs
  // when 0), with the search's seed: keras-tuner's rebuild-and-retrain.
  [[nodiscard]] model_ref best_model(const tensor_dataset& data, std::int64_t epochs = 0) const {
    auto built = build_seeded(build_, best_params(), fit_, derive_seed(options_.seed, 0));
    if (epochs > 0) built.fit.epochs = epochs;
    // No validation data here: the search's "val_*" objective and early stopping cannot apply.
    built.fit.early_stop.reset();
    built.fit.objective.clear();
    trainer t(built.model, built.fit);
    t.fit(data);
    return t.model();
  }

  [[nodiscard]] const study_type& study() const {
    if (!study_) throw std::logic_error("typetune: search() has not run");
    return *study_;
  }
  [[nodiscard]] study_type& study() {
    if (!study_) throw std::logic_error("typetune: search() has not run");
    return *study_;
  }
  [[nodiscard]] double seconds() const noexcept { return seconds_; }
  [[nodiscard]] std::vector<trial_row> results() const {
    std::vector<trial_row> rows;
    for (const auto& t : study().trials())
      rows.push_back({t.number, std::string(to_string(t.state)), t.value, t.metrics, study().description().format(t.params),
                      t.duration_s});
    return rows;
  }

 private:
  std::unique_ptr<study_type> make_study() {
    auto with_direction = [&](auto&&... rest) {
      if (higher_is_better(options_.objective))
        return make_with(maximize{options_.objective}, rest...);
      return make_with(minimize{options_.objective}, rest...);
    };
    return std::apply(with_direction, study_options_);
  }
  template <class... Options>
  std::unique_ptr<study_type> make_with(Options&&... opts) {
    if (log_ != nullptr) {
      if (options_.handle_interrupts)
        return std::make_unique<study_type>(space_, opts..., params<params_type>{}, log_trials{*log_},
                                            handle_interrupts{});
      return std::make_unique<study_type>(space_, opts..., params<params_type>{}, log_trials{*log_});
    }
    if (options_.handle_interrupts)
      return std::make_unique<study_type>(space_, opts..., params<params_type>{}, handle_interrupts{});
    return std::make_unique<study_type>(space_, opts..., params<params_type>{});
  }

  struct checkpoint {
    std::vector<trainer> runs;
  };

  // One line, redrawn: trials done, the best value so far, and the running trial's epoch.
  void show_progress(std::uint64_t number, const epoch_record& r) {
    std::lock_guard lock(mutex_);
    auto& out = *options_.progress;
    const auto it = r.metrics.find(options_.objective);
    out << "\r\033[K[typetune] " << finished_ << " of " << planned_ << " trials done";
    if (best_model_) out << ", best " << options_.objective << ' ' << best_value_;
    out << "; trial " << number << " epoch " << r.epoch;
    if (it != r.metrics.end()) out << ' ' << options_.objective << ' ' << it->second;
    out << " (" << static_cast<long long>(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count())
        << " s)" << std::flush;
  }

  // The last trial of a search runs alone once the other workers have nothing left to start:
  // its matrix products take their threads (checked after each epoch; see set_blas_threads),
  // so that their cores do not idle through the tail. Only then: two trials each with more
  // threads would contend inside OpenBLAS. While tuner_options::tail_work runs, it has them.
  void share_idle_cores() {
    bool in_tail = false;
    {
      std::lock_guard lock(mutex_);
      in_tail = share_tail_ && begun_ >= planned_ && running_ == 1;
    }
    const bool cores_taken = in_tail && options_.tail_work && options_.tail_work();
    int want = 0;
    {
      std::lock_guard lock(mutex_);
      want = base_threads_;
      if (in_tail && !cores_taken) {
        const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
        want = std::max(base_threads_, std::min(cores, base_threads_ * static_cast<int>(options_.workers)));
      }
      if (want == threads_now_) return;
      threads_now_ = want;
    }
    set_blas_threads(want);
  }

  outcome run_trial(trial<params_type>& t) {
    {
      std::lock_guard lock(mutex_);
      ++begun_;
      ++running_;
    }
    const auto finish = [this](outcome o) {
      std::lock_guard lock(mutex_);
      ++finished_;
      --running_;
      return o;
    };
    try {
      return finish(run_trial_unchecked(t));
    } catch (...) {
      finish(pruned);
      throw;
    }
  }

  outcome run_trial_unchecked(trial<params_type>& t) {
    const auto& objective = options_.objective;
    // Hyperband's later rungs resume the trainers of the earlier ones.
    std::unique_ptr<checkpoint> resumed;
    if (t.resumed_from() > 0) {
      std::lock_guard lock(mutex_);
      if (auto it = checkpoints_.find(t.number()); it != checkpoints_.end()) {
        resumed = std::move(it->second);
        checkpoints_.erase(it);
      }
    }
    auto state = resumed ? std::move(resumed) : std::make_unique<checkpoint>();
    const std::int64_t until = t.resource() ? *t.resource() : 0;
    scores values;
    for (std::size_t e = 0; e < options_.executions_per_trial; ++e) {
      if (state->runs.size() <= e) {
        auto built = build_seeded(build_, t.params(), fit_, derive_seed(options_.seed, e));
        if (e == 0)
          built.fit.on_epoch = [this, number = t.number(), users = std::move(built.fit.on_epoch)](const epoch_record& r) {
            share_idle_cores();
            if (options_.progress != nullptr) show_progress(number, r);
            if (users) users(r);
          };
        state->runs.emplace_back(built.model, built.fit);
        if (e == 0) t.set_metric("parameters", static_cast<double>(built.model.parameter_count()));
      }
      auto& run = state->runs[e];
      // The first execution's learning curve goes to the pruner; the others repeat it.
      const auto& h = run.fit(train_, validation_, e == 0 ? &t.context() : nullptr, until);
      detail::raise_unless_finished(h);
      if (h.end == fit_end::pruned) return pruned;
      if (h.end == fit_end::diverged) return outcome(objective, std::numeric_limits<double>::quiet_NaN());
      const bool restored = run.options().early_stop && run.options().early_stop->restore_best;
      values.values.push_back(restored ? h.at_best(objective) : h.last(objective));
      if (e == 0) {
        t.set_metric("epochs", static_cast<double>(h.epochs_trained()));
        for (const auto& [name, value] : h.epochs.back().metrics)
          if (name != objective && name.starts_with("val_")) t.set_metric(name, restored ? h.at_best(name) : value);
      }
    }
    const double value = values.mean();
    if (options_.executions_per_trial > 1) t.set_metric(objective + "_std", values.std());
    remember_if_best(t.number(), value, state->runs.front().model());
    if (t.resource()) {
      std::lock_guard lock(mutex_);
      checkpoints_[t.number()] = std::move(state);
    }
    return outcome(objective, value);
  }

  void remember_if_best(std::uint64_t number, double value, const model_ref& model) {
    std::lock_guard lock(mutex_);
    const auto dir = higher_is_better(options_.objective) ? direction::maximize : direction::minimize;
    if (improves(dir, value, best_model_ ? std::optional<double>(best_value_) : std::nullopt)) {
      best_value_ = value;
      best_model_ = model;
      best_number_ = number;
    }
  }

  Space space_;
  Builder build_;
  tuner_options options_;
  StudyOptions study_options_;
  fit_options fit_;
  tensor_dataset train_;
  tensor_dataset validation_;
  std::vector<assignment> queued_;
  std::unique_ptr<study_type> study_;
  double seconds_ = 0;
  std::ostream* log_ = nullptr;
  std::uint64_t planned_ = 0;
  std::uint64_t finished_ = 0;
  std::uint64_t begun_ = 0;    // trials this search has started
  std::uint64_t running_ = 0;  // and that have not returned yet
  bool share_tail_ = false;
  int base_threads_ = 1;
  int threads_now_ = 1;
  std::chrono::steady_clock::time_point started_;

  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::unique_ptr<checkpoint>> checkpoints_;
  model_ref best_model_;
  double best_value_ = 0;
  std::uint64_t best_number_ = 0;
};

// keras-tuner's RandomSearch, BayesianOptimization (a Gaussian process, or TPE) and Hyperband,
// and asynchronous successive halving (ASHA) as a pruner over any sampler.
template <class Space, class Builder, class... StudyOptions>
[[nodiscard]] auto make_tuner(const Space& space, Builder build, tuner_options options, StudyOptions... study_options) {
  using options_tuple = std::tuple<StudyOptions...>;
  return tuner<Space, Builder, options_tuple>(space, std::move(build), std::move(options),
                                              options_tuple{std::move(study_options)...});
}
template <class Space, class Builder>
[[nodiscard]] auto random_tuner(const Space& space, Builder build, tuner_options options = {}) {
  const auto seed = options.seed;
  return make_tuner(space, std::move(build), std::move(options), random{seed});
}
template <class Space, class Builder>
[[nodiscard]] auto bayesian_tuner(const Space& space, Builder build, tuner_options options = {}) {
  const auto seed = options.seed;
  return make_tuner(space, std::move(build), std::move(options), gp{.seed = seed});
}
template <class Space, class Builder>
[[nodiscard]] auto tpe_tuner(const Space& space, Builder build, tuner_options options = {}) {
  const auto seed = options.seed;
  return make_tuner(space, std::move(build), std::move(options), tpe{.seed = seed});
}
// Hyperband's brackets over epochs (fit_options::epochs is ignored: the plan sets them), with
// configurations drawn by `sampler` (random by default; its seed becomes options.seed).
template <class Space, class Builder, class Sampler = random>
[[nodiscard]] auto hyperband_tuner(const Space& space, Builder build, tuner_options options, hyperband plan,
                                   Sampler sampler = Sampler{}) {
  if constexpr (requires { sampler.seed; }) sampler.seed = options.seed;
  return make_tuner(space, std::move(build), std::move(options), std::move(sampler), std::move(plan));
}
// max_trials trials of up to fit_options::epochs, each reporting per epoch; ASHA stops the ones
// below the top 1/eta at each rung, without waiting for a rung to fill: no worker idles.
template <class Space, class Builder, class Sampler = random>
[[nodiscard]] auto asha_tuner(const Space& space, Builder build, tuner_options options, asha pruner,
                              Sampler sampler = Sampler{}) {
  if constexpr (requires { sampler.seed; }) sampler.seed = options.seed;
  return make_tuner(space, std::move(build), std::move(options), std::move(sampler), std::move(pruner));
}

// ---------------------------------------------------------------------------------------------
// Search with cross-validation

struct search_cv_options {
  std::uint64_t n_iter = 10;  // randomized search: configurations to try (grid: all)
  splitter cv = stratified_k_fold{.n_splits = 5, .shuffle = true, .seed = 0};
  std::string scoring = "accuracy";  // "accuracy" and "*accuracy" are maximised; "loss", "mse", "mae" minimised
  bool refit = true;                 // retrain the best configuration on all the data
  std::uint64_t seed = 0;
  std::size_t workers = 1;
  std::ostream* log = nullptr;
};

// One configuration's cross-validation, as a row of scikit-learn's cv_results_.
struct cv_candidate {
  std::uint64_t trial = 0;
  std::string params;
  std::vector<double> fold_scores;
  double mean = 0;
  double std = 0;
  std::size_t rank = 0;  // 1 = best; 0 for candidates that did not complete
  std::string state;
  double epochs = 0;     // the epochs its models trained (mean over folds): what ran, whatever the params say
};

template <class Space, class Builder, class Sampler>
class search_cv {
 public:
  using params_type = detail::builder_struct_t<Builder>;
  using study_type = typetune::study<Space, params_type>;

  search_cv(const Space& space, Builder build, search_cv_options options, fit_options fit, Sampler sampler)
      : space_(space), build_(std::move(build)), options_(std::move(options)), fit_(std::move(fit)),
        sampler_(std::move(sampler)) {
    static_assert(fits<params_type>(Space{}));
  }

  // Inputs of any rank (dimension 0 indexes samples) and their targets.
  search_cv& fit(const ::torch::Tensor& x, const ::torch::Tensor& y) { return fit(tensor_dataset(x, y)); }
  search_cv& fit(const tensor_dataset& data) {
    const auto folds = make_folds(options_.cv, data);
    set_threads(threads_per_worker(options_.workers));
    const bool maximise = higher_is_better(options_.scoring);
    auto made = maximise ? make_study(maximize{options_.scoring}) : make_study(minimize{options_.scoring});
    fold_scores_.clear();
    made->optimize(
        [&](trial<params_type>& t) {
          const model_factory factory = [&](std::uint64_t seed) { return build_seeded(build_, t.params(), fit_, seed); };
          auto s = cross_validate(factory, data, folds, options_.scoring, options_.seed, &t.context());
          {
            std::lock_guard lock(mutex_);
            fold_scores_[t.number()] = s.values;
          }
          if (s.values.size() < folds.size()) {
            if (!s.values.empty() && std::isnan(s.values.back())) return outcome(options_.scoring, s.values.back());
            return pruned;
          }
          t.set_metric("std_" + options_.scoring, s.std());
          if (!s.epochs.empty())
            t.set_metric("epochs", static_cast<double>(std::accumulate(s.epochs.begin(), s.epochs.end(), std::int64_t{0})) /
                                       static_cast<double>(s.epochs.size()));
          return outcome(options_.scoring, s.mean());
        },
        budget{.trials = options_.n_iter, .workers = options_.workers});
    study_ = std::move(made);
    if (options_.refit) {
      auto built = build_seeded(build_, best_params(), fit_, derive_seed(options_.seed, 0));
      // All the data trains the refit: nothing is left to validate on, so early stopping
      // (which monitors a validation metric) cannot apply; it trains for the fit's epochs.
      built.fit.early_stop.reset();
      built.fit.objective.clear();
      trainer t(built.model, built.fit);
      t.fit(data);
      best_model_ = t.model();
    }
    return *this;
  }

  [[nodiscard]] params_type best_params() const { return study().best().params; }
  [[nodiscard]] double best_score() const { return study().best().value; }
  // The best configuration retrained on all the data (refit = true).
  [[nodiscard]] const model_ref& best_model() const {
    if (!best_model_) throw std::logic_error("typetune: no refitted model (search_cv_options::refit is false, or fit() has not run)");
    return best_model_;
  }
  [[nodiscard]] const study_type& study() const {
    if (!study_) throw std::logic_error("typetune: fit() has not run");
    return *study_;
  }

  // Per candidate: fold scores, mean, std and rank by mean (best first in rank, rows by trial).
  [[nodiscard]] std::vector<cv_candidate> results() const {
    std::vector<cv_candidate> rows;
    for (const auto& t : study().trials()) {
      cv_candidate c;
      c.trial = t.number;
      c.params = study().description().format(t.params);
      c.state = std::string(to_string(t.state));
      if (auto it = fold_scores_.find(t.number); it != fold_scores_.end()) c.fold_scores = it->second;
      if (const auto e = t.metrics.find("epochs"); e != t.metrics.end()) c.epochs = e->second;
      if (t.state == trial_state::complete && t.value) {
        c.mean = *t.value;
        scores s{c.fold_scores, {}};
        c.std = s.values.empty() ? 0.0 : s.std();
      }
      rows.push_back(std::move(c));
    }
    std::vector<cv_candidate*> complete;
    for (auto& r : rows)
      if (r.state == "complete") complete.push_back(&r);
    const auto dir = higher_is_better(options_.scoring) ? direction::maximize : direction::minimize;
    std::stable_sort(complete.begin(), complete.end(),
                     [dir](const auto* a, const auto* b) { return better(dir, a->mean, b->mean); });
    for (std::size_t i = 0; i < complete.size(); ++i) complete[i]->rank = i + 1;
    return rows;
  }

  // The results as a table: rank, mean ± std, the fold scores and the parameters.
  [[nodiscard]] std::string results_table() const {
    std::ostringstream out;
    out << std::fixed << std::setprecision(4);
    out << "rank  trial  mean_" << options_.scoring << "   std  epochs  folds  params\n";
    for (const auto& r : results()) {
      out << std::setw(4) << (r.rank ? std::to_string(r.rank) : std::string("-")) << "  " << std::setw(5) << r.trial << "  "
          << std::setw(10) << r.mean << "  " << std::setw(6) << r.std << "  " << std::setw(6) << std::setprecision(1)
          << r.epochs << std::setprecision(4) << "  ";
      for (double v : r.fold_scores) out << v << ' ';
      out << ' ' << r.params << (r.state == "complete" ? "" : " (" + r.state + ")") << '\n';
    }
    return out.str();
  }

 private:
  template <class Direction>
  std::unique_ptr<study_type> make_study(Direction dir) {
    if (options_.log != nullptr)
      return std::make_unique<study_type>(space_, dir, sampler_, params<params_type>{}, log_trials{*options_.log},
                                          handle_interrupts{});
    return std::make_unique<study_type>(space_, dir, sampler_, params<params_type>{}, handle_interrupts{});
  }

  Space space_;
  Builder build_;
  search_cv_options options_;
  fit_options fit_;
  Sampler sampler_;
  std::unique_ptr<study_type> study_;
  model_ref best_model_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, std::vector<double>> fold_scores_;
};

// scikit-learn's RandomizedSearchCV and GridSearchCV (a grid needs a finite space: checked at
// compile time, naming the first continuous parameter).
template <class Space, class Builder>
[[nodiscard]] auto randomized_search_cv(const Space& space, Builder build, search_cv_options options = {},
                                        fit_options fit = {}) {
  const auto seed = options.seed;
  return search_cv<Space, Builder, random>(space, std::move(build), std::move(options), std::move(fit), random{seed});
}
template <class Space, class Builder>
[[nodiscard]] auto grid_search_cv(const Space& space, Builder build, search_cv_options options = {}, fit_options fit = {}) {
  options.n_iter = std::numeric_limits<std::uint64_t>::max();
  return search_cv<Space, Builder, grid>(space, std::move(build), std::move(options), std::move(fit), grid{});
}

}  // namespace typetune::torch
