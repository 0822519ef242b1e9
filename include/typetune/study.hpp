// The typed front end of a search: tt::study(space, tt::minimize{"val_loss"}, tt::tpe{.seed = 1})
// and study.optimize([](tt::trial<mlp_params>& t) { ... }). The parameter struct is checked
// against the space where optimize() is called; everything after that is the compiled engine.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "typetune/check/fits.hpp"
#include "typetune/check/grid.hpp"
#include "typetune/decode.hpp"
#include "typetune/describe.hpp"
#include "typetune/engine/asha_pruner.hpp"
#include "typetune/engine/errors.hpp"
#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/grid_sampler.hpp"
#include "typetune/engine/hyperband.hpp"
#include "typetune/engine/interrupts.hpp"
#include "typetune/engine/median_pruner.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/sobol_sampler.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/engine/auto_sampler.hpp"
#include "typetune/engine/study_core.hpp"
#include "typetune/engine/tpe_sampler.hpp"
#include "typetune/engine/trial_storage.hpp"
#include "typetune/storage/open_storage.hpp"

namespace typetune {

// Directions, each naming the metric the objective reports.
struct minimize {
  std::string metric = "value";
};
struct maximize {
  std::string metric = "value";
};

// Samplers. The seed is the study's one source of randomness. random_search is also spelled
// tt::random; unqualified after `using namespace typetune;`, that name meets POSIX random().
struct random_search {
  std::uint64_t seed = 0;
};
using random = random_search;
struct grid {};
// The default when no sampler is given: picks by the space and the trials so far (multivariate
// TPE on all-categorical spaces; TPE then the GP on conditional ones; the GP, then TPE past 200
// trials, otherwise). See engine/auto_sampler.hpp and docs/quality.md.
struct auto_sampler {
  std::uint64_t seed = 0;
  auto_options options = {};
};
struct sobol {
  std::uint64_t seed = 0;
};
struct tpe {
  std::uint64_t seed = 0;
  tpe_options options = {};
};
struct gp {
  std::uint64_t seed = 0;
  gp_options options = {};
};

// Pruners.
struct median_pruner : median_pruner_options {};
// Asynchronous successive halving as a pruner: the objective reports at steps in `unit`
// (t.report(epoch, loss)) and asks t.should_prune(); see engine/asha_pruner.hpp.
struct asha {
  std::int64_t min_resource = 1;
  std::int64_t max_resource = 81;
  std::int64_t reduction_factor = 3;
  std::int64_t min_early_stopping_rate = 0;
  std::string unit = "epochs";
};

// Schedulers: optimize() runs the plan (engine/hyperband.hpp) instead of a plain loop. The
// objective trains each call up to t.resource() (in `unit`); t.resumed_from() is what an earlier
// rung of the same trial already trained, for objectives that keep checkpoints. The plan is
// computed when the study is made (study.schedule_plan()) and printed by tt::log_trials.
struct hyperband {
  std::int64_t min_resource = 1;
  std::int64_t max_resource = 81;
  std::int64_t reduction_factor = 3;
  std::string unit = "epochs";
};
struct successive_halving {
  std::int64_t min_resource = 1;
  std::int64_t max_resource = 81;
  std::int64_t reduction_factor = 3;
  std::int64_t n_configs = 0;  // configurations at the first rung; 0: reduction_factor^s_max
  std::string unit = "epochs";
};

// Ctrl-C during optimize(): the first one stops the search after the running trials (which see
// t.stop_requested()), the second ends the process (exit status 130). The previous SIGINT
// handler is restored when optimize() returns; the summary says `interrupted`.
struct handle_interrupts {};

// Names the study's parameter struct: tt::study(space, tt::params<mlp_params>{}, ...) makes
// study.best().params that struct (so `auto` works), checks objectives and enqueue() against
// it, and lets optimize() take a generic lambda, which is called with tt::trial<P>&.
template <class Params>
struct params {};

// How much to run: trials, wall time and parallel workers (threads). With a scheduler
// (tt::hyperband, tt::successive_halving) the plan decides how many trials run: `trials` and
// `time_limit` do not apply there, `workers` and `trial_time_limit` do.
struct budget {
  std::uint64_t trials = 100;
  std::optional<std::chrono::duration<double>> time_limit = std::nullopt;
  std::size_t workers = 1;
  // Per trial: t.out_of_time() turns true after it (stopping is cooperative; see trial).
  std::optional<std::chrono::duration<double>> trial_time_limit = std::nullopt;
};

// Writes one line per finished trial (number, state, value, time, active parameters) to `out`.
struct log_trials {
  std::ostream& out;
};

// Failed trials in a row after which the study stops with too_many_failures_error (0: never).
struct stop_after_failures {
  std::size_t count = 5;
};

// Where the study is kept. tt::storage{"sqlite:///abs/path/studies.db"} opens a URL (see
// storage/open_storage.hpp; the program then links typetune::storage); tt::storage{.backend = s}
// shares a store already open. Without it the study lives in memory. A stored study continues
// where it stopped: its trials are kept and feed the sampler, and the same program started
// several times shares it (no trial number or grid point handed out twice).
struct storage {
  std::string url;
  std::shared_ptr<trial_storage> backend = nullptr;
};

// The study's name in its storage ("default" without it).
struct study_name {
  std::string name;
};

// Re-opening a stored study whose space changed compatibly (a range widened, a choice value
// added, a parameter added with a default) continues it with the new space; without this
// option any change is refused, with a message naming it.
struct allow_space_changes {};

// With a shared storage: how often running trials report that their worker is alive, after
// how long without a report a running trial is re-queued (same parameters and seed), and how
// many re-queues a trial gets before it is failed.
struct heartbeat {
  std::chrono::duration<double> interval{10.0};
  std::chrono::duration<double> stale_after{60.0};
  std::uint32_t max_retries = 3;
};

// What an objective returns: tt::result{val_loss}, tt::result{"val_loss", v}, or tt::pruned.
using result = outcome;
inline const outcome pruned = outcome::pruned();

// The trial an objective receives, or study.ask() hands out: its typed parameters, report()
// and should_prune(), named metrics, the schedule's resource, the stop request and the
// per-trial deadline.
template <class Params>
class trial {
 public:
  trial(trial_context& context, Params params) : context_(&context), params_(std::move(params)) {}
  // A trial of an ask/tell loop owns what it reports through; copies share it.
  trial(std::shared_ptr<asked_trial> asked, Params params)
      : asked_(std::move(asked)), context_(&asked_->context()), params_(std::move(params)) {}
  [[nodiscard]] const Params& params() const noexcept { return params_; }
  [[nodiscard]] std::uint64_t number() const noexcept { return context_->number(); }
  // The trial's own seed: the same when a re-queued trial runs again (see trial_context).
  [[nodiscard]] std::uint64_t seed() const noexcept { return context_->seed(); }
  [[nodiscard]] const assignment& raw() const noexcept { return context_->params(); }
  [[nodiscard]] std::optional<std::int64_t> resource() const noexcept { return context_->resource(); }
  [[nodiscard]] std::int64_t resumed_from() const noexcept { return context_->resumed_from(); }
  void report(std::int64_t step, double value) { context_->report(step, value); }
  [[nodiscard]] bool should_prune() { return context_->should_prune(); }
  // A named metric besides the objective (val_accuracy, epochs, parameters); see trial_context.
  void set_metric(std::string name, double value) { context_->set_metric(std::move(name), value); }
  // Ctrl-C (tt::handle_interrupts): stop between batches, then throw tt::interrupted{} or return.
  [[nodiscard]] bool stop_requested() const noexcept { return context_->stop_requested(); }
  // budget::trial_time_limit: stop between batches, then throw tt::trial_timeout{} (recorded as
  // failed, "time limit of X s reached") or return a value (kept as the trial's value).
  [[nodiscard]] bool out_of_time() const noexcept { return context_->out_of_time(); }
  [[nodiscard]] std::optional<std::chrono::duration<double>> time_left() const noexcept { return context_->time_left(); }
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> deadline() const noexcept { return context_->deadline(); }
  [[nodiscard]] trial_context& context() noexcept { return *context_; }

