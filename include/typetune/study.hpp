// The typed front end of a search: tt::study(space, tt::minimize{"val_loss"}, tt::tpe{.seed = 1})
// and study.optimize([](tt::trial<mlp_params>& t) { ... }). The parameter struct is checked
// against the space where optimize() is called; everything after that is the compiled engine.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "typetune/check/fits.hpp"
#include "typetune/check/grid.hpp"
#include "typetune/decode.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/describe.hpp"
#include "typetune/engine/asha_pruner.hpp"
#include "typetune/engine/auto_sampler.hpp"
#include "typetune/engine/errors.hpp"
#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/grid_sampler.hpp"
#include "typetune/engine/hyperband.hpp"
#include "typetune/engine/interrupts.hpp"
#include "typetune/engine/median_pruner.hpp"
#include "typetune/engine/nsga2_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/sobol_sampler.hpp"
#include "typetune/engine/study_core.hpp"
#include "typetune/engine/tpe_sampler.hpp"
#include "typetune/engine/trial_storage.hpp"
#include "typetune/storage/open_storage.hpp"

namespace typetune {

// What a study keeps of its options for optimize(): the trial log, Ctrl-C handling and the
// schedule's plan.
struct study_run_settings {
  std::ostream* log = nullptr;        // tt::log_trials
  bool handle_interrupts = false;     // tt::handle_interrupts
  std::optional<schedule_plan> plan;  // tt::hyperband, tt::successive_halving
};

// Where a study's options go while it is made: the engine's options (direction, metric, seed,
// storage name, ...), the sampler, pruner and storage the engine is made with, and the study's
// own settings. Each option's study_option<T>::apply() writes its part. The study's constructor
// owns all of them; this is a view of them (references), so that the constructor the compiler
// emits for each study holds no second copy to move from and destroy.
struct study_setup {
  study_options& engine;
  std::unique_ptr<sampler>& chosen_sampler;  // none given: tt::auto_sampler
  std::unique_ptr<pruner>& chosen_pruner;    // none given: no pruning
  std::shared_ptr<trial_storage>& backend;   // none given: the study lives in memory
  study_run_settings& run;
  std::size_t objectives = 0;  // tt::minimize and tt::maximize options applied so far
};

// How tt::study takes an option. The primary template marks a type that is not an option. Each
// option is an aggregate (so every one is written tt::x{.field = value}) with a specialisation
// right after it that holds:
//   role       static constexpr std::string_view: what the option decides ("sampler",
//              "direction", ...); a study takes at most one option of each role, so that none
//              silently replaces another;
//   apply()    static void apply(const T&, study_setup&): writes the option into the setup;
//   check      optionally, template <class Space, class Params> using check = ...: error::ok, or
//              the error type of a compile-time condition the option puts on the space or on the
//              study's struct (tt::grid needs a finite space).
//   repeatable optionally, static constexpr bool: true for options a study takes several of
//              (objectives, constraints); each apply() then adds to what the earlier ones set.
// A new option is its struct and this specialisation, plus its name in the list of
// error::not_a_study_option's message; the study's constructor does not change.
template <class T>
struct study_option {};

// A type with a study_option specialisation.
template <class T>
concept known_study_option = requires {
  study_option<T>::role;
};

namespace error {
// The study's options are checked together when the study is made, and the first mistake is
// one error: an unknown option, two options of one role, the seed given twice, or a condition
// of one option (tt::grid's finite space, tt::params<P>'s struct).
template <class Option>
struct not_a_study_option {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: not an option of tt::study: it takes objectives (tt::minimize, tt::maximize), "
                  "constraints (tt::constraint), a sampler (tt::auto_sampler, random_search, grid, sobol, tpe, gp, "
                  "nsga2), a pruner (tt::median_pruner, asha), a "
                  "scheduler (tt::hyperband, successive_halving), tt::params<P>, tt::log_trials, "
                  "tt::stop_after_failures, tt::handle_interrupts, and for a stored study tt::storage, "
                  "tt::study_name, tt::allow_space_changes and tt::heartbeat (tt::budget goes to optimize())");
  };
};
template <fixed_string Role, class First, class Second>
struct study_option_given_twice {
  template <bool Raised = false>
  struct raise {
    static_assert(
        Raised,
        "typetune: a study takes one option of each role (one sampler, one pruner, one scheduler, ...; "
        "objectives and constraints aside), and these two have the same role: keep one, as the later would replace the "
        "earlier");
  };
};
template <class First, class Second>
struct seed_given_twice {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: the study's seed is given by two options: give it in one place, as the later would "
                  "replace the earlier");
  };
};
template <class PrunerOrScheduler>
struct pruner_with_several_objectives {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a study with several objectives (two or more tt::minimize/tt::maximize) takes no "
                  "pruner and no scheduler: they compare one objective's intermediate values");
  };
};
template <class Named, class Params>
struct params_name_another_struct {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised, "typetune: tt::params<P> names another struct than the study's Params");
  };
};
}  // namespace error

