// Storage test cases written once and run on every backend that is shared between processes:
// each takes the URL of an empty database (an SQLite file, a fresh PostgreSQL database) and
// checks what a backend must do, whatever it stores in. The helpers are shared by the
// backend-specific tests too.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage_support.hpp"
#include "support/spaces.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/engine/asha_pruner.hpp"
#include "typetune/engine/grid_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/study_core.hpp"
#include "typetune/storage/open_storage.hpp"

namespace typetune::testing {

inline study_options options(std::string name, std::uint64_t seed = 5) {
  study_options o;
  o.metric = "val_loss";
  o.seed = seed;
  o.study_name = std::move(name);
  return o;
}

inline run_budget trials(std::uint64_t n) { return {.max_trials = n, .time_limit = std::nullopt, .workers = 1}; }

inline double bot(const trial_context& t) { return static_cast<double>(std::get<std::int64_t>(t.at("dense_bot"))); }

// Every trial as its JSON line: compares every field at once.
// The records of a delta, copied out of their shared pointers.
inline std::vector<trial_record> records(const trial_delta& delta) { return copy_records(delta.trials); }

inline std::vector<std::string> lines(const std::vector<trial_record>& trials, const space_desc& space) {
  std::vector<std::string> out;
  for (const auto& t : trials) out.push_back(trial_to_json(t, space));
  return out;
}

inline storage_errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const storage_error& e) { return e.code(); }
  FAIL("no storage_error was thrown");
  return storage_errc::io;
}

inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) { return e.what(); }
  FAIL("nothing was thrown");
  return {};
}

// A study of 6 trials (complete, pruned, failed), written and closed.
inline void make_study(const std::shared_ptr<trial_storage>& storage, const std::string& name = "mlp") {
  study_core study(mlp_space(), make_random_sampler(), options(name), nullptr, storage);
  (void)study.optimize(
      [](trial_context& t) -> outcome {
        t.report(1, bot(t));
        t.set_metric("val_accuracy", 0.5);
        if (t.number() == 2) return outcome::pruned();
        if (t.number() == 3) throw std::runtime_error("cuda error");
        return bot(t) / 100.0;
      },
      trials(6));
}

