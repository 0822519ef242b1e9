// The typed front end: optimize() hands each trial its decoded struct, best() converts back to
// the struct, directions and samplers are chosen by tag, and failures keep their state.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>

#include <typetune/study.hpp>

#include "../../examples/mlp_space.hpp"
#include "../../examples/rnn_space.hpp"

namespace tt = typetune;

TEST_CASE("optimize hands each trial the typed parameters of its recorded assignment") {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::tpe{.seed = 3});
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, int>> seen;
  const auto summary = study.optimize(
      [&](tt::trial<fashion_mlp::mlp_params>& t) {
        const auto& p = t.params();
        {
          std::lock_guard lock(mutex);
          seen.emplace_back(t.number(), p.dense_bot);
        }
        CHECK(tt::encode(fashion_mlp::space, p) == t.raw());
        return tt::result{"val_loss", p.dense_bot / 100.0 + static_cast<double>(p.hidden.size())};
      },
      tt::budget{.trials = 25, .workers = 2});
  CHECK(summary.trials_started == 25);
  REQUIRE(seen.size() == 25);
  const auto trials = study.trials();
  for (const auto& [number, bot] : seen) {
    const auto& rec = trials.at(number);
    CHECK(std::get<std::int64_t>(rec.params.values[0]) == bot);
    CHECK(rec.state == tt::trial_state::complete);
  }
  const auto best = study.best();
  const fashion_mlp::mlp_params p = best.params;
  CHECK(best.value == Approx(p.dense_bot / 100.0 + static_cast<double>(p.hidden.size())));
  for (const auto& rec : trials) CHECK(*rec.value >= best.value);
}

TEST_CASE("a grid through the front end visits every configuration once, then stops") {
  auto study = tt::study(sequence_rnn::space, tt::maximize{"accuracy"}, tt::grid{});
  std::mutex mutex;
  std::set<tt::assignment::values_type> distinct;
  const auto summary = study.optimize(
      [&](tt::trial<sequence_rnn::rnn_params>& t) {
        std::lock_guard lock(mutex);
        distinct.insert(t.raw().values);
        return tt::result{"accuracy", t.params().units * 1.0 + t.params().layers};
      },
      tt::budget{.trials = 10'000, .workers = 2});
  CHECK(summary.exhausted);
  CHECK(summary.trials_started == tt::grid_size(sequence_rnn::space));
  CHECK(distinct.size() == tt::grid_size(sequence_rnn::space));
  const sequence_rnn::rnn_params best = study.best().params;  // maximize: the largest
  CHECK(best.units == 64);
  CHECK(best.layers == 7);
}

TEST_CASE("a metric under another name is rejected, a throwing objective fails its trial") {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 1}, tt::stop_after_failures{3});
  CHECK_THROWS(study.optimize([](tt::trial<fashion_mlp::mlp_params>&) { return tt::result{"val_acc", 0.5}; },
                              tt::budget{.trials = 5}));
  auto failing = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::stop_after_failures{3});
  CHECK_THROWS_AS(failing.optimize(
                      [](tt::trial<fashion_mlp::mlp_params>& t) -> tt::result {
                        throw std::runtime_error("exploded at dense_bot " + std::to_string(t.params().dense_bot));
                      },
                      tt::budget{.trials = 10}),
                  tt::too_many_failures_error);
  const auto trials = failing.trials();
  REQUIRE(trials.size() >= 3);
  CHECK(trials[0].state == tt::trial_state::failed);
  CHECK_THAT(trials[0].message, Catch::Contains("exploded at dense_bot"));
}

TEST_CASE("log_trials writes one line per trial, with its state and active parameters") {
  std::ostringstream log;
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 2}, tt::log_trials{log});
  study.optimize(
      [](tt::trial<fashion_mlp::mlp_params>& t) -> tt::result {
        if (t.number() == 3) throw std::runtime_error("boom");
        return tt::result{"val_loss", t.params().dense_bot / 100.0};
      },
      tt::budget{.trials = 6});
  const auto text = log.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 6);
  CHECK_THAT(text, Catch::Contains("[typetune] trial 3 failed") && Catch::Contains("(boom)") &&
                       Catch::Contains("trial 0 complete val_loss=") && Catch::Contains("dense_bot="));
  const auto first = study.trials().front();
  CHECK_THAT(text, Catch::Contains(study.description().format(first.params)));
}

TEST_CASE("ask and tell: typed parameters, reports, named metrics, pruned and failed trials") {
  auto study = tt::study(fashion_mlp::space, tt::params<fashion_mlp::mlp_params>{}, tt::minimize{"val_loss"},
                         tt::random_search{.seed = 7}, tt::median_pruner{.n_startup_trials = 1, .n_warmup_steps = 0});
  auto a = study.ask();
  static_assert(std::is_same_v<decltype(a), tt::trial<fashion_mlp::mlp_params>>);
  CHECK(a.number() == 0);
  CHECK(tt::encode(fashion_mlp::space, a.params()) == a.raw());
  CHECK(study.trials().at(0).state == tt::trial_state::running);
  a.report(1, 0.5);
  CHECK_FALSE(a.should_prune());  // alone: nothing to compare with
  study.tell(a, 0.5, {{"val_accuracy", 0.81}});
  const auto first = study.trials().at(0);
  CHECK(first.state == tt::trial_state::complete);
  CHECK(first.value == 0.5);
  CHECK(first.metrics.at("val_accuracy") == 0.81);
  CHECK(first.intermediate.at(1) == 0.5);
  CHECK_THROWS_WITH(study.tell(a, 0.4), Catch::Contains("is complete, not running"));

  // A worse trial at the same step is pruned by the median rule, and told so.
  auto b = study.ask();
  b.report(1, 0.9);
  CHECK(b.should_prune());
  study.tell(b, tt::pruned);
  CHECK(study.trials().at(1).state == tt::trial_state::pruned);
  CHECK(study.trials().at(1).value == 0.9);  // the last reported value

  auto c = study.ask();
  CHECK_THROWS_WITH(study.tell(c, tt::result{"val_acc", 0.1}), Catch::Contains("measures 'val_loss'"));
  study.tell(c, tt::trial_state::out_of_memory, "CUDA out of memory");
  CHECK(study.trials().at(2).state == tt::trial_state::out_of_memory);
  CHECK(study.trials().at(2).message == "CUDA out of memory");

  auto d = study.ask();
  study.tell(d, tt::result{"val_loss", 0.25});
  CHECK(study.best().number == 3);
  const fashion_mlp::mlp_params best = study.best().params;
  CHECK(best.dense_bot == d.params().dense_bot);
}

TEST_CASE("ask<P>() on a study without tt::params, a finite space runs out with search_exhausted") {
  auto study = tt::study(sequence_rnn::space, tt::maximize{"accuracy"}, tt::grid{});
  const auto size = tt::grid_size(sequence_rnn::space);
  std::set<tt::assignment::values_type> distinct;
  for (std::uint64_t i = 0; i < size; ++i) {
    auto t = study.ask<sequence_rnn::rnn_params>();
    distinct.insert(t.raw().values);
    study.tell(t, t.params().units * 1.0 + t.params().layers);
  }
  CHECK(distinct.size() == size);
  CHECK_FALSE(study.try_ask<sequence_rnn::rnn_params>().has_value());
  CHECK_THROWS_AS(study.ask<sequence_rnn::rnn_params>(), tt::search_exhausted);
  CHECK(study.trials().size() == size);
}