// Objectives: a direction and the metric it applies to. The first is the value the objective
// returns; a study given several (tt::minimize{"val_loss"}, tt::minimize{"parameters"}) has
// several objectives, the others recorded by name (tt::result{{"val_loss", l}, {"parameters", n}}
// or t.set_metric("parameters", n)), a Pareto front (study.pareto_front()) instead of a best
// trial, and no pruner.
namespace detail {
inline void add_objective(study_setup& setup, std::string metric, direction dir) {
  if (setup.objectives++ == 0) {
    setup.engine.dir = dir;
    setup.engine.metric = std::move(metric);
  } else {
    setup.engine.extra_objectives.push_back({std::move(metric), dir});
  }
}
}  // namespace detail
struct minimize {
  std::string metric = "value";
};
template <>
struct study_option<minimize> {
  static constexpr std::string_view role = "objective";
  static constexpr bool repeatable = true;
  static void apply(const minimize& option, study_setup& setup) {
    detail::add_objective(setup, option.metric, direction::minimize);
  }
};
struct maximize {
  std::string metric = "value";
};
template <>
struct study_option<maximize> {
  static constexpr std::string_view role = "objective";
  static constexpr bool repeatable = true;
  static void apply(const maximize& option, study_setup& setup) {
    detail::add_objective(setup, option.metric, direction::maximize);
  }
};
// A constraint on a named metric that every complete trial records (t.set_metric(metric, v) or a
// named value of its result): the trial is feasible when the value is at most `max` (Optuna's
// convention, feasible when <= 0, is the default). The best trial and the Pareto front hold
// feasible trials only, and the samplers prefer them. A study takes several.
struct constraint {
  std::string metric;
  double max = 0;
};
template <>
struct study_option<constraint> {
  static constexpr std::string_view role = "constraint";
  static constexpr bool repeatable = true;
  static void apply(const constraint& option, study_setup& setup) {
    setup.engine.constraints.push_back({option.metric, option.max});
  }
};