 private:
  std::shared_ptr<asked_trial> asked_;  // null for a trial that optimize() runs
  trial_context* context_;
  Params params_;
};

namespace detail {
template <class T>
struct is_trial : std::false_type {};
template <class P>
struct is_trial<trial<P>> : std::true_type {};

// The one parameter of a callable with a single, non-template call operator (void otherwise).
template <class Sig>
struct call_signature {
  static constexpr bool known = false;
  using arg = void;
};
template <class R, class A>
struct call_signature<R(A)> {
  static constexpr bool known = true;
  using arg = A;
};
template <class M>
struct member_signature : call_signature<void> {};
template <class R, class C, class A>
struct member_signature<R (C::*)(A)> : call_signature<R(A)> {};
template <class R, class C, class A>
struct member_signature<R (C::*)(A) const> : call_signature<R(A)> {};
template <class R, class C, class A>
struct member_signature<R (C::*)(A) noexcept> : call_signature<R(A)> {};
template <class R, class C, class A>
struct member_signature<R (C::*)(A) const noexcept> : call_signature<R(A)> {};

template <class F, class = void>
struct objective_signature : call_signature<void> {};  // generic lambda, overloads, no call
template <class F>
struct objective_signature<F, std::void_t<decltype(&F::operator())>> : member_signature<decltype(&F::operator())> {};
template <class R, class A>
struct objective_signature<R (*)(A), void> : call_signature<R(A)> {};
template <class R, class A>
struct objective_signature<R(A), void> : call_signature<R(A)> {};
template <class R, class A>
struct objective_signature<R (*)(A) noexcept, void> : call_signature<R(A)> {};
template <class R, class A>
struct objective_signature<R(A) noexcept, void> : call_signature<R(A)> {};

template <class T>
struct trial_params_of { using type = void; };
template <class P>
struct trial_params_of<trial<P>> { using type = P; };

// How optimize() calls an objective F: with tt::trial<params>& (form::trial), with
// const params& (form::params), or not at all (form::none). StudyParams: tt::params<P>, or void.
enum class objective_form { none, trial, params };

template <class F, class StudyParams>
consteval auto classify_objective() {
  struct result {
    objective_form form;
    bool returns_outcome;
  };
  using sig = objective_signature<F>;
  if constexpr (sig::known) {
    using bare = std::remove_cvref_t<typename sig::arg>;
    if constexpr (is_trial<bare>::value) {
      if constexpr (std::is_invocable_v<F&, bare&>) {
        return result{objective_form::trial, std::is_convertible_v<std::invoke_result_t<F&, bare&>, outcome>};
      } else {
        return result{objective_form::none, false};
      }
    } else if constexpr (std::is_class_v<bare> && !std::is_same_v<bare, trial_context> &&
                         std::is_invocable_v<F&, const bare&>) {
      return result{objective_form::params, std::is_convertible_v<std::invoke_result_t<F&, const bare&>, outcome>};
    } else {
      return result{objective_form::none, false};
    }
  } else if constexpr (!std::is_void_v<StudyParams>) {
    // A generic lambda, given the study's struct, gets the trial (checking both forms would
    // instantiate its body with the wrong one, a hard error inside the user's code).
    if constexpr (std::is_invocable_v<F&, trial<StudyParams>&>) {
      return result{objective_form::trial,
                    std::is_convertible_v<std::invoke_result_t<F&, trial<StudyParams>&>, outcome>};
    } else {
      return result{objective_form::none, false};
    }
  } else {
    return result{objective_form::none, false};
  }
}

// The parameter struct an objective of a known form takes.
template <class F, class StudyParams, objective_form Form>
struct objective_params {
  using type = void;
};
template <class F, class StudyParams>
struct objective_params<F, StudyParams, objective_form::trial> {
  using type = std::conditional_t<objective_signature<F>::known,
                                  typename trial_params_of<std::remove_cvref_t<typename objective_signature<F>::arg>>::type,
                                  StudyParams>;
};
template <class F, class StudyParams>
struct objective_params<F, StudyParams, objective_form::params> {
  using type = std::conditional_t<objective_signature<F>::known,
                                  std::remove_cvref_t<typename objective_signature<F>::arg>, StudyParams>;
};

template <class T>
struct params_tag { using type = void; };
template <class P>
struct params_tag<params<P>> { using type = P; };

// The P of the first tt::params<P> among a study's options, or void.
template <class... Options>
struct study_params { using type = void; };
template <class First, class... Rest>
struct study_params<First, Rest...> {
  using type = std::conditional_t<!std::is_void_v<typename params_tag<std::remove_cvref_t<First>>::type>,
                                  typename params_tag<std::remove_cvref_t<First>>::type,
                                  typename study_params<Rest...>::type>;
};
}  // namespace detail

// Typed parameters of a recorded trial: converts to any struct that fits the space.
template <class Space>
class typed_params {
 public:
  typed_params(const Space& space, assignment raw) : space_(space), raw_(std::move(raw)) {}
  template <class Params>
  [[nodiscard]] Params as() const { return decode<Params>(space_, raw_); }
  template <class Params>
  operator Params() const { return as<Params>(); }  // NOLINT: `mlp_params best = study.best().params;`
  [[nodiscard]] const assignment& raw() const noexcept { return raw_; }

