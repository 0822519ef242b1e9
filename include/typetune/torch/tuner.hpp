// Tuners as keras-tuner has them, over a checked space and the user's builder (tt::builder_for):
// random, Bayesian (a Gaussian process, or TPE) and Hyperband, and asynchronous successive
// halving (ASHA) as a pruner over any sampler. An objective such as "val_loss", a trial budget,
// executions per trial (repeated seeds: mean and spread), the best trial typed (best(): its struct,
// which prints with std::cout << tuner.best_params(), its value, epochs and weights), the best
// model, rebuilt and retrained, and the study saved with its HTML report (save()).
// Each thing is said in one place:
// - the seed: tuner_options::seed, or the sampler's own (tt::tpe{.seed = 1}); the one given seeds
//   the sampler and every run, and two different ones are an error when the tuner is made;
// - the epochs: fit_options::epochs, or the max_resource of tt::asha, tt::hyperband or
//   tt::successive_halving; the one given sets the other, and two different ones are an error
//   when the search starts;
// - the progress line: on standard error when it is a terminal (tuner_options::progress).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "typetune/torch/device_slots.hpp"
#include "typetune/torch/progress.hpp"
#include "typetune/torch/search_common.hpp"

namespace typetune::torch {

struct tuner_options {
  std::string objective = "val_loss";    // "val_accuracy" (and any "*accuracy") is maximised
  std::uint64_t max_trials = 10;         // ignored by Hyperband, whose plan sets the trials
  std::size_t executions_per_trial = 1;  // seeds per configuration; the value is their mean
  // The search's seed: the sampler's and the runs' seeds derive from it. Not given: the
  // sampler's own (tt::tpe{.seed = 1}), else 0. Given beside a different seed of the sampler:
  // std::invalid_argument naming both when the tuner is made.
  std::optional<std::uint64_t> seed = std::nullopt;
  std::size_t workers = 1;      // trials at a time
  int threads = 0;              // LibTorch's intra-op threads; 0: the cores divided among the workers
  std::ostream* log = nullptr;  // one line per finished trial, and how the search ended
  // A live line, redrawn after every epoch: on standard error when it is a terminal (checked
  // when the options are made), else none. nullptr turns it off; any stream redirects it.
  std::ostream* progress = stderr_if_terminal();
  bool handle_interrupts = true;  // Ctrl-C ends the search cleanly (see tt::handle_interrupts)
  std::optional<std::chrono::duration<double>> trial_time_limit = std::nullopt;
  // With a stored study (tt::storage among the study options): max_trials counts the trials
  // already stored, so running the same program again finishes what a stopped run left and
  // then only reads the study back, instead of adding max_trials more. It is the study's budget
  // for every process on it too: several started together (workers of a Slurm job array) create
  // max_trials trials between them, decided in the storage's transaction (budget::study_trials).
  bool count_stored_trials = false;
  // Work for the cores of the search's tail, when nothing is left to start and one trial still
  // runs: called from that trial's worker after each of its epochs there, it starts the work (a
  // baseline to compare with, say) the first time and returns whether the work still runs.
  // While it does, the last trial keeps its threads; then (or without tail_work) the trial's
  // matrix products take the idle workers' threads. Never called with one worker or a
  // scheduler (Hyperband), nor when the last trials end together; it must return quickly.
  std::function<bool()> tail_work = {};
  // The devices trials train on: each trial on the one running the fewest trials when it starts
  // (tt::torch::device_slots; a resumed Hyperband rung stays on its model's), so that the workers
  // of one process spread over a node's GPUs: set workers to devices x trials per device.
  // devices_from("auto") lists every GPU LibTorch sees. Empty: fit_options::device, every trial.
  // With more than one, each trial's device index is its metric "device".
  std::vector<::torch::Device> devices = {};
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

// How a search ended: the study's summary of this run (trials started, interrupted, failures by
// message), and whether the study has a best trial to show.
struct search_summary : run_summary {
  std::size_t trials = 0;  // in the study, stored ones included
  bool has_best = false;   // a trial has completed (in this run or, in a stored study, before)

