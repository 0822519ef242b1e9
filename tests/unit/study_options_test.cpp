// The front end's run options: named metrics and enqueued structs, objectives taking const P&,
// tt::params<P> for `auto best`, schedulers and ASHA through tt::study, Ctrl-C, the per-trial
// time limit and the failure summary.
#include <catch2/catch.hpp>

#include <csignal>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>

#include <typetune/study.hpp>

#include "../../examples/mlp_space.hpp"
#include "../../examples/rnn_space.hpp"

namespace tt = typetune;
using fashion_mlp::mlp_params;

namespace {
double loss(const mlp_params& p) { return p.dense_bot / 100.0 + static_cast<double>(p.hidden.size()); }

volatile std::sig_atomic_t previous_handler_calls = 0;
extern "C" void previous_handler(int) { previous_handler_calls = previous_handler_calls + 1; }

struct by_functor {
  double operator()(tt::trial<mlp_params>& t) const { return loss(t.params()); }
};

// An option added in one place, its struct and its study_option: stop at the first failure.
struct fail_fast {};
}  // namespace

template <>
struct typetune::study_option<fail_fast> {
  static constexpr std::string_view role = "failure limit";
  static void apply(const fail_fast& /*option*/, typetune::study_setup& setup) {
    setup.engine.max_consecutive_failures = 1;
  }
};

TEST_CASE("set_metric through tt::trial, enqueue of a struct, objectives taking const P&") {
  std::ostringstream log;
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 4}, tt::log_trials{log});
  const mlp_params known{150, {{75, 0.1}}, fashion_mlp::sgd{1e-2, 0.9}};
  study.enqueue(known);
  const auto raw = tt::encode(fashion_mlp::space, mlp_params{300, {{50, 0.0}, {100, 0.2}}, fashion_mlp::adam{1e-3}});
  study.enqueue_raw(raw);
  CHECK_THROWS_WITH(study.enqueue(mlp_params{300, {}, fashion_mlp::adam{1e-3}}), Catch::Contains("'hidden'"));
  study.optimize(
      [](tt::trial<mlp_params>& t) {
        t.set_metric("val_accuracy", 0.75);
        return tt::result{"val_loss", loss(t.params())};
      },
      tt::budget{.trials = 4});
  const auto all = study.trials();
  REQUIRE(all.size() == 4);
  CHECK(all[0].params == tt::encode(fashion_mlp::space, known));
  CHECK(all[1].params == raw);
  CHECK(all[0].metrics.at("val_accuracy") == 0.75);
  CHECK_THAT(log.str(), Catch::Contains("trial 0 complete val_loss=2.5 val_accuracy=0.75 in "));

  // Parameters only: const P& (or P by value).
  std::set<int> seen;
  const auto summary = study.optimize([&](const mlp_params& p) {
    seen.insert(p.dense_bot);
    return loss(p);
  }, tt::budget{.trials = 6});
  CHECK(summary.trials_started == 6);
  CHECK_FALSE(seen.empty());
  study.optimize([](mlp_params p) { return tt::result{"val_loss", loss(p)}; }, tt::budget{.trials = 2});
  CHECK(study.trials().size() == 12);
  const mlp_params best = study.best().params;  // still a conversion without tt::params<P>
  CHECK(study.best().value == Approx(loss(best)));
}

TEST_CASE("tt::params<P>: best().params is the struct, generic lambdas are accepted") {
  auto study = tt::study(fashion_mlp::space, tt::params<mlp_params>{}, tt::minimize{"val_loss"}, tt::tpe{.seed = 2});
  static_assert(std::is_same_v<decltype(study), tt::study<std::remove_const_t<decltype(fashion_mlp::space)>, mlp_params>>);
  study.optimize([](auto& t) { return tt::result{"val_loss", loss(t.params())}; }, tt::budget{.trials = 8});
  study.optimize([](const mlp_params& p) { return loss(p); }, tt::budget{.trials = 4});
  auto best = study.best().params;
  static_assert(std::is_same_v<decltype(best), mlp_params>);
  CHECK(study.best().value == Approx(loss(best)));
  const mlp_params also = study.best().params;
  CHECK(also.dense_bot == best.dense_bot);
}

