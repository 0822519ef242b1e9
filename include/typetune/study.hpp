// The typed front end of a search: tt::study(space, tt::minimize{"val_loss"}, tt::tpe{.seed = 1})
// and study.optimize([](tt::trial<mlp_params>& t) { ... }). The parameter struct is checked
// against the space where optimize() is called; everything after that is the compiled engine.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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
#include "typetune/engine/errors.hpp"
#include "typetune/engine/gp_sampler.hpp"
#include "typetune/engine/grid_sampler.hpp"
#include "typetune/engine/median_pruner.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/sobol_sampler.hpp"
#include "typetune/engine/study_core.hpp"
#include "typetune/engine/tpe_sampler.hpp"

namespace typetune {

// Directions, each naming the metric the objective reports.
struct minimize {
  std::string metric = "value";
};
struct maximize {
  std::string metric = "value";
};

// Samplers. The seed is the study's one source of randomness.
struct random {
  std::uint64_t seed = 0;
};
struct grid {};
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

// How much to run: trials, wall time and parallel workers (threads).
struct budget {
  std::uint64_t trials = 100;
  std::optional<std::chrono::duration<double>> time_limit = std::nullopt;
  std::size_t workers = 1;
};

// Writes one line per finished trial (number, state, value, time, active parameters) to `out`.
struct log_trials {
  std::ostream& out;
};

// Failed trials in a row after which the study stops with too_many_failures_error (0: never).
struct stop_after_failures {
  std::size_t count = 5;
};

// What an objective returns: tt::result{val_loss}, tt::result{"val_loss", v}, or tt::pruned.
using result = outcome;
inline const outcome pruned = outcome::pruned();

// The trial an objective receives: its typed parameters, report() and should_prune().
template <class Params>
class trial {
 public:
  trial(trial_context& context, Params params) : context_(context), params_(std::move(params)) {}
  [[nodiscard]] const Params& params() const noexcept { return params_; }
  [[nodiscard]] std::uint64_t number() const noexcept { return context_.number(); }
  [[nodiscard]] const assignment& raw() const noexcept { return context_.params(); }
  [[nodiscard]] std::optional<std::int64_t> resource() const noexcept { return context_.resource(); }
  void report(std::int64_t step, double value) { context_.report(step, value); }
  [[nodiscard]] bool should_prune() { return context_.should_prune(); }

 private:
  trial_context& context_;
  Params params_;
};

namespace detail {
template <class T>
struct trial_params;
template <class P>
struct trial_params<trial<P>> { using type = P; };
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

template <class Space>
struct best_trial {
  std::uint64_t number;
  double value;
  typed_params<Space> params;
};

template <class Space>
class study {
 public:
  template <class... Options>
  explicit study(const Space& space, Options&&... options) : space_(space) {
    study_options opts;
    std::unique_ptr<sampler> chosen;
    std::unique_ptr<pruner> chosen_pruner;
    auto apply = [&]<class O>(O&& option) {
      using T = std::remove_cvref_t<O>;
      if constexpr (std::is_same_v<T, minimize>) {
        opts.dir = direction::minimize;
        opts.metric = option.metric;
      } else if constexpr (std::is_same_v<T, maximize>) {
        opts.dir = direction::maximize;
        opts.metric = option.metric;
      } else if constexpr (std::is_same_v<T, random>) {
        opts.seed = option.seed;
        chosen = make_random_sampler();
      } else if constexpr (std::is_same_v<T, grid>) {
        static_assert(require_grid(Space{}));  // names the first continuous parameter
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
      } else {
        static_assert(error::always_false<T>,
                      "typetune: study takes a direction (tt::minimize/maximize), a sampler (tt::random, grid, "
                      "sobol, tpe, gp), a pruner (tt::median_pruner), tt::log_trials and tt::stop_after_failures");
      }
    };
    (apply(std::forward<Options>(options)), ...);
    if (!chosen) chosen = make_random_sampler();
    auto desc = describe(space);
    if (log_ != nullptr) {
      opts.on_trial_end = [out = log_, metric = opts.metric, shown = desc](const trial_record& t) {
        *out << "[typetune] " << describe_trial(shown, t, metric) << '\n' << std::flush;
      };
    }
    core_ = std::make_unique<study_core>(std::move(desc), std::move(chosen), std::move(opts), std::move(chosen_pruner));
  }

  // Runs the objective, a callable taking tt::trial<Params>&, within the budget. Params is
  // checked against the space here: a struct that does not fit is a compile error.
  template <class Objective>
  run_summary optimize(Objective&& objective, const budget& b = {}) {
    using arg_t = std::remove_cvref_t<builder_params_t<std::remove_cvref_t<Objective>>>;
    using params_t = typename detail::trial_params<arg_t>::type;
    static_assert(fits<params_t>(Space{}));
    const Space& space = space_;
    auto wrapped = [&space, &objective](trial_context& context) -> outcome {
      trial<params_t> t(context, decode<params_t>(space, context.params()));
      return outcome(std::invoke(objective, t));
    };
    return core_->optimize(wrapped, run_budget{b.trials, b.time_limit, b.workers});
  }

  // The best complete trial; throws std::logic_error when none has completed.
  [[nodiscard]] best_trial<Space> best() const {
    auto record = core_->best_trial();
    if (!record) throw std::logic_error("typetune: no trial has completed yet");
    return {record->number, *record->value, typed_params<Space>(space_, std::move(record->params))};
  }
  [[nodiscard]] std::vector<trial_record> trials() const { return core_->trials(); }
  [[nodiscard]] const space_desc& description() const noexcept { return core_->space(); }
  [[nodiscard]] study_core& engine() noexcept { return *core_; }

 private:
  Space space_;  // a copy: spaces are small literal values, and a temporary must not dangle
  std::ostream* log_ = nullptr;
  std::unique_ptr<study_core> core_;
};

template <class Space, class... Options>
study(const Space&, Options&&...) -> study<Space>;

}  // namespace typetune