namespace cases {

inline void round_trip(const std::string& url) {
  const auto space = mlp_space();
  std::vector<trial_record> written;
  {
    study_core study(space, make_random_sampler(), options("round trip"), nullptr, open_storage(url));
    const auto summary = study.optimize(
        [](trial_context& t) -> outcome {
          t.report(1, 2.0);
          t.report(2, 1.5);
          t.set_metric("val_accuracy", 0.25 * static_cast<double>(t.number() % 4));
          if (t.number() % 5 == 4) throw std::runtime_error("cuda error: \"quoted\", with a comma");
          return bot(t) / 100.0;
        },
        trials(20));
    CHECK(summary.trials_started == 20);
    written = study.trials();
  }
  REQUIRE(written.size() == 20);
  for (const auto& t : written) {
    CHECK(t.seed == trial_seed(5, t.number));
    CHECK(t.worker == this_worker());
    CHECK(t.start_time > 1.6e9);
    CHECK(t.peak_rss_bytes > 0);
    CHECK(t.intermediate.size() == 2);
  }
  CHECK(written[4].state == trial_state::failed);
  CHECK(written[4].message == "cuda error: \"quoted\", with a comma");

  // A second connection, as another process would open it.
  const auto storage = open_storage(url);
  const auto studies = storage->list_studies();
  REQUIRE(studies.size() == 1);
  CHECK(studies[0].info.name == "round trip");
  CHECK(studies[0].info.space == space);
  CHECK(studies[0].space_hash == space.hash_text());
  CHECK(studies[0].info.attributes.at("objective") == "val_loss");
  CHECK(studies[0].info.attributes.at("sampler") == "random");
  CHECK(studies[0].trial_count == 20);
  const auto read = storage->read_trials(studies[0].id, 0);
  CHECK(lines(records(read), space) == lines(written, space));

  // Only what changed after a version is read again.
  CHECK(storage->read_trials(studies[0].id, read.version).trials.empty());
  CHECK(storage->delete_study("round trip"));
  CHECK_FALSE(storage->delete_study("round trip"));
  CHECK(storage->list_studies().empty());
}

inline void resume(const std::string& url) {
  const auto space = mlp_space(true);
  const auto objective = [](trial_context& t) -> outcome { return bot(t); };
  {
    study_core first(space, make_grid_sampler(), options("grid"), nullptr, open_storage(url));
    CHECK(first.optimize(objective, trials(7)).trials_started == 7);
  }
  study_core second(space, make_grid_sampler(), options("grid"), nullptr, open_storage(url));
  CHECK(second.trials().size() == 7);
  CHECK(second.optimize(objective, trials(5)).trials_started == 5);

  study_core reference(space, make_grid_sampler(), options("reference"));
  (void)reference.optimize(objective, trials(12));
  const auto resumed = second.trials();
  const auto expected = reference.trials();
  REQUIRE(resumed.size() == 12);
  for (std::size_t i = 0; i < 12; ++i) {
    CHECK(resumed[i].number == i);
    CHECK(resumed[i].params == expected[i].params);  // grid point i, once
  }
  CHECK(second.best_trial()->number == reference.best_trial()->number);
}

// Two study objects on one database, each with its own connection, asking in turn. A proposal
// is made outside the store's write lock, for the proposal index the worker expects; the first
// time the other worker has taken that index it is made again, and from then on the worker reads
// the index back before proposing, so every later proposal is made once. Together they walk the
// grid in order.
inline void interleaved_workers(const std::string& url) {
  struct counting_sampler final : sampler {
    std::unique_ptr<sampler> inner = make_grid_sampler();
    std::size_t* calls = nullptr;
    std::optional<assignment> sample(const study_view& view, std::uint64_t number) override {
      ++*calls;
      return inner->sample(view, number);
    }
    std::string_view name() const override { return "grid"; }
  };
  const auto space = mlp_space(true);
  std::size_t calls_a = 0, calls_b = 0;
  auto counted = [](std::size_t& calls) {
    auto s = std::make_unique<counting_sampler>();
    s->calls = &calls;
    return s;
  };
  study_core a(space, counted(calls_a), options("grid"), nullptr, open_storage(url));
  study_core b(space, counted(calls_b), options("grid"), nullptr, open_storage(url));
  for (int round = 0; round < 10; ++round) {
    for (auto* study : {&a, &b}) {
      const auto ticket = study->ask();
      REQUIRE(ticket);
      study->tell(ticket->number, "val_loss", 1.0);
    }
  }
  CHECK(calls_a == 11);  // 10 proposals, one of them made twice
  CHECK(calls_b == 11);
  study_core reference(space, make_grid_sampler(), options("reference"));
  for (int i = 0; i < 20; ++i) reference.tell(reference.ask()->number, "val_loss", 1.0);
  const auto shared = a.trials();
  REQUIRE(shared.size() == 20);
  for (std::size_t i = 0; i < 20; ++i) CHECK(shared[i].params == reference.trials()[i].params);
}

inline void stale_trials(const std::string& url) {
  const auto storage = open_storage(url);
  auto o = options("stale");
  o.stale_after = std::chrono::seconds(30);
  o.max_retries = 2;
  study_core study(mlp_space(), make_random_sampler(), o, nullptr, storage);
  const auto id = study.study_id();

  // A trial started by a worker on another machine, whose last heartbeat is an hour old.
  const double hour_ago = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() -
                          3600;
  auto sampler = make_random_sampler();
  const auto foreign = storage->create_trial(id, 0, "elsewhere:4242", hour_ago, [&](const proposal_slot& slot) {
    const study_view view{study.space(), {}, direction::minimize, 5};
    return std::optional<new_trial>(new_trial{*sampler->sample(view, slot.proposal), trial_seed(5, slot.number), 1});
  });
  REQUIRE(foreign.trial);
  CHECK(storage->report(id, foreign.lease, 1, 0.5));  // a write counts as a heartbeat ...
  const std::vector<trial_lease> leases{foreign.lease};
  storage->heartbeat(id, leases, hour_ago);  // ... so the last one is made an hour old

  CHECK(study.requeue_stale() == 1);
  auto t = study.trial(0);
  CHECK(t.state == trial_state::waiting);
  CHECK_THAT(t.message,
             Catch::Contains("worker elsewhere:4242 sent no heartbeat for") && Catch::Contains("retry 1 of 2"));
  CHECK(t.intermediate.empty());
  // The old lease is over: the presumed-dead worker cannot write any more.
  CHECK_FALSE(storage->report(id, foreign.lease, 2, 0.1));
  CHECK_FALSE(storage->finish(id, foreign.lease, {trial_state::complete, 1.0, {}, 1.0, 0}));

  // The next ask runs it again: same number, parameters and seed.
  const auto again = study.ask();
  REQUIRE(again);
  CHECK(again->number == 0);
  CHECK(again->params == foreign.trial->params);
  CHECK(again->seed == foreign.trial->seed);
  CHECK(study.trial(0).worker == this_worker());

  // Lost twice more: the second retry's loss fails it.
  const auto lose = [&](std::uint32_t attempt) {
    const std::vector<stale_trial> stale{{{0, attempt}, "worker gone"}};
    return storage->requeue(id, stale, 2);
  };
  CHECK(lose(1).at(0).state == trial_state::waiting);
  const auto third = storage->create_trial(id, 0, "elsewhere:1", hour_ago,
                                           [](const proposal_slot&) -> std::optional<new_trial> {
                                             FAIL("a waiting trial is claimed before anything is proposed");
                                             return std::nullopt;
                                           });
  CHECK(third.was_waiting);
  CHECK(third.lease.attempt == 2);
  CHECK(lose(2).at(0).state == trial_state::failed);
  CHECK_THAT(study.trial(0).message, Catch::Contains("worker gone; failed after 2 retries"));

  // This study's own attempt 1 was taken away: its result is dropped, counted as lost.
  study.tell(0, "val_loss", 0.5);
  CHECK(study.lost_trials() == 1);
  CHECK(study.trial(0).state == trial_state::failed);
}

// Figures written after the search (set_attributes): merged into the study's stored attributes,
// read back through another connection and by the study re-opened, merged again by a second
// call, refused for the keys the engine owns (nothing changed then), and not_found for a study
// that is not there. `open` connects to the storage under test as a new process would (the
// memory store: the same object again); `url`, where there is one, is re-opened read-only.
inline void study_attributes(const std::function<std::shared_ptr<trial_storage>()>& open, const std::string& url = {}) {
  const auto objective = [](trial_context& t) -> outcome { return bot(t) / 100.0; };
  std::uint64_t id = 0;
  {
    study_core other(mlp_space(), make_random_sampler(), options("untouched"), nullptr, open());
    (void)other.optimize(objective, trials(2));
  }
  {
    study_core study(mlp_space(), make_random_sampler(), options("figures"), nullptr, open());
    (void)study.optimize(objective, trials(3));
    study.set_attributes({{"test_accuracy", "0.8912"}, {"baseline_test_accuracy", "0.8790"}});
    CHECK(study.attributes() == std::map<std::string, std::string>{{"baseline_test_accuracy", "0.8790"},
                                                                   {"objective", "val_loss"},
                                                                   {"sampler", "random"},
                                                                   {"seed", "5"},
                                                                   {"test_accuracy", "0.8912"}});
    id = study.study_id();
  }

  // Another connection reads them back, and a second call merges: one key replaced, one added,
  // the rest kept.
  {
    const auto storage = open();
    const auto record = storage->find_study("figures");
    REQUIRE(record);
    CHECK(record->id == id);
    CHECK(record->info.attributes.at("test_accuracy") == "0.8912");
    CHECK(record->info.attributes.at("baseline_test_accuracy") == "0.8790");
    CHECK(record->trial_count == 3);
    storage->set_study_attributes(id, {{"test_accuracy", "0.8950"}, {"gain_points", "+1.60"}});
  }
  const std::map<std::string, std::string> merged{{"baseline_test_accuracy", "0.8790"},
                                                  {"gain_points", "+1.60"},
                                                  {"objective", "val_loss"},
                                                  {"sampler", "random"},
                                                  {"seed", "5"},
                                                  {"test_accuracy", "0.8950"}};
  // The study re-opened: its trials and the merged attributes (re-opening resets nothing).
  study_core again(mlp_space(), make_random_sampler(), options("figures"), nullptr, open());
  CHECK(again.trials().size() == 3);
  CHECK(again.attributes() == merged);
  for (const auto& s : open()->list_studies()) {
    if (s.info.name == "figures") CHECK(s.info.attributes == merged);
    if (s.info.name == "untouched") CHECK(s.info.attributes.count("test_accuracy") == 0);
  }

  // The engine's keys: refused, naming the key, and nothing of the call is written.
  for (const auto& [key, value] :
       std::map<std::string, std::string>{{"objective", "accuracy"}, {"seed", "6"}, {"sampler", "tpe"}}) {
    INFO("key " << key);
    const auto call = [&, key = key, value = value] { again.set_attributes({{"note", "not kept"}, {key, value}}); };
    CHECK(code_of(call) == storage_errc::study_mismatch);
    CHECK_THAT(message_of(call), Catch::Contains("study 'figures'") && Catch::Contains("attribute '" + key + "'") &&
                                     Catch::Contains("to '" + value + "'") && Catch::Contains("Nothing was changed"));
  }
  CHECK(again.attributes() == merged);
  // The same value is no change: a program may pass back what it read.
  again.set_attributes({{"seed", "5"}, {"note", "kept"}});
  CHECK(again.attributes().at("note") == "kept");
  CHECK(open()->find_study("figures")->info.attributes.at("note") == "kept");

  // A study that is not there.
  const auto storage = open();
  CHECK(code_of([&] { storage->set_study_attributes(id + 1000, {{"x", "1"}}); }) == storage_errc::not_found);
  CHECK_THAT(message_of([&] {
               storage->set_study_attributes(id + 1000, {{"x", "1"}});
             }),
             Catch::Contains("id " + std::to_string(id + 1000)) && Catch::Contains("was it deleted?"));
  CHECK(storage->delete_study("figures"));
  CHECK(code_of([&] { again.set_attributes({{"x", "1"}}); }) == storage_errc::not_found);
  CHECK(code_of([&] { (void)again.attributes(); }) == storage_errc::not_found);

  // Opened read-only (as the command line opens it): reading works, writing is refused.
  if (!url.empty()) {
    const auto reader = open_storage(url, {.create_if_missing = false, .read_only = true});
    const auto untouched = reader->find_study("untouched");
    REQUIRE(untouched);
    CHECK(untouched->info.attributes.at("objective") == "val_loss");
    CHECK_THAT(message_of([&] {
                 reader->set_study_attributes(untouched->id, {{"x", "1"}});
               }),
               Catch::Contains("read-only"));
  }
}

// A study with two objectives and a constraint: its objectives and constraint are stored with it
// and read back by another connection, the study continues when re-opened with the same ones and
// keeps its front, and re-opening it with other ones is refused, naming both.
inline void several_objectives(const std::string& url) {
  auto o = options("front");
  o.extra_objectives = {{"parameters", direction::minimize}};
  o.constraints = {{"latency_ms", 5.0}};
  const auto objective = [](trial_context& t) -> outcome {
    const double units = bot(t);
    return {{"val_loss", 100.0 / units}, {"parameters", units * 10}, {"latency_ms", units / 40.0}};
  };
  std::vector<trial_record> front;
  {
    study_core study(mlp_space(), make_random_sampler(), o, nullptr, open_storage(url));
    CHECK(study.optimize(objective, trials(12)).trials_started == 12);
    front = study.pareto_front();
  }
  REQUIRE_FALSE(front.empty());
  const auto storage = open_storage(url);
  const auto stored = storage->find_study("front");
  REQUIRE(stored);
  CHECK(stored->info.extra_objectives == o.extra_objectives);
  CHECK(stored->info.constraints == o.constraints);
  CHECK(objectives_of(stored->info).to_text() ==
        "val_loss (minimize), parameters (minimize); subject to latency_ms <= 5");

  study_core again(mlp_space(), make_random_sampler(), o, nullptr, open_storage(url));
  CHECK(lines(again.pareto_front(), mlp_space()) == lines(front, mlp_space()));
  CHECK(again.optimize(objective, trials(3)).trials_started == 3);
  CHECK(again.trials().size() == 15);

  auto other = o;
  other.extra_objectives = {{"parameters", direction::maximize}};
  CHECK_THROWS_WITH(study_core(mlp_space(), make_random_sampler(), other, nullptr, open_storage(url)),
                    Catch::Contains("study 'front'") &&
                        Catch::Contains("created for val_loss (minimize), parameters (minimize); subject to "
                                        "latency_ms <= 5, but this program has val_loss (minimize), parameters "
                                        "(maximize)"));
  CHECK(code_of([&] {
          study_core(mlp_space(), make_random_sampler(), options("front"), nullptr, open_storage(url));
        }) == storage_errc::study_mismatch);
}

// Re-opening a study with another direction, metric or seed is refused, naming it.
inline void mismatched_reopen(const std::string& url) {
  make_study(open_storage(url));
  auto other = options("mlp");
  other.dir = direction::maximize;
  CHECK_THROWS_WITH(study_core(mlp_space(), make_random_sampler(), other, nullptr, open_storage(url)),
                    Catch::Contains("study 'mlp'") && Catch::Contains("created to minimize"));
  other = options("mlp");
  other.metric = "val_acc";
  CHECK_THROWS_WITH(study_core(mlp_space(), make_random_sampler(), other, nullptr, open_storage(url)),
                    Catch::Contains("measures 'val_loss'"));
  CHECK(code_of([&] {
          study_core(mlp_space(), make_random_sampler(), options("mlp", 6), nullptr, open_storage(url));
        }) == storage_errc::study_mismatch);
}

// A changed space is refused with the change named, unless a compatible change is allowed;
// then the stored trials are migrated (a new parameter takes its default) and the study goes on.
inline void changed_space(const std::string& url) {
  make_study(open_storage(url));
  const auto before = mlp_space();

  auto narrowed = before;
  narrowed.params[*narrowed.find("optimizer.adam.learning_rate")].high = 1e-2;
  const auto refused = message_of(
      [&] { study_core(narrowed, make_random_sampler(), options("mlp"), nullptr, open_storage(url)); });
  CHECK_THAT(refused, Catch::Contains("study 'mlp'") && Catch::Contains("another space") &&
                          Catch::Contains("'optimizer.adam.learning_rate': range [1e-04, 0.1] -> [1e-04, 0.01]"));

  auto widened = before;
  widened.params[*widened.find("dense_bot")].high = 500;
  widened.params.push_back(int_param("epochs", "epochs", 1, 50));
  widened.params.back().default_value = std::int64_t{12};
  // Compatible, but not allowed: the message says how to allow it.
  CHECK_THAT(
      message_of([&] { study_core(widened, make_random_sampler(), options("mlp"), nullptr, open_storage(url)); }),
      Catch::Contains("'dense_bot': range [50, 350] -> [50, 500] (widened)") &&
          Catch::Contains("'epochs' added (default 12)") && Catch::Contains("allow_space_changes"));
  // Allowed, but the change also narrows something: still refused.
  auto both = widened;
  both.params[*both.find("optimizer.adam.learning_rate")].high = 1e-2;
  auto allow = options("mlp");
  allow.allow_space_changes = true;
  CHECK_THAT(message_of([&] { study_core(both, make_random_sampler(), allow, nullptr, open_storage(url)); }),
             Catch::Contains("[incompatible]") && Catch::Contains("only widened ranges"));

  // Allowed and compatible: the study continues under the new space; old trials take the default.
  {
    study_core study(widened, make_random_sampler(), allow, nullptr, open_storage(url));
    const auto old = study.trials();
    REQUIRE(old.size() == 6);
    for (const auto& t : old) CHECK(std::get<std::int64_t>(t.params.values.back()) == 12);
    (void)study.optimize([](trial_context& t) -> outcome { return bot(t); }, trials(3));
    CHECK(study.trials().size() == 9);
  }
  const auto stored = open_storage(url)->find_study("mlp");
  REQUIRE(stored);
  CHECK(stored->info.space == widened);
  // The old space is now the changed one.
  CHECK(code_of([&] { study_core(before, make_random_sampler(), options("mlp"), nullptr, open_storage(url)); }) ==
        storage_errc::study_mismatch);
}

// ASHA decides from the shared snapshot: another worker's trials count at each rung.
inline void asha_shared_snapshot(const std::string& url) {
  const auto make = [&] {
    return std::make_unique<study_core>(mlp_space(), make_random_sampler(), options("asha"),
                                        make_asha_pruner({.min_resource = 1, .max_resource = 9, .reduction_factor = 3}),
                                        open_storage(url));
  };
  auto first = make();
  auto second = make();
  // The first worker's trials reach rung 1 with good values.
  for (int i = 0; i < 3; ++i) {
    const auto t = first->ask();
    first->report(t->number, 1, 0.3 - 0.1 * i);
    CHECK_FALSE(first->should_prune(t->number));  // each is within the top third so far
    first->tell(t->number, "val_loss", 0.1);
  }
  // The second worker's trial arrives at rung 1 with a worse value than all of them.
  const auto late = second->ask();
  CHECK(late->number == 3);
  second->report(late->number, 1, 5.0);
  CHECK(second->should_prune(late->number));
}

// Fuzzed records and space descriptions are rejected as corrupt, never misread. `set_text`
// writes a study's space_json (`in_space`) or trial 1's record by hand, bypassing typetune; it
// returns false where the database refuses the bytes (PostgreSQL: text that is not UTF-8), and
// such a round is skipped.
inline void fuzzed_rows(const std::string& url,
                        const std::function<bool(bool in_space, const std::string& text)>& set_text) {
  make_study(open_storage(url));
  const auto storage = open_storage(url);
  const auto id = storage->find_study("mlp")->id;
  const auto space = storage->find_study("mlp")->info.space;
  const auto original = *storage->read_trials(id, 0).trials.at(1);
  const auto line = trial_to_json(original, space);
  const auto space_json = space.to_json(-1);
  std::mt19937_64 rng(std::getenv("TYPETUNE_FUZZ_SEED") ? std::strtoull(std::getenv("TYPETUNE_FUZZ_SEED"), nullptr, 10)
                                                        : 2024);
  int rejected = 0;
  int tried = 0;
  const int rounds = std::getenv("TYPETUNE_FUZZ_ROUNDS") ? std::atoi(std::getenv("TYPETUNE_FUZZ_ROUNDS")) : 300;
  for (int round = 0; round < rounds; ++round) {
    const bool in_space = round % 3 == 2;
    auto text = in_space ? space_json : line;
    const auto at = std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng);
    switch (round % 4) {
      case 0: text[at] = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng)); break;
      case 1: text.resize(at); break;
      case 2: text.erase(at, 1); break;
      default: {
        constexpr std::string_view json_bytes = "{}[]\",:0-9e";
        text.insert(at, 1, json_bytes[at % json_bytes.size()]);
        break;
      }
    }
    if (!set_text(in_space, text)) continue;
    ++tried;
    try {
      const auto fresh = open_storage(url);
      const auto trials = fresh->read_trials(fresh->find_study("mlp")->id, 0).trials;
      // Read back: the mutation kept a legal record (a digit that stays in range, a space).
      CHECK(trials.size() == 6);
    } catch (const storage_error& e) {
      CHECK(e.code() == storage_errc::corrupt);
      CHECK_THAT(std::string(e.what()), Catch::Contains("study 'mlp'"));
      ++rejected;
    }
    REQUIRE(set_text(true, space_json));
    REQUIRE(set_text(false, line));
  }
  CHECK(tried > rounds / 2);
  CHECK(rejected > tried / 2);
}