  // The exit status of a program whose search ended without a best trial: 130 after Ctrl-C,
  // else 1; 0 when there is a best.
  [[nodiscard]] int exit_status() const noexcept { return has_best ? 0 : (interrupted ? 130 : 1); }
};

// "interrupted: the results so far follow" after Ctrl-C, the failures by message, and "no trial
// completed (N started)" without a best; nothing for a search that ended as planned. A tuner
// writes it to tuner_options::log at the end of its search.
std::ostream& operator<<(std::ostream& out, const search_summary& summary);

// The best trial of a tuner's study, typed: the figures the tuner records for every trial are
// fields here, and all the trial's named metrics are also in `metrics` by name ("epochs",
// "parameters", "<objective>_std", and the validation metrics besides the objective).
template <class P>
struct tuner_result {
  std::uint64_t number = 0;
  P params;
  double value = 0;
  std::int64_t epochs = 0;  // epochs its (first) model trained: early stopping or a rung may end it before fit.epochs
  std::int64_t parameters = 0;      // its model's trainable weights
  std::optional<double> value_std;  // the spread of `value` over executions_per_trial (2 or more)
  std::map<std::string, double> metrics;
};

namespace detail {

// Where a trainer's run ended, in the terms of the study: pruned and stopped runs are not
// values to compare.
inline void raise_unless_finished(const history& h) {
  if (h.end == fit_end::interrupted) throw interrupted{};
  if (h.end == fit_end::timed_out) throw trial_timeout{};
}

// The epochs of a search, said once: fit.epochs, or the max_resource of a pruner or scheduler
// over epochs (tt::asha, tt::hyperband, tt::successive_halving). The option types leave no
// "unset" value, so one still at its default (fit_options{}.epochs, Option{}.max_resource) is
// the one not given and takes the other's value; both changed and different is
// std::invalid_argument naming the two.
template <class Option>
void settle_epochs(Option& option, fit_options& fit) {
  if constexpr (requires { option.max_resource = std::int64_t{}; }) {
    const bool resource_given = option.max_resource != Option{}.max_resource;
    const bool epochs_given = fit.epochs != fit_options{}.epochs;
    if (resource_given && epochs_given && option.max_resource != fit.epochs)
      throw std::invalid_argument(
          "typetune: the epochs are given twice: fit_options::epochs = " + std::to_string(fit.epochs) +
          " and tt::" + std::string(typetune::detail::type_name<Option>()) + "{.max_resource = " +
          std::to_string(option.max_resource) + "}; give them once (the tuner sets the other from it)");
    if (resource_given) fit.epochs = option.max_resource;
    else option.max_resource = fit.epochs;
  }
}

template <class T>
inline constexpr bool is_study_name = std::is_same_v<T, study_name>;

}  // namespace detail

// StudyOptions: a std::tuple of the study's options besides direction and logging: a sampler,
// and a pruner (tt::asha, tt::median_pruner) or a scheduler (tt::hyperband).
template <class Space, class Builder, class StudyOptions>
class tuner {
 public:
  using params_type = typetune::detail::builder_struct_t<Builder>;
  using study_type = typetune::study<Space, params_type>;

  // Throws std::invalid_argument for executions_per_trial = 0 and for two different seeds
  // (tuner_options::seed and the sampler's).
  tuner(const Space& space, Builder build, tuner_options options, StudyOptions study_options)
      : space_(space),
        build_(std::move(build)),
        options_(std::move(options)),
        study_options_(std::move(study_options)) {
    static_assert(fits<params_type>(Space{}));
    if (options_.executions_per_trial == 0)
      throw std::invalid_argument("typetune: executions_per_trial must be at least 1");
    if (!options_.devices.empty()) slots_ = std::make_unique<device_slots>(options_.devices.size());
    seed_ = options_.seed.value_or(0);
    std::apply([this](auto&... option) { (settle_seed(option), ...); }, study_options_);
  }

  // Known configurations to try first (the baseline, or a list taken from another tool).
  void enqueue(const params_type& p) { queued_.push_back(encode(space_, p)); }