 private:
  Space space_;
  assignment raw_;
};

// The best trial: `params` is the study's struct when it was made with tt::params<P>, else a
// typed_params<Space> that converts to any struct fitting the space
// (`mlp_params best = study.best().params;`).
template <class Space, class Params = void>
struct best_trial {
  std::uint64_t number;
  double value;
  Params params;
  std::map<std::string, double> metrics;
};
template <class Space>
struct best_trial<Space, void> {
  std::uint64_t number;
  double value;
  typed_params<Space> params;
  std::map<std::string, double> metrics;
};

// Params: the parameter struct, when the study is told it (tt::params<P>{} among the options,
// or spelled out as tt::study<decltype(space), P>); void otherwise, and then each optimize()
// takes its struct from the objective. The choice is a type, not a runtime fact, so best()
// returns the struct only where the compiler knows which one it is.
template <class Space, class Params = void>
class study {
 public:
  template <class... Options>
  explicit study(const Space& space, Options&&... options) : space_(space) {
    study_options opts;
    std::unique_ptr<sampler> chosen;
    std::unique_ptr<pruner> chosen_pruner;
    std::shared_ptr<trial_storage> backend;
    auto apply = [&]<class O>(O&& option) {
      using T = std::remove_cvref_t<O>;
      if constexpr (std::is_same_v<T, minimize>) {
        opts.dir = direction::minimize;
        opts.metric = option.metric;
      } else if constexpr (std::is_same_v<T, maximize>) {
        opts.dir = direction::maximize;
        opts.metric = option.metric;
      } else if constexpr (std::is_same_v<T, random_search>) {
        opts.seed = option.seed;
        chosen = make_random_sampler();
      } else if constexpr (std::is_same_v<T, auto_sampler>) {
        opts.seed = option.seed;
        chosen = make_auto_sampler(option.options);
      } else if constexpr (std::is_same_v<T, grid>) {
        static_cast<void>(error::raise_unless_ok<grid_check_t<Space>>());  // names the first continuous parameter
        chosen = make_grid_sampler();
      } else if constexpr (std::is_same_v<T, sobol>) {
        opts.seed = option.seed;
        chosen = make_sobol_sampler();
      } else if constexpr (std::is_same_v<T, tpe>) {
        opts.seed = option.seed;
        chosen = make_tpe_sampler(option.options);
      } else if constexpr (std::is_same_v<T, gp>) {
        opts.seed = option.seed;
        chosen = make_gp_sampler(option.options);
      } else if constexpr (std::is_same_v<T, log_trials>) {
        log_ = &option.out;
      } else if constexpr (std::is_same_v<T, stop_after_failures>) {
        opts.max_consecutive_failures = option.count;
      } else if constexpr (std::is_same_v<T, median_pruner>) {
        chosen_pruner = make_median_pruner(option);
      } else if constexpr (std::is_same_v<T, asha>) {
        chosen_pruner = make_asha_pruner({.min_resource = option.min_resource,
                                          .max_resource = option.max_resource,
                                          .reduction_factor = option.reduction_factor,
                                          .min_early_stopping_rate = option.min_early_stopping_rate,
                                          .unit = option.unit});
      } else if constexpr (std::is_same_v<T, hyperband>) {
        plan_ = plan_hyperband({.min_resource = option.min_resource,
                                .max_resource = option.max_resource,
                                .reduction_factor = option.reduction_factor,
                                .unit = option.unit});
      } else if constexpr (std::is_same_v<T, successive_halving>) {
        plan_ = plan_successive_halving({.min_resource = option.min_resource,
                                         .max_resource = option.max_resource,
                                         .reduction_factor = option.reduction_factor,
                                         .unit = option.unit},
                                        option.n_configs);
      } else if constexpr (std::is_same_v<T, handle_interrupts>) {
        handle_interrupts_ = true;
      } else if constexpr (std::is_same_v<T, storage>) {
        backend = option.backend ? option.backend : open_storage(option.url);
      } else if constexpr (std::is_same_v<T, study_name>) {
        opts.study_name = option.name;
      } else if constexpr (std::is_same_v<T, allow_space_changes>) {
        opts.allow_space_changes = true;
      } else if constexpr (std::is_same_v<T, heartbeat>) {
        opts.heartbeat_interval = option.interval;
        opts.stale_after = option.stale_after;
        opts.max_retries = option.max_retries;
      } else if constexpr (!std::is_void_v<typename detail::params_tag<T>::type>) {
        static_assert(std::is_same_v<typename detail::params_tag<T>::type, Params>,
                      "typetune: tt::params<P> names another struct than the study's Params");
      } else {
        static_assert(error::always_false<T>,
                      "typetune: study takes a direction (tt::minimize/maximize), a sampler (tt::auto_sampler, "
                      "random_search, grid, sobol, tpe, gp), a pruner (tt::median_pruner, asha), a scheduler (tt::hyperband, "
                      "successive_halving), tt::params<P>, tt::log_trials, tt::stop_after_failures, "
                      "tt::handle_interrupts, and for a stored study tt::storage, tt::study_name, "
                      "tt::allow_space_changes and tt::heartbeat");
      }
    };
    (apply(std::forward<Options>(options)), ...);
    if (!chosen) chosen = make_auto_sampler();
    auto desc = describe(space);
    if (log_ != nullptr) {
      opts.on_trial_end = [out = log_, metric = opts.metric, shown = desc](const trial_record& t) {
        *out << "[typetune] " << describe_trial(shown, t, metric) << '\n' << std::flush;
      };
    }
    core_ = std::make_unique<study_core>(std::move(desc), std::move(chosen), std::move(opts), std::move(chosen_pruner),
                                         std::move(backend));
  }