// Samplers. The seed is the study's one source of randomness, given by the sampler (one
// sampler, so one seed). random_search is also spelled tt::random; unqualified after `using
// namespace typetune;`, that name meets POSIX random().
struct random_search {
  std::uint64_t seed = 0;
};
using random = random_search;
template <>
struct study_option<random_search> {
  static constexpr std::string_view role = "sampler";
  static void apply(const random_search& option, study_setup& setup) {
    setup.engine.seed = option.seed;
    setup.chosen_sampler = make_random_sampler();
  }
};
// Every point of a finite space, once (no seed: the order is the space's).
struct grid {};
template <>
struct study_option<grid> {
  static constexpr std::string_view role = "sampler";
  template <class Space, class Params>
  using check = grid_check_t<Space>;  // names the first continuous parameter
  static void apply(const grid& /*option*/, study_setup& setup) { setup.chosen_sampler = make_grid_sampler(); }
};
// The default when no sampler is given: picks by the space and the trials so far (multivariate
// TPE on all-categorical spaces; TPE then the GP on conditional ones; the GP, then TPE past 200
// trials, otherwise). See engine/auto_sampler.hpp and docs/quality.md.
struct auto_sampler {
  std::uint64_t seed = 0;
  auto_options options = {};
};
template <>
struct study_option<auto_sampler> {
  static constexpr std::string_view role = "sampler";
  static void apply(const auto_sampler& option, study_setup& setup) {
    setup.engine.seed = option.seed;
    setup.chosen_sampler = make_auto_sampler(option.options);
  }
};
struct sobol {
  std::uint64_t seed = 0;
};
template <>
struct study_option<sobol> {
  static constexpr std::string_view role = "sampler";
  static void apply(const sobol& option, study_setup& setup) {
    setup.engine.seed = option.seed;
    setup.chosen_sampler = make_sobol_sampler();
  }
};
struct tpe {
  std::uint64_t seed = 0;
  tpe_options options = {};
};
template <>
struct study_option<tpe> {
  static constexpr std::string_view role = "sampler";
  static void apply(const tpe& option, study_setup& setup) {
    setup.engine.seed = option.seed;
    setup.chosen_sampler = make_tpe_sampler(option.options);
  }
};
struct gp {
  std::uint64_t seed = 0;
  gp_options options = {};
};
template <>
struct study_option<gp> {
  static constexpr std::string_view role = "sampler";
  static void apply(const gp& option, study_setup& setup) {
    setup.engine.seed = option.seed;
    setup.chosen_sampler = make_gp_sampler(option.options);
  }
};

// NSGA-II (engine/nsga2_sampler.hpp): a genetic algorithm for several objectives and
// constraints, Optuna's default for them; generations of population_size trials.
struct nsga2 {
  std::uint64_t seed = 0;
  nsga2_options options = {};
};
template <>
struct study_option<nsga2> {
  static constexpr std::string_view role = "sampler";
  static void apply(const nsga2& option, study_setup& setup) {
    setup.engine.seed = option.seed;
    setup.chosen_sampler = make_nsga2_sampler(option.options);
  }
};