  // Searches, training on `train` and validating on `validation` with `fit`. Returns how the
  // search ended (interrupted when Ctrl-C stopped it), which it also writes to the log. Throws
  // std::invalid_argument, before training, for a "val_*" objective without validation data
  // and for epochs given twice (see settle_epochs).
  search_summary search(const tensor_dataset& train, const tensor_dataset& validation, fit_options fit) {
    if (validation.size() == 0 && options_.objective.starts_with("val_"))
      throw std::invalid_argument("typetune: the objective '" + options_.objective + "' needs validation data");
    auto study_options = study_options_;
    std::apply([&fit](auto&... option) { (detail::settle_epochs(option, fit), ...); }, study_options);
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
    // The log's lines clear the progress line first where both are on the terminal.
    if (options_.log != nullptr && options_.progress != nullptr && writes_to_terminal(*options_.log) &&
        writes_to_terminal(*options_.progress)) {
      clearing.emplace(*options_.log);
      clearing_log.emplace(&*clearing);
      log_ = &*clearing_log;
    }
    auto made = make_study(study_options);
    std::uint64_t to_run = options_.max_trials;
    if (options_.count_stored_trials) {
      const auto stored = static_cast<std::uint64_t>(made->trials().size());
      to_run = stored >= to_run ? 0 : to_run - stored;
    }
    planned_ = made->schedule_plan() ? static_cast<std::uint64_t>(made->schedule_plan()->total_configs()) : to_run;
    // A scheduler's rungs call run_trial once per rung: the tail is only known without one.
    share_tail_ = !made->schedule_plan() && options_.workers > 1;
    // A stored study that already holds max_trials gets no queued configurations; optimize()
    // then trains nothing, or waits for the trials other processes still run (one may come back
    // to the queue should its worker die: run_budget::study_trials).
    if (!options_.count_stored_trials || to_run > 0)
      for (const auto& q : queued_) made->enqueue_raw(q);
    const auto started = std::chrono::steady_clock::now();
    const auto summary = made->optimize([this](trial<params_type>& t) { return run_trial(t); },
                                        budget{.trials = study_budget().value_or(to_run),
                                               .time_limit = std::nullopt,
                                               .workers = options_.workers,
                                               .trial_time_limit = options_.trial_time_limit,
                                               .study_trials = study_budget()});
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (threads_now_ != base_threads_) set_blas_threads(base_threads_);
    if (options_.progress != nullptr) detail::clear_progress(*options_.progress);
    log_ = nullptr;
    study_ = std::move(made);
    checkpoints_.clear();
    search_summary ended{summary, study_->trials().size(), has_best()};
    if (options_.log != nullptr) *options_.log << ended << std::flush;
    return ended;
  }

  // Whether a trial has completed (false after a search interrupted before its first one).
  [[nodiscard]] bool has_best() const {
    const auto all = study().trials();
    return std::any_of(all.begin(), all.end(), [](const trial_record& t) { return t.state == trial_state::complete; });
  }
  // The best trial, typed (see tuner_result); throws std::logic_error before any trial completed.
  [[nodiscard]] tuner_result<params_type> best() const {
    auto b = study().best();
    const auto figure = [&](const std::string& name) -> std::optional<double> {
      const auto it = b.metrics.find(name);
      return it == b.metrics.end() ? std::nullopt : std::optional<double>(it->second);
    };
    return {.number = b.number,
            .params = std::move(b.params),
            .value = b.value,
            .epochs = static_cast<std::int64_t>(figure("epochs").value_or(0)),
            .parameters = static_cast<std::int64_t>(figure("parameters").value_or(0)),
            .value_std = figure(options_.objective + "_std"),
            .metrics = b.metrics};
  }
  // A study with several objectives (a tt::minimize or tt::maximize among the study options
  // beside the tuner's objective, on a figure the tuner records such as "parameters", or on one
  // the builder's objective sets): the trials of its Pareto front, typed as best() has them,
  // ordered by number; `value` is the tuner's objective. With one objective: the best trial.
  [[nodiscard]] std::vector<tuner_result<params_type>> pareto_front() const {
    std::vector<tuner_result<params_type>> out;
    for (auto& f : study().pareto_front()) {
      const auto figure = [&](const std::string& name) -> std::optional<double> {
        const auto it = f.metrics.find(name);
        return it == f.metrics.end() ? std::nullopt : std::optional<double>(it->second);
      };
      out.push_back({.number = f.number,
                     .params = std::move(f.params),
                     .value = f.values.front(),
                     .epochs = static_cast<std::int64_t>(figure("epochs").value_or(0)),
                     .parameters = static_cast<std::int64_t>(figure("parameters").value_or(0)),
                     .value_std = figure(options_.objective + "_std"),
                     .metrics = f.metrics});
    }
    return out;
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
    return trained_model(best_params(), data, epochs);
  }
  // Any configuration (a trial of the Pareto front, say) built and trained on `data` as
  // best_model() trains the best.
  [[nodiscard]] model_ref trained_model(const params_type& params, const tensor_dataset& data,
                                        std::int64_t epochs = 0) const {
    auto built = build_seeded(build_, params, fit_, derive_seed(seed_, 0));
    if (epochs > 0) built.fit.epochs = epochs;
    // No validation data here: the search's "val_*" objective and early stopping cannot apply.
    built.fit.early_stop.reset();
    built.fit.objective.clear();
    trainer t(built.model, built.fit);
    t.fit(data);
    return t.model();
  }