// --- many processes: `worker` is the worker program (storage_worker.cpp)

inline std::vector<trial_record> stored_trials(const std::string& url, const std::string& study) {
  const auto storage = open_storage(url);
  const auto record = storage->find_study(study);
  REQUIRE(record);
  return records(storage->read_trials(record->id, 0));
}

inline space_desc stored_space(const std::string& url, const std::string& study) {
  return open_storage(url)->find_study(study)->info.space;
}

// A worker killed with SIGKILL mid-study, then the same program again: finished trials intact,
// the killed one re-run alike. `scratch` is a directory for the worker's marker file.
inline void crash_and_resume(const std::string& worker, const std::string& url, const std::filesystem::path& scratch) {
  const auto marker = (scratch / "hung").string();
  std::map<std::uint64_t, std::string> finished;
  trial_record killed;
  {
    child_process hung(worker, {url, "crash", "real", "20", "--sleep-ms", "5", "--hang-at", "6", marker});
    REQUIRE(wait_for_file(marker, std::chrono::seconds(120)));
    hung.kill_now();

    const auto before = stored_trials(url, "crash");
    REQUIRE(before.size() == 7);
    const auto space = stored_space(url, "crash");
    for (const auto& t : before) {
      if (t.number < 6) {
        CHECK(t.state == trial_state::complete);
        finished[t.number] = trial_to_json(t, space);
      }
    }
    killed = before[6];
    CHECK(killed.state == trial_state::running);
    std::ifstream in(marker);
    std::uint64_t number = 0, seed = 0;
    in >> number >> seed;
    CHECK(number == 6);
    CHECK(seed == killed.seed);
  }

  // The same program again: it finds trial 6's worker gone, re-queues and re-runs it first.
  child_process resumed(worker, {url, "crash", "real", "20"});
  REQUIRE(resumed.wait(std::chrono::seconds(120)) == 0);
  const auto after = stored_trials(url, "crash");
  const auto space = stored_space(url, "crash");
  REQUIRE(after.size() == 26);  // 6 + the re-run + 19 new
  for (const auto& [number, line] : finished) CHECK(trial_to_json(after[number], space) == line);
  const auto& rerun = after[6];
  CHECK(rerun.state == trial_state::complete);
  CHECK(rerun.params == killed.params);
  CHECK(rerun.seed == killed.seed);
  CHECK(rerun.worker != killed.worker);
  for (const auto& t : after) CHECK(t.state == trial_state::complete);
}