// Pruners. The median pruner stops a trial whose value at a step is worse than the median of the
// complete trials' values there (engine/median_pruner.hpp).
struct median_pruner {
  std::size_t n_startup_trials = 5;  // no pruning until this many trials are complete
  std::int64_t n_warmup_steps = 0;   // no pruning at steps below this (early values are noisy)
};
template <>
struct study_option<median_pruner> {
  static constexpr std::string_view role = "pruner";
  static void apply(const median_pruner& option, study_setup& setup) {
    setup.chosen_pruner = make_median_pruner(
        {.n_startup_trials = option.n_startup_trials, .n_warmup_steps = option.n_warmup_steps});
  }
};
// Asynchronous successive halving as a pruner: the objective reports at steps in `unit`
// (t.report(epoch, loss)) and asks t.should_prune(); see engine/asha_pruner.hpp.
struct asha {
  std::int64_t min_resource = 1;
  std::int64_t max_resource = 81;
  std::int64_t reduction_factor = 3;
  std::int64_t min_early_stopping_rate = 0;
  std::int64_t bootstrap_count = 0;  // see asha_options::bootstrap_count
  std::string unit = "epochs";
};
template <>
struct study_option<asha> {
  static constexpr std::string_view role = "pruner";
  static void apply(const asha& option, study_setup& setup) {
    setup.chosen_pruner = make_asha_pruner({.min_resource = option.min_resource,
                                            .max_resource = option.max_resource,
                                            .reduction_factor = option.reduction_factor,
                                            .min_early_stopping_rate = option.min_early_stopping_rate,
                                            .bootstrap_count = option.bootstrap_count,
                                            .unit = option.unit});
  }
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
template <>
struct study_option<hyperband> {
  static constexpr std::string_view role = "scheduler";
  static void apply(const hyperband& option, study_setup& setup) {
    setup.run.plan.emplace(plan_hyperband({.min_resource = option.min_resource,
                                           .max_resource = option.max_resource,
                                           .reduction_factor = option.reduction_factor,
                                           .unit = option.unit}));
  }
};
struct successive_halving {
  std::int64_t min_resource = 1;
  std::int64_t max_resource = 81;
  std::int64_t reduction_factor = 3;
  std::int64_t n_configs = 0;  // configurations at the first rung; 0: reduction_factor^s_max
  std::string unit = "epochs";
};
template <>
struct study_option<successive_halving> {
  static constexpr std::string_view role = "scheduler";
  static void apply(const successive_halving& option, study_setup& setup) {
    setup.run.plan.emplace(plan_successive_halving({.min_resource = option.min_resource,
                                                    .max_resource = option.max_resource,
                                                    .reduction_factor = option.reduction_factor,
                                                    .unit = option.unit},
                                                   option.n_configs));
  }
};

// Ctrl-C during optimize(): the first one stops the search after the running trials (which see
// t.stop_requested()), the second ends the process (exit status 130). The previous SIGINT
// handler is restored when optimize() returns; the summary says `interrupted`.
struct handle_interrupts {};
template <>
struct study_option<handle_interrupts> {
  static constexpr std::string_view role = "interrupt handling";
  static void apply(const handle_interrupts& /*option*/, study_setup& setup) { setup.run.handle_interrupts = true; }
};

// Names the study's parameter struct: tt::study(space, tt::params<mlp_params>{}, ...) makes
// study.best().params that struct (so `auto` works), checks objectives and enqueue() against
// it, and lets optimize() take a generic lambda, which is called with tt::trial<P>&.
template <class Params>
struct params {};
template <class P>
struct study_option<params<P>> {
  static constexpr std::string_view role = "parameter struct";
  template <class Space, class Params>
  using check = std::conditional_t<std::is_same_v<P, Params>, error::ok, error::params_name_another_struct<P, Params>>;
  static void apply(const params<P>& /*option*/, study_setup& /*setup*/) {}  // a type, read by the deduction guide
};

// How much to run: trials, wall time and parallel workers (threads). With a scheduler
// (tt::hyperband, tt::successive_halving) the plan decides how many trials run: `trials` and
// `time_limit` do not apply there, `workers` and `trial_time_limit` do. An argument of
// optimize(), not an option of the study.
struct budget {
  std::uint64_t trials = 100;
  std::optional<std::chrono::duration<double>> time_limit = std::nullopt;
  std::size_t workers = 1;
  // Per trial: t.out_of_time() turns true after it (stopping is cooperative; see trial).
  std::optional<std::chrono::duration<double>> trial_time_limit = std::nullopt;
  // The stored study's budget, shared by every process on it: no trial is created once the
  // study holds this many (see run_budget::study_trials); `trials` still bounds this run.
  std::optional<std::uint64_t> study_trials = std::nullopt;
};

// Writes one line per finished trial (number, state, value, time, active parameters) to `out`.
struct log_trials {
  std::ostream& out;
};
template <>
struct study_option<log_trials> {
  static constexpr std::string_view role = "trial log";
  static void apply(const log_trials& option, study_setup& setup) { setup.run.log = &option.out; }
};

// Failed trials in a row after which the study stops with too_many_failures_error (0: never).
struct stop_after_failures {
  std::size_t count = 5;
};
template <>
struct study_option<stop_after_failures> {
  static constexpr std::string_view role = "failure limit";
  static void apply(const stop_after_failures& option, study_setup& setup) {
    setup.engine.max_consecutive_failures = option.count;
  }
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
template <>
struct study_option<storage> {
  static constexpr std::string_view role = "storage";
  static void apply(const storage& option, study_setup& setup) {
    setup.backend = option.backend ? option.backend : open_storage(option.url);
  }
};

// The study's name in its storage ("default" without it).
struct study_name {
  std::string name;
};
template <>
struct study_option<study_name> {
  static constexpr std::string_view role = "study name";
  static void apply(const study_name& option, study_setup& setup) { setup.engine.study_name = option.name; }
};

// Re-opening a stored study whose space changed compatibly (a range widened, a choice value
// added, a parameter added with a default) continues it with the new space; without this
// option any change is refused, with a message naming it.
struct allow_space_changes {};
template <>
struct study_option<allow_space_changes> {
  static constexpr std::string_view role = "space changes";
  static void apply(const allow_space_changes& /*option*/, study_setup& setup) {
    setup.engine.allow_space_changes = true;
  }
};

// With a shared storage: how often running trials report that their worker is alive, after
// how long without a report a running trial is re-queued (same parameters and seed), and how
// many re-queues a trial gets before it is failed.
struct heartbeat {
  std::chrono::duration<double> interval{10.0};
  std::chrono::duration<double> stale_after{60.0};
  std::uint32_t max_retries = 3;
};
template <>
struct study_option<heartbeat> {
  static constexpr std::string_view role = "heartbeat";
  static void apply(const heartbeat& option, study_setup& setup) {
    setup.engine.heartbeat_interval = option.interval;
    setup.engine.stale_after = option.stale_after;
    setup.engine.max_retries = option.max_retries;
  }
};

namespace detail {
// The first mistake among a study's options (error::ok when there is none), in this order: an
// option that is not one, two options of one role, two options that give a seed (an option
// gives the seed when it has a `seed` field), then each option's own check. The pairs are found
// by loops over constant arrays, not by a template per pair.
template <class T>
concept gives_seed = requires(const T& option) {
  option.seed;
};

template <class... Options>
consteval std::size_t first_unknown_option() {
  constexpr bool known[] = {known_study_option<Options>..., true};
  std::size_t i = 0;
  while (i < sizeof...(Options) && known[i]) ++i;
  return i;
}
template <class T>
consteval bool repeatable_option() {
  if constexpr (requires { study_option<T>::repeatable; }) {
    return study_option<T>::repeatable;
  } else {
    return false;
  }
}
// The first pair {i, j}, i < j, of options with one role that a study takes once, or {0, 0}.
template <class... Options>
consteval std::array<std::size_t, 2> first_same_role() {
  constexpr std::string_view roles[] = {study_option<Options>::role...};
  constexpr bool repeatable[] = {repeatable_option<Options>()...};
  for (std::size_t j = 1; j < sizeof...(Options); ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      if (roles[i] == roles[j] && !repeatable[j]) return {i, j};
    }
  }
  return {0, 0};
}
// The first pair {i, j}, i < j, of options that both give a seed, or {0, 0}.
template <class... Options>
consteval std::array<std::size_t, 2> first_seed_pair() {
  constexpr bool seeds[] = {gives_seed<Options>...};
  for (std::size_t j = 1; j < sizeof...(Options); ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      if (seeds[i] && seeds[j]) return {i, j};
    }
  }
  return {0, 0};
}
// The first pruner or scheduler among the options when two or more give objectives; the number
// of options otherwise.
template <class... Options>
consteval std::size_t first_pruner_with_objectives() {
  constexpr std::string_view roles[] = {study_option<Options>::role..., ""};
  std::size_t objectives = 0;
  for (std::size_t i = 0; i < sizeof...(Options); ++i) objectives += roles[i] == "objective" ? 1 : 0;
  if (objectives < 2) return sizeof...(Options);
  for (std::size_t i = 0; i < sizeof...(Options); ++i)
    if (roles[i] == "pruner" || roles[i] == "scheduler") return i;
  return sizeof...(Options);
}
template <class T, class Space, class Params>
using option_check_t = typename study_option<T>::template check<Space, Params>;
template <class T, class Space, class Params>
consteval auto option_check_error() {
  if constexpr (requires { typename option_check_t<T, Space, Params>; }) {
    return option_check_t<T, Space, Params>{};
  } else {
    return error::ok{};
  }
}
template <class Space, class Params, class... Options>
consteval auto study_options_error() {
  constexpr std::size_t unknown = first_unknown_option<Options...>();
  if constexpr (sizeof...(Options) == 0) {
    return error::ok{};
  } else if constexpr (unknown < sizeof...(Options)) {
    return error::not_a_study_option<nth_t<unknown, Options...>>{};
  } else if constexpr (constexpr auto twice = first_same_role<Options...>(); twice[1] != 0) {
    using first = nth_t<twice[0], Options...>;
    constexpr std::string_view role = study_option<first>::role;
    return error::study_option_given_twice<to_fixed_string<role.size()>(role), first, nth_t<twice[1], Options...>>{};
  } else if constexpr (constexpr auto seeds = first_seed_pair<Options...>(); seeds[1] != 0) {
    return error::seed_given_twice<nth_t<seeds[0], Options...>, nth_t<seeds[1], Options...>>{};
  } else if constexpr (constexpr auto pruner = first_pruner_with_objectives<Options...>();
                       pruner < sizeof...(Options)) {
    return error::pruner_with_several_objectives<nth_t<pruner, Options...>>{};
  } else {
    return first_error_t<decltype(option_check_error<Options, Space, Params>())...>{};
  }
}
}  // namespace detail

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
  [[nodiscard]] std::optional<std::chrono::duration<double>> time_left() const noexcept {
    return context_->time_left();
  }
  [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> deadline() const noexcept {
    return context_->deadline();
  }
  [[nodiscard]] trial_context& context() noexcept { return *context_; }

 private:
  std::shared_ptr<asked_trial> asked_;  // null for a trial that optimize() runs
  trial_context* context_;
  Params params_;
};