  // Writes the study as JSON Lines to export_path and its HTML report to report_path (an empty
  // path is skipped), under the name of its tt::study_name option ("default" without one), and
  // says where on the log. Throws std::runtime_error naming a file it cannot write.
  void save(const std::filesystem::path& export_path, const std::filesystem::path& report_path = {}) const {
    if (export_path.empty() && report_path.empty()) return;
    save_study(study().export_study(name()), export_path, report_path, options_.log);
  }

  [[nodiscard]] const study_type& study() const {
    if (!study_) throw std::logic_error("typetune: search() has not run");
    return *study_;
  }
  [[nodiscard]] study_type& study() {
    if (!study_) throw std::logic_error("typetune: search() has not run");
    return *study_;
  }
  // The seed the search runs with (see tuner_options::seed).
  [[nodiscard]] std::uint64_t seed() const noexcept { return seed_; }
  [[nodiscard]] double seconds() const noexcept { return seconds_; }
  [[nodiscard]] std::vector<trial_row> results() const {
    std::vector<trial_row> rows;
    for (const auto& t : study().trials())
      rows.push_back({t.number, std::string(to_string(t.state)), t.value, t.metrics,
                      study().description().format(t.params), t.duration_s});
    return rows;
  }

 private:
  // The study's own budget, shared by every process on it, when max_trials counts stored trials.
  [[nodiscard]] std::optional<std::uint64_t> study_budget() const {
    if (!options_.count_stored_trials) return std::nullopt;
    return options_.max_trials;
  }

  template <class Option>
  void settle_seed(Option& option) {
    if constexpr (detail::gives_seed<Option>) {
      seed_ = detail::one_seed(options_.seed, "tuner_options::seed", option.seed,
                               typetune::detail::type_name<Option>());
      option.seed = seed_;
    }
  }

  [[nodiscard]] std::string name() const {
    std::string found = "default";
    std::apply(
        [&found](const auto&... option) {
          const auto take = [&found](const auto& o) {
            if constexpr (detail::is_study_name<std::remove_cvref_t<decltype(o)>>) found = o.name;
          };
          (take(option), ...);
        },
        study_options_);
    return found;
  }