TEST_CASE("tt::hyperband runs its plan through tt::study, resource and resumed_from reach the trial") {
  std::ostringstream log;
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 7},
                         tt::hyperband{.min_resource = 1, .max_resource = 9, .reduction_factor = 3}, tt::log_trials{log});
  REQUIRE(study.schedule_plan());
  const auto& plan = *study.schedule_plan();
  CHECK(plan.algorithm == "hyperband");
  std::mutex mutex;
  std::map<std::uint64_t, std::int64_t> trained;  // per trial: what its last rung trained to
  bool resumed_ok = true;
  const auto summary = study.optimize(
      [&](tt::trial<mlp_params>& t) {
        REQUIRE(t.resource());
        {
          std::lock_guard lock(mutex);
          const auto before = trained.count(t.number()) ? trained[t.number()] : 0;
          resumed_ok = resumed_ok && t.resumed_from() == before;
          trained[t.number()] = *t.resource();
        }
        return tt::result{"val_loss", loss(t.params()) + 1.0 / static_cast<double>(*t.resource())};
      },
      tt::budget{.workers = 2});
  CHECK(resumed_ok);
  REQUIRE(study.schedule_report());
  CHECK(study.schedule_report()->matches(plan));
  CHECK(summary.trials_started == static_cast<std::uint64_t>(plan.total_configs()));
  CHECK(study.trials().size() == summary.trials_started);
  CHECK_FALSE(summary.exhausted);
  CHECK_THAT(log.str(), Catch::StartsWith(plan.to_text()));

  auto sh = tt::study(fashion_mlp::space, tt::minimize{"val_loss"},
                      tt::successive_halving{.min_resource = 1, .max_resource = 4, .reduction_factor = 2, .n_configs = 6});
  CHECK(sh.schedule_plan()->total_configs() == 6);
  CHECK(sh.optimize([](const mlp_params& p) { return loss(p); }).trials_started == 6);
  CHECK(sh.schedule_report()->matches(*sh.schedule_plan()));

  CHECK_THROWS_AS(tt::study(fashion_mlp::space, tt::hyperband{.min_resource = 0}), std::invalid_argument);
}

TEST_CASE("tt::asha is a pruner option like tt::median_pruner") {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 1},
                         tt::asha{.min_resource = 1, .max_resource = 9, .reduction_factor = 3});
  study.optimize(
      [](tt::trial<mlp_params>& t) -> tt::result {
        for (std::int64_t epoch = 1; epoch <= 9; ++epoch) {
          t.report(epoch, loss(t.params()) + 1.0 / static_cast<double>(epoch));
          if (t.should_prune()) return tt::pruned;
        }
        return tt::result{"val_loss", loss(t.params())};
      },
      tt::budget{.trials = 30});
  int pruned = 0;
  for (const auto& t : study.trials()) pruned += t.state == tt::trial_state::pruned;
  CHECK(pruned > 0);
}

TEST_CASE("tt::handle_interrupts: Ctrl-C stops the search, keeps results, restores the handler") {
  REQUIRE(std::signal(SIGINT, previous_handler) != SIG_ERR);
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::handle_interrupts{});
  int calls = 0;
  const auto summary = study.optimize(
      [&](tt::trial<mlp_params>& t) -> tt::result {
        ++calls;
        CHECK_FALSE(t.stop_requested());
        if (t.number() == 2) {
          std::raise(SIGINT);  // as if the user pressed Ctrl-C during this trial
          if (t.stop_requested()) throw tt::interrupted();
        }
        return tt::result{"val_loss", loss(t.params())};
      },
      tt::budget{.trials = 50});
  CHECK(summary.interrupted);
  CHECK(calls == 3);
  CHECK(summary.trials_started == 3);
  const auto all = study.trials();
  REQUIRE(all.size() == 3);
  CHECK(all[0].state == tt::trial_state::complete);
  CHECK(all[1].state == tt::trial_state::complete);
  CHECK(all[2].state == tt::trial_state::interrupted);
  CHECK(previous_handler_calls == 0);
  CHECK(study.best().number <= 1);
  // The previous handler is back.
  std::raise(SIGINT);
  CHECK(previous_handler_calls == 1);
  std::signal(SIGINT, SIG_DFL);
  // The next run starts afresh.
  CHECK(study.optimize([](const mlp_params& p) { return loss(p); }, tt::budget{.trials = 2}).trials_started == 2);
}

TEST_CASE("budget::trial_time_limit, the failure summary and exhaustion at an exact budget") {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::stop_after_failures{0});
  const auto summary = study.optimize(
      [](tt::trial<mlp_params>& t) -> tt::result {
        if (t.number() % 2 == 0) {
          while (!t.out_of_time()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
          throw tt::trial_timeout();
        }
        return tt::result{"val_loss", loss(t.params())};
      },
      tt::budget{.trials = 4, .trial_time_limit = std::chrono::milliseconds(5)});
  REQUIRE(summary.failures.size() == 1);
  CHECK(summary.failures[0].count == 2);
  CHECK(summary.failures[0].first_trial == 0);
  CHECK(summary.failures_text() == "2 of 4 trials did not complete:\n  2 failed (first: trial 0): time limit of 0.005 s reached\n");

  auto grid = tt::study(sequence_rnn::space, tt::maximize{"accuracy"}, tt::grid{});
  const auto exact = grid.optimize([](const sequence_rnn::rnn_params& p) { return tt::result{"accuracy", p.units * 1.0}; },
                                   tt::budget{.trials = tt::grid_size(sequence_rnn::space), .workers = 2});
  CHECK(exact.exhausted);
  CHECK(exact.trials_started == tt::grid_size(sequence_rnn::space));
}