namespace detail {
// The one parameter of a callable with a single, non-template call operator (void otherwise).
template <class Sig>
struct call_signature {
  using arg = void;
};
template <class R, class A>
struct call_signature<R(A)> {
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

// The struct an argument of type Arg (cv and reference removed) names: P for tt::trial<P>, Arg
// itself for another class (the engine's trial_context aside), void for anything else.
template <class Arg>
struct struct_of_argument {
  using type = std::conditional_t<std::is_class_v<Arg> && !std::is_same_v<Arg, trial_context>, Arg, void>;
};
template <class P>
struct struct_of_argument<trial<P>> {
  using type = P;
};
// The struct an objective's one argument names (void for a generic lambda, an overload set, or
// a callable of another arity).
template <class F>
using objective_struct_t = typename struct_of_argument<std::remove_cvref_t<typename objective_signature<F>::arg>>::type;

// The parts of tt::objective_for, named so that g++'s note on an unsatisfied one says which
// part failed. The trial form is tried first, and the const P& form only when the trial
// form does not apply: a generic lambda is called with tt::trial<P>& (trying const P& as well
// would instantiate its body with the wrong argument, a hard error inside the user's code).
template <class P>
inline constexpr bool is_parameter_struct = std::is_class_v<P>;  // void: no struct was named
template <class F, class P>
inline constexpr bool takes_trial_or_params =
    std::disjunction_v<std::is_invocable<F&, trial<P>&>, std::is_invocable<F&, const P&>>;
template <class F, class P>
consteval bool result_converts_to_outcome() {
  if constexpr (std::is_invocable_v<F&, trial<P>&>) {
    return std::is_convertible_v<std::invoke_result_t<F&, trial<P>&>, outcome>;
  } else {
    return std::is_convertible_v<std::invoke_result_t<F&, const P&>, outcome>;
  }
}
template <class F, class P>
inline constexpr bool returns_outcome = result_converts_to_outcome<F, P>();

template <class T>
struct params_tag {
  using type = void;
};
template <class P>
struct params_tag<params<P>> {
  using type = P;
};

// The P of the first tt::params<P> among a study's options, or void.
template <class... Options>
struct study_params {
  using type = void;
};
template <class First, class... Rest>
struct study_params<First, Rest...> {
  using type =
      std::conditional_t<!std::is_void_v<typename params_tag<std::remove_cvref_t<First>>::type>,
                         typename params_tag<std::remove_cvref_t<First>>::type, typename study_params<Rest...>::type>;
};
}  // namespace detail

// An objective for parameter struct P, as optimize() takes it: called with tt::trial<P>&
// (parameters, report(), should_prune(), set_metric(), ...) or with const P& (parameters only;
// P by value works too), returning what a tt::outcome is made from: a double, tt::result{...}
// or tt::pruned. A generic lambda is called with tt::trial<P>&.
template <class F, class P>
concept objective_for = detail::is_parameter_struct<P> && detail::takes_trial_or_params<F, P> &&
    detail::returns_outcome<F, P>;

// Typed parameters of a recorded trial: converts to any struct that fits the space.
template <class Space>
class typed_params {
 public:
  typed_params(const Space& space, assignment raw) : space_(space), raw_(std::move(raw)) {}
  template <class Params>
  [[nodiscard]] Params as() const {
    return decode<Params>(space_, raw_);
  }
  template <class Params>
  operator Params() const {
    return as<Params>();
  }  // NOLINT: `mlp_params best = study.best().params;`
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

// A trial of the Pareto front: its objective values in the order the objectives were given, and
// its parameters as best_trial has them.
template <class Space, class Params = void>
struct front_trial {
  std::uint64_t number;
  std::vector<double> values;
  Params params;
  std::map<std::string, double> metrics;
};
template <class Space>
struct front_trial<Space, void> {
  std::uint64_t number;
  std::vector<double> values;
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
  // Options: see study_option. They are checked together first, and a mistake among them is one
  // compile error (an unknown option, two of one role, the seed twice, a grid over a
  // continuous space), naming the option.
  template <class... Options>
  explicit study(const Space& space, Options&&... options) : space_(space) {
    using mistake = decltype(detail::study_options_error<Space, Params, std::remove_cvref_t<Options>...>());
    if constexpr (!error::is_ok<mistake>) {
      static_cast<void>(error::raise_unless_ok<mistake>());
    } else {
      study_options engine;
      std::unique_ptr<sampler> chosen_sampler;
      std::unique_ptr<pruner> chosen_pruner;
      std::shared_ptr<trial_storage> backend;
      study_setup setup{engine, chosen_sampler, chosen_pruner, backend, run_};
      (study_option<std::remove_cvref_t<Options>>::apply(options, setup), ...);
      if (!chosen_sampler) chosen_sampler = make_auto_sampler();
      auto desc = describe(space);
      if (run_.log != nullptr) {
        engine.on_trial_end = [out = run_.log, metric = engine.metric, shown = desc](const trial_record& t) {
          *out << "[typetune] " << describe_trial(shown, t, metric) << '\n' << std::flush;
        };
      }
      core_ = std::make_unique<study_core>(std::move(desc), std::move(chosen_sampler), std::move(engine),
                                           std::move(chosen_pruner), std::move(backend));
    }
  }