  // Runs the objective within the budget. The objective takes tt::trial<P>& (parameters,
  // report(), should_prune(), set_metric(), resource(), ...) or const P& (parameters only) and
  // returns a value, tt::result or tt::pruned. P is checked against the space here: a struct
  // that does not fit is a compile error naming the field. With tt::hyperband or
  // tt::successive_halving the schedule's plan runs (see budget); schedule_report() holds what ran.
  template <class Objective>
  run_summary optimize(Objective&& objective, const budget& b = {}) {
    using F = std::remove_cvref_t<Objective>;
    constexpr auto kind = detail::classify_objective<F, Params>();
    using params_t = typename detail::objective_params<F, Params, kind.form>::type;
    if constexpr (kind.form == detail::objective_form::none) {
      static_assert(kind.form != detail::objective_form::none,
                    "typetune: an objective takes one argument, tt::trial<P>& or const P& (P: a struct "
                    "that fits the space), and returns a value, tt::result or tt::pruned; a generic lambda "
                    "gets tt::trial<P>& and needs the study's struct (tt::params<P>)");
      return {};
    } else if constexpr (!kind.returns_outcome) {
      static_assert(kind.returns_outcome,
                    "typetune: an objective returns a double, tt::result{...} or tt::pruned");
      return {};
    } else if constexpr (!std::is_void_v<Params> && !std::is_same_v<params_t, Params>) {
      static_assert(std::is_void_v<Params> || std::is_same_v<params_t, Params>,
                    "typetune: the objective takes another struct than the study's tt::params<P>");
      return {};
    } else if constexpr (!error::is_ok<check_t<Space, params_t>>) {
      // A struct that does not fit is one error here (none, after a failed fits()); compiling
      // the trial loop for it would only add errors from inside the decoder.
      static_cast<void>(error::raise_unless_ok<check_t<Space, params_t>>());
      return {};
    } else {
      constexpr bool by_trial = kind.form == detail::objective_form::trial;
      const Space& space = space_;
      auto wrapped = [&space, &objective](trial_context& context) -> outcome {
        if constexpr (by_trial) {
          trial<params_t> t(context, decode<params_t>(space, context.params()));
          return outcome(std::invoke(objective, t));
        } else {
          const params_t p = decode<params_t>(space, context.params());
          return outcome(std::invoke(objective, p));
        }
      };
      std::optional<sigint_scope> interrupts;
      if (handle_interrupts_) interrupts.emplace(*core_);
      if (plan_) return run_plan(wrapped, b);
      return core_->optimize(wrapped, run_budget{b.trials, b.time_limit, b.workers, b.trial_time_limit});
    }
  }