// The study's budget (10 trials) is spent while one worker still runs trial 9, and that worker is
// killed: a worker that found the budget spent waits for the trials others run instead of
// leaving, takes trial 9 back once its worker is gone, and re-runs it with the same parameters
// and seed; nothing is left running.
inline void budget_spent_then_killed(const std::string& worker, const std::string& url,
                                     const std::filesystem::path& scratch) {
  const auto marker = (scratch / "hung-last").string();
  child_process hung(worker, {url, "last", "real", "100", "--study-trials", "10", "--hang-at", "9", marker});
  REQUIRE(wait_for_file(marker, std::chrono::seconds(120)));
  const auto before = stored_trials(url, "last");
  REQUIRE(before.size() == 10);
  const auto killed = before[9];
  REQUIRE(killed.state == trial_state::running);

  child_process survivor(worker, {url, "last", "real", "100", "--study-trials", "10"});
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(survivor.still_running());  // the budget is spent, but trial 9 still runs elsewhere
  CHECK(stored_trials(url, "last").size() == 10);
  hung.kill_now();
  REQUIRE(survivor.wait(std::chrono::seconds(60)) == 0);

  const auto after = stored_trials(url, "last");
  REQUIRE(after.size() == 10);  // the budget holds: nothing new was created
  for (const auto& t : after) CHECK(t.state == trial_state::complete);
  CHECK(after[9].params == killed.params);
  CHECK(after[9].seed == killed.seed);
  CHECK(after[9].worker != killed.worker);
  std::string survivor_pid = ":";
  survivor_pid.append(std::to_string(survivor.pid()));
  CHECK(after[9].worker.find(survivor_pid) != std::string::npos);
}

