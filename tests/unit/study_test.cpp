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