  // Ask and tell, for loops the program drives itself (an external scheduler, a notebook, a
  // training script that runs elsewhere): ask() starts a new running trial and hands it out
  // with the parameter struct (P: the study's tt::params<P>, or given as study.ask<P>()); the
  // trial's report(), should_prune() and set_metric() work as in optimize(), and tell() records
  // how it ended. Works with every storage and with several processes asking at once, as
  // optimize() does. ask() throws search_exhausted when a finite sampler has nothing left
  // (try_ask() returns nullopt) and too_many_failures_error as optimize() would.
  template <class P = Params>
  [[nodiscard]] auto ask() {
    if constexpr (!askable<P>()) {
      return;
    } else {
      auto t = try_ask<P>();
      if (!t) throw search_exhausted("typetune: every configuration of the space has been asked");
      return std::move(*t);
    }
  }
  template <class P = Params>
  [[nodiscard]] auto try_ask() {
    if constexpr (!askable<P>()) {
      return;
    } else {
      std::shared_ptr<asked_trial> asked = core_->ask_trial();
      if (!asked) return std::optional<trial<P>>();
      auto params = decode<P>(space_, asked->ticket().params);
      return std::optional<trial<P>>(trial<P>(std::move(asked), std::move(params)));
    }
  }
  // Ends an asked trial: a value (diverged when NaN or infinite), tt::result{"metric", v} (the
  // metric must be the study's), or tt::pruned (its value is the last one reported). Named
  // metrics, when given, are recorded first. Throws std::invalid_argument when the trial is not
  // running (told already) or names another metric.
  template <class P>
  void tell(const trial<P>& t, const outcome& result, const std::map<std::string, double>& metrics = {}) {
    for (const auto& [name, value] : metrics) core_->set_metric(t.number(), name, value);
    if (result.is_pruned()) {
      core_->tell_pruned(t.number());
    } else {
      core_->tell(t.number(), result.metric().empty() ? core_->options().metric : result.metric(), result.value());
    }
  }
  // Ends an asked trial as failed, out_of_memory or diverged, keeping `message`, or as pruned.
  template <class P>
  void tell(const trial<P>& t, trial_state state, std::string message = {}) {
    if (state == trial_state::pruned) {
      core_->tell_pruned(t.number());
    } else {
      core_->tell_failure(t.number(), state, std::move(message));
    }
  }