  // Runs the objective within the budget. The objective is a tt::objective_for<F, P>: it takes
  // tt::trial<P>& (parameters, report(), should_prune(), set_metric(), resource(), ...) or
  // const P& (parameters only) and returns a value, tt::result or tt::pruned. P is the study's
  // tt::params<P>, or else the struct the objective's argument names; it is checked against the
  // space here: a struct that does not fit is a compile error naming the field. With
  // tt::hyperband or tt::successive_halving the schedule's plan runs (see budget);
  // schedule_report() holds what ran.
  template <class Objective>
  run_summary optimize(Objective&& objective, const budget& b = {}) {
    using F = std::remove_cvref_t<Objective>;
    using named = detail::objective_struct_t<F>;
    using P = std::conditional_t<std::is_void_v<Params>, named, Params>;
    if constexpr (!std::is_void_v<Params> && !std::is_void_v<named> && !std::is_same_v<named, Params>) {
      static_assert(std::is_void_v<Params> || std::is_void_v<named> || std::is_same_v<named, Params>,
                    "typetune: the objective takes another struct than the study's tt::params<P> (an objective "
                    "is a tt::objective_for<F, P> with P the study's struct)");
      return {};
    } else if constexpr (!objective_for<F, P>) {
      // One error: the concept, which of its halves failed (g++'s note), and the forms.
      if constexpr (!std::is_class_v<P>) {
        static_assert(objective_for<F, P>,
                      "typetune: an objective (tt::objective_for<F, P>) takes one argument, "
                      "tt::trial<P>& or const P& (P: a struct that fits the space), and returns "
                      "a double, tt::result or tt::pruned; a generic lambda gets tt::trial<P>& "
                      "and needs the study's struct (tt::params<P>)");
      } else if constexpr (!detail::takes_trial_or_params<F, P>) {
        static_assert(objective_for<F, P>,
                      "typetune: an objective (tt::objective_for<F, P>) takes one argument, "
                      "tt::trial<P>& or const P& (P: the study's struct), and returns a double, "
                      "tt::result or tt::pruned");
      } else {
        static_assert(objective_for<F, P>,
                      "typetune: an objective (tt::objective_for<F, P>) returns a double, "
                      "tt::result{...} or tt::pruned");
      }
      return {};
    } else if constexpr (!error::is_ok<check_t<Space, P>>) {
      // A struct that does not fit is one error here (none, after a failed fits()); compiling
      // the trial loop for it would only add errors from inside the decoder.
      static_cast<void>(error::raise_unless_ok<check_t<Space, P>>());
      return {};
    } else {
      constexpr bool by_trial = std::is_invocable_v<F&, trial<P>&>;
      const Space& space = space_;
      auto wrapped = [&space, &objective](trial_context& context) -> outcome {
        if constexpr (by_trial) {
          trial<P> t(context, decode<P>(space, context.params()));
          return outcome(std::invoke(objective, t));
        } else {
          const P p = decode<P>(space, context.params());
          return outcome(std::invoke(objective, p));
        }
      };
      std::optional<sigint_scope> interrupts;
      if (run_.handle_interrupts) interrupts.emplace(*core_);
      if (run_.plan) return run_plan(wrapped, b);
      return core_->optimize(wrapped,
                             run_budget{b.trials, b.time_limit, b.workers, b.trial_time_limit, b.study_trials});
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
    core_->tell(t.number(), result);
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

  // The best complete trial (feasible, with constraints); throws std::logic_error when none has
  // completed, and for a study with several objectives (see pareto_front()).
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
  // A study with several objectives: the trials of its Pareto front (complete, feasible, and
  // not dominated by another), ordered by number, each with its objective values in the order
  // the objectives were given. With one objective: the best trial and any that tie with it.
  [[nodiscard]] std::vector<front_trial<Space, Params>> pareto_front() const {
    std::vector<front_trial<Space, Params>> out;
    const auto& goals = core_->goals();
    for (auto& record : core_->pareto_front()) {
      std::vector<double> values;
      for (const auto& v : goals.values(record)) values.push_back(v.value_or(0.0));  // present on the front
      if constexpr (std::is_void_v<Params>) {
        out.push_back({record.number, std::move(values), typed_params<Space>(space_, std::move(record.params)),
                       std::move(record.metrics)});
      } else {
        out.push_back(
            {record.number, std::move(values), decode<Params>(space_, record.params), std::move(record.metrics)});
      }
    }
    return out;
  }
  // The scheduler's plan (tt::hyperband, tt::successive_halving), computed when the study was
  // made; nullopt without a scheduler. schedule_report(): what the last optimize() ran of it.
  [[nodiscard]] const std::optional<typetune::schedule_plan>& schedule_plan() const noexcept { return run_.plan; }
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
    out.study.extra_objectives = core_->options().extra_objectives;
    out.study.constraints = core_->options().constraints;
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
    if (run_.log != nullptr) *run_.log << run_.plan->to_text() << std::flush;
    typetune::schedule_report ran;
    try {
      ran = run_schedule(*core_, wrapped, *run_.plan, b.workers, b.trial_time_limit);
    } catch (...) {
      core_->clear_stop_request();
      throw;
    }
    const bool interrupted = core_->clear_stop_request();
    std::vector<std::uint64_t> numbers;
    for (const auto& bracket : ran.brackets) {
      if (!bracket.empty()) numbers.insert(numbers.end(), bracket.front().trials.begin(), bracket.front().trials.end());
    }
    auto summary = core_->summarize_run(std::move(numbers),
                                        {.exhausted = !interrupted && ran.total_configs() < run_.plan->total_configs(),
                                         .timed_out = false,
                                         .interrupted = interrupted});
    report_ = std::move(ran);
    return summary;
  }

  Space space_;             // a copy: spaces are small literal values, and a temporary must not dangle
  study_run_settings run_;  // what optimize() reads of the options: log, Ctrl-C, schedule
  std::optional<typetune::schedule_report> report_;
  std::unique_ptr<study_core> core_;
};

template <class Space, class... Options>
study(const Space&, Options&&...) -> study<Space, typename detail::study_params<Options...>::type>;

}  // namespace typetune