TEST_CASE("tt::objective_for: the forms optimize() takes") {
  auto by_trial = [](tt::trial<mlp_params>& t) { return tt::result{"val_loss", loss(t.params())}; };
  auto by_params = [](const mlp_params& p) { return loss(p); };
  auto by_value = [](mlp_params p) { return loss(p); };
  auto pruning = [](tt::trial<mlp_params>& /*t*/) { return tt::pruned; };
  auto generic = [](auto& t) { return loss(t.params()); };
  static_assert(tt::objective_for<decltype(by_trial), mlp_params>);
  static_assert(tt::objective_for<decltype(by_params), mlp_params>);
  static_assert(tt::objective_for<decltype(by_value), mlp_params>);
  static_assert(tt::objective_for<decltype(pruning), mlp_params>);
  static_assert(tt::objective_for<decltype(generic), mlp_params>);  // called with tt::trial<P>&
  static_assert(tt::objective_for<double(const mlp_params&), mlp_params>);
  static_assert(tt::objective_for<by_functor, mlp_params>);
  static_assert(tt::objective_for<std::function<double(const mlp_params&)>, mlp_params>);

  auto by_mutable_reference = [](mlp_params& p) { return loss(p); };
  auto two_arguments = [](tt::trial<mlp_params>& t, int /*extra*/) { return loss(t.params()); };
  auto returns_text = [](const mlp_params& p) { return std::to_string(p.dense_bot); };
  auto returns_nothing = [](const mlp_params& /*p*/) {};
  static_assert(!tt::objective_for<decltype(by_params), void>);  // no parameter struct
  static_assert(!tt::objective_for<decltype(by_params), sequence_rnn::rnn_params>);
  static_assert(!tt::objective_for<decltype(by_mutable_reference), mlp_params>);
  static_assert(!tt::objective_for<decltype(two_arguments), mlp_params>);
  static_assert(!tt::objective_for<decltype(returns_text), mlp_params>);
  static_assert(!tt::objective_for<decltype(returns_nothing), mlp_params>);

  // Without tt::params<P>, the struct comes from the objective's argument, whatever the callable.
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 5});
  study.optimize(loss, tt::budget{.trials = 2});
  study.optimize(by_functor{}, tt::budget{.trials = 2});
  study.optimize(std::function<double(const mlp_params&)>(loss), tt::budget{.trials = 2});
  study.optimize(by_value, tt::budget{.trials = 2});
  CHECK(study.trials().size() == 8);
  CHECK(study.best().value == Approx(loss(study.best().params.as<mlp_params>())));
}

TEST_CASE("study options: aggregates with one role each, and an option added through the trait") {
  // One style: plain aggregates, so every option is written tt::x{.field = value}.
  static_assert(std::is_aggregate_v<tt::median_pruner> && std::is_aggregate_v<tt::asha> &&
                std::is_aggregate_v<tt::tpe> && std::is_aggregate_v<tt::hyperband> &&
                std::is_aggregate_v<tt::heartbeat> && std::is_aggregate_v<tt::storage>);
  static_assert(!std::is_base_of_v<tt::median_pruner_options, tt::median_pruner>);
  static_assert(tt::known_study_option<tt::tpe> && tt::known_study_option<tt::params<mlp_params>>);
  static_assert(!tt::known_study_option<tt::budget> && !tt::known_study_option<int>);
  static_assert(tt::study_option<tt::tpe>::role == tt::study_option<tt::grid>::role);
  static_assert(tt::study_option<tt::minimize>::role == tt::study_option<tt::maximize>::role);
  // A pruner and a scheduler have different roles: a study may take one of each.
  static_assert(!(tt::study_option<tt::asha>::role == tt::study_option<tt::hyperband>::role));

  auto pruned = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 2},
                          tt::median_pruner{.n_startup_trials = 1, .n_warmup_steps = 1});
  pruned.optimize(
      [](tt::trial<mlp_params>& t) -> tt::result {
        for (std::int64_t step = 0; step < 3; ++step) {
          t.report(step, loss(t.params()) + static_cast<double>(t.number()));
          if (t.should_prune()) return tt::pruned;
        }
        return tt::result{"val_loss", loss(t.params()) + static_cast<double>(t.number())};
      },
      tt::budget{.trials = 6});
  int pruned_trials = 0;
  for (const auto& t : pruned.trials()) pruned_trials += t.state == tt::trial_state::pruned;
  CHECK(pruned_trials > 0);

  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, fail_fast{});
  CHECK_THROWS_AS(study.optimize([](const mlp_params& /*p*/) -> double { throw std::runtime_error("broken"); },
                                 tt::budget{.trials = 5}),
                  tt::too_many_failures_error);
  CHECK(study.trials().size() == 1);
}