  // Queues a known configuration to run before the sampler's proposals (first in, first out):
  // the struct is encoded into the space's assignment (a value outside its parameter's range
  // throws, naming the parameter). enqueue_raw takes the assignment itself.
  template <class P>
  void enqueue(const P& p) {
    static_assert(std::is_void_v<Params> || std::is_same_v<P, Params>,
                  "typetune: enqueue() takes the study's tt::params<P> struct");
    core_->enqueue(encode(space_, p));
  }
  void enqueue_raw(assignment raw) { core_->enqueue(std::move(raw)); }

  // The best complete trial; throws std::logic_error when none has completed.
  [[nodiscard]] best_trial<Space, Params> best() const {
    auto record = core_->best_trial();
    if (!record) throw std::logic_error("typetune: no trial has completed yet");
    if constexpr (std::is_void_v<Params>) {
      return {record->number, *record->value, typed_params<Space>(space_, std::move(record->params)),
              std::move(record->metrics)};
    } else {
      return {record->number, *record->value, decode<Params>(space_, record->params), std::move(record->metrics)};
    }
  }
  // The scheduler's plan (tt::hyperband, tt::successive_halving), computed when the study was
  // made; nullopt without a scheduler. schedule_report(): what the last optimize() ran of it.
  [[nodiscard]] const std::optional<typetune::schedule_plan>& schedule_plan() const noexcept { return plan_; }
  [[nodiscard]] const std::optional<typetune::schedule_report>& schedule_report() const noexcept { return report_; }
  [[nodiscard]] std::vector<trial_record> trials() const { return core_->trials(); }
  [[nodiscard]] const space_desc& description() const noexcept { return core_->space(); }
  [[nodiscard]] study_core& engine() noexcept { return *core_; }
  // Named figures computed after the search ("test_accuracy", "gain_points", ...), merged into
  // the study's stored attributes in one transaction and kept with it in the storage; the
  // export, the command line and the HTML report show them. The engine's own keys ("objective",
  // "seed", "sampler") cannot be changed: storage_error (study_mismatch).
  void set_attributes(const std::map<std::string, std::string>& attributes) { core_->set_attributes(attributes); }
  // The stored attributes: the engine's own and those set_attributes added.
  [[nodiscard]] std::map<std::string, std::string> attributes() const { return core_->attributes(); }
  // The study in the export format of the command line and the HTML report
  // (typetune/desc/study_export.hpp: write_jsonl, write_csv; typetune/report/html_report.hpp),
  // with its stored attributes ("objective" is the metric's name, also for a study stored
  // before that key was settled).
  [[nodiscard]] study_export export_study(std::string name) const {
    study_export out;
    out.study.name = std::move(name);
    out.study.dir = core_->options().dir;
    out.study.attributes = core_->attributes();
    out.study.attributes["objective"] = core_->options().metric;
    out.study.space = core_->space();
    out.trials = core_->trials();
    return out;
  }