  std::unique_ptr<study_type> make_study(const StudyOptions& study_options) {
    auto with_direction = [&](const auto&... rest) {
      if (higher_is_better(options_.objective)) return make_with(maximize{options_.objective}, rest...);
      return make_with(minimize{options_.objective}, rest...);
    };
    return std::apply(with_direction, study_options);
  }
  template <class... Options>
  std::unique_ptr<study_type> make_with(const Options&... opts) {
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
    const auto it = r.metrics.find(options_.objective);
    detail::draw_progress(
        *options_.progress,
        {.finished = finished_,
         .planned = planned_,
         .metric = options_.objective,
         .best = best_model_ ? std::optional<double>(best_value_) : std::nullopt,
         .trial = number,
         .epoch = r.epoch,
         .value = it != r.metrics.end() ? std::optional<double>(it->second) : std::nullopt,
         .seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count()});
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
    // Its device: the least busy of options_.devices, or the one its resumed models are on.
    std::optional<device_slots::lease> device;
    const fit_options* trial_fit = &fit_;
    fit_options on_device;
    if (slots_) {
      if (state->runs.empty()) {
        device.emplace(slots_->take());
      } else {
        const auto& on = state->runs.front().options().device;
        const auto at = static_cast<std::size_t>(std::find(options_.devices.begin(), options_.devices.end(), on) -
                                                 options_.devices.begin());
        device.emplace(slots_->take(at < options_.devices.size() ? at : 0));
      }
      on_device = fit_;
      on_device.device = options_.devices[device->index()];
      trial_fit = &on_device;
      if (options_.devices.size() > 1) t.set_metric("device", static_cast<double>(device->index()));
    }
    scores values;
    for (std::size_t e = 0; e < options_.executions_per_trial; ++e) {
      if (state->runs.size() <= e) {
        auto built = build_seeded(build_, t.params(), *trial_fit, derive_seed(seed_, e));
        if (e == 0)
          built.fit.on_epoch = [this, number = t.number(),
                                users = std::move(built.fit.on_epoch)](const epoch_record& r) {
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
  std::uint64_t seed_ = 0;
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
  std::unique_ptr<device_slots> slots_;  // with options_.devices
  model_ref best_model_;
  double best_value_ = 0;
  std::uint64_t best_number_ = 0;
};

// Each front end below takes a builder of the forms of tt::builder_for (builder_concept.hpp).
// A builder of another form meets the front end's deleted twin instead: one error, "use of
// deleted function", whose template argument `Why` spells out the accepted forms. (A builder of
// the right form whose struct does not fit the space is fits()'s error, naming the parameter.)

// keras-tuner's RandomSearch, BayesianOptimization (a Gaussian process, or TPE) and Hyperband,
// and asynchronous successive halving (ASHA) as a pruner over any sampler, from the study's
// options. Without a sampler among them the study's default, tt::auto_sampler, draws the
// configurations (with the tuner's seed).
template <class Space, class Builder, class... StudyOptions>
  requires typetune::detail::builder_shaped<Builder>
[[nodiscard]] auto make_tuner(const Space& space, Builder build, tuner_options options, StudyOptions... study_options) {
  if constexpr ((detail::is_sampler<StudyOptions> || ...)) {
    using options_tuple = std::tuple<StudyOptions...>;
    return tuner<Space, Builder, options_tuple>(space, std::move(build), std::move(options),
                                                options_tuple{std::move(study_options)...});
  } else {
    return make_tuner(space, std::move(build), std::move(options), auto_sampler{}, std::move(study_options)...);
  }
}
template <class Space, class Builder, fixed_string Why = typetune::detail::builder_forms, class... StudyOptions>
  requires(!typetune::detail::builder_shaped<Builder>)
auto make_tuner(const Space& space, Builder build, tuner_options options, StudyOptions... study_options) = delete;

template <class Space, class Builder>
  requires typetune::detail::builder_shaped<Builder>
[[nodiscard]] auto random_tuner(const Space& space, Builder build, tuner_options options = {}) {
  return make_tuner(space, std::move(build), std::move(options), random{});
}
template <class Space, class Builder, fixed_string Why = typetune::detail::builder_forms>
  requires(!typetune::detail::builder_shaped<Builder>)
auto random_tuner(const Space& space, Builder build, tuner_options options = {}) = delete;

template <class Space, class Builder>
  requires typetune::detail::builder_shaped<Builder>
[[nodiscard]] auto bayesian_tuner(const Space& space, Builder build, tuner_options options = {}) {
  return make_tuner(space, std::move(build), std::move(options), gp{});
}
template <class Space, class Builder, fixed_string Why = typetune::detail::builder_forms>
  requires(!typetune::detail::builder_shaped<Builder>)
auto bayesian_tuner(const Space& space, Builder build, tuner_options options = {}) = delete;

template <class Space, class Builder>
  requires typetune::detail::builder_shaped<Builder>
[[nodiscard]] auto tpe_tuner(const Space& space, Builder build, tuner_options options = {}) {
  return make_tuner(space, std::move(build), std::move(options), tpe{});
}
template <class Space, class Builder, fixed_string Why = typetune::detail::builder_forms>
  requires(!typetune::detail::builder_shaped<Builder>)
auto tpe_tuner(const Space& space, Builder build, tuner_options options = {}) = delete;

// Hyperband's brackets over epochs (its max_resource and fit_options::epochs said once, as
// above), with configurations drawn by `sampler` (random by default).
template <class Space, class Builder, class Sampler = random>
  requires typetune::detail::builder_shaped<Builder>
[[nodiscard]] auto hyperband_tuner(const Space& space, Builder build, tuner_options options, hyperband plan,
                                   Sampler sampler = Sampler{}) {
  return make_tuner(space, std::move(build), std::move(options), std::move(sampler), std::move(plan));
}
template <class Space, class Builder, class Sampler = random, fixed_string Why = typetune::detail::builder_forms>
  requires(!typetune::detail::builder_shaped<Builder>)
auto hyperband_tuner(const Space& space, Builder build, tuner_options options, hyperband plan,
                     Sampler sampler = Sampler{}) = delete;

// max_trials trials of up to fit_options::epochs (or the pruner's max_resource), each reporting
// per epoch; ASHA stops the ones below the top 1/eta at each rung, without waiting for a rung
// to fill: no worker idles.
template <class Space, class Builder, class Sampler = random>
  requires typetune::detail::builder_shaped<Builder>
[[nodiscard]] auto asha_tuner(const Space& space, Builder build, tuner_options options, asha pruner,
                              Sampler sampler = Sampler{}) {
  return make_tuner(space, std::move(build), std::move(options), std::move(sampler), std::move(pruner));
}
template <class Space, class Builder, class Sampler = random, fixed_string Why = typetune::detail::builder_forms>
  requires(!typetune::detail::builder_shaped<Builder>)
auto asha_tuner(const Space& space, Builder build, tuner_options options, asha pruner,
                Sampler sampler = Sampler{}) = delete;

}  // namespace typetune::torch