// `processes` x `each` trials on one study (optimize(), or ask/tell with `ask_tell`): all
// distinct, none lost or duplicated.
inline void shared_trials(const std::string& worker, const std::string& url, int processes = 4, int each = 50,
                          bool ask_tell = false) {
  std::vector<std::unique_ptr<child_process>> workers;
  for (int w = 0; w < processes; ++w) {
    std::vector<std::string> args{url, "shared", "real", std::to_string(each), "--sleep-ms", "2"};
    if (ask_tell) args.emplace_back("--ask-tell");
    workers.push_back(std::make_unique<child_process>(worker, args));
  }
  for (auto& w : workers) CHECK(w->wait(std::chrono::seconds(180)) == 0);

  const auto total = static_cast<std::size_t>(processes * each);
  const auto all = stored_trials(url, "shared");
  REQUIRE(all.size() == total);
  std::set<assignment::values_type> distinct;
  std::map<std::string, int> per_worker;
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].number == i);
    CHECK(all[i].state == trial_state::complete);
    CHECK(all[i].intermediate.at(1) == 1.0);
    CHECK(all[i].metrics.count("told_by_ask_tell") == (ask_tell ? 1u : 0u));
    distinct.insert(all[i].params.values);
    ++per_worker[all[i].worker];
  }
  CHECK(distinct.size() == total);  // each trial its own proposal: no two alike
  CHECK(per_worker.size() == static_cast<std::size_t>(processes));
  for (const auto& [name, count] : per_worker) CHECK(count == each);
}