 private:
  // Whether ask<P>() can hand out P: one error naming what is wrong otherwise.
  template <class P>
  static consteval bool askable() {
    if constexpr (std::is_void_v<P>) {
      static_assert(!std::is_void_v<P>,
                    "typetune: ask() needs the parameter struct: make the study with tt::params<P>{} or call "
                    "study.ask<P>()");
      return false;
    } else if constexpr (!std::is_void_v<Params> && !std::is_same_v<P, Params>) {
      static_assert(std::is_void_v<Params> || std::is_same_v<P, Params>,
                    "typetune: ask<P>() names another struct than the study's tt::params<P>");
      return false;
    } else if constexpr (!error::is_ok<check_t<Space, P>>) {
      static_cast<void>(error::raise_unless_ok<check_t<Space, P>>());  // names the field
      return false;
    } else {
      return true;
    }
  }

  run_summary run_plan(const objective& wrapped, const budget& b) {
    if (log_ != nullptr) *log_ << plan_->to_text() << std::flush;
    typetune::schedule_report ran;
    try {
      ran = run_schedule(*core_, wrapped, *plan_, b.workers, b.trial_time_limit);
    } catch (...) {
      core_->clear_stop_request();
      throw;
    }
    const bool interrupted = core_->clear_stop_request();
    std::vector<std::uint64_t> numbers;
    for (const auto& bracket : ran.brackets) {
      if (!bracket.empty()) numbers.insert(numbers.end(), bracket.front().trials.begin(), bracket.front().trials.end());
    }
    auto summary = core_->summarize_run(
        std::move(numbers),
        {.exhausted = !interrupted && ran.total_configs() < plan_->total_configs(),
         .timed_out = false,
         .interrupted = interrupted});
    report_ = std::move(ran);
    return summary;
  }

  Space space_;  // a copy: spaces are small literal values, and a temporary must not dangle
  std::ostream* log_ = nullptr;
  bool handle_interrupts_ = false;
  std::optional<typetune::schedule_plan> plan_;
  std::optional<typetune::schedule_report> report_;
  std::unique_ptr<study_core> core_;
};

template <class Space, class... Options>
study(const Space&, Options&&...) -> study<Space, typename detail::study_params<Options...>::type>;

}  // namespace typetune