// Two studies on one stored study (two connections, as two processes have), each with a budget
// larger than the study's: together they create exactly the study's budget, then both end.
inline void shared_study_budget(const std::string& url) {
  make_study(open_storage(url), "budget");
  std::vector<run_summary> summaries(2);
  {
    std::vector<std::jthread> runs;
    for (std::size_t w = 0; w < 2; ++w) {
      runs.emplace_back([&, w] {
        study_core study(mlp_space(), make_random_sampler(), options("budget"), nullptr, open_storage(url));
        summaries[w] = study.optimize(
            [](trial_context& t) {
              std::this_thread::sleep_for(std::chrono::milliseconds(2));
              return outcome(bot(t));
            },
            {.max_trials = 100, .time_limit = std::nullopt, .workers = 2, .study_trials = 30});
      });
    }
  }
  const auto all = stored_trials(url, "budget");
  CHECK(all.size() == 30);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].number == i);
    if (i >= 6) CHECK(all[i].state == trial_state::complete);
  }
  // make_study stored 6 trials first; the two runs started the other 24 between them.
  CHECK(summaries[0].trials_started + summaries[1].trials_started == 24);
  for (const auto& s : summaries) {
    CHECK(s.study_budget_spent);
    CHECK_FALSE(s.exhausted);
  }
}

// A grid over 120 points shared by `processes` processes (optimize(), or ask/tell with
// `ask_tell`): each point evaluated exactly once.
inline void shared_grid(const std::string& worker, const std::string& url, int processes = 4, bool ask_tell = false) {
  std::vector<std::unique_ptr<child_process>> workers;
  for (int w = 0; w < processes; ++w) {
    std::vector<std::string> args{url, "grid", "grid", "1000", "--sleep-ms", "2"};
    if (ask_tell) args.emplace_back("--ask-tell");
    workers.push_back(std::make_unique<child_process>(worker, args));
  }
  for (auto& w : workers) CHECK(w->wait(std::chrono::seconds(180)) == 0);

  const auto all = stored_trials(url, "grid");
  CHECK(all.size() == 120);
  std::set<assignment::values_type> distinct;
  std::set<std::string> workers_seen;
  for (const auto& t : all) {
    CHECK(t.state == trial_state::complete);
    distinct.insert(t.params.values);
    workers_seen.insert(t.worker);
  }
  CHECK(distinct.size() == 120);
  CHECK(stored_space(url, "grid").grid_size() == 120);
  CHECK(workers_seen.size() > 1);
}

}  // namespace cases
}  // namespace typetune::testing
