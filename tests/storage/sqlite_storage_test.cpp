// The SQLite backend on real files: round trips, resume, changed spaces, corrupt rows, files
// that are not typetune's, URLs, stale trials and leases.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <set>
#include <string>

#include "storage_cases.hpp"
#include "storage_support.hpp"
#include "support/spaces.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/engine/asha_pruner.hpp"
#include "typetune/engine/grid_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/study_core.hpp"
#include "typetune/storage/open_storage.hpp"
#include "typetune/storage/sqlite_storage.hpp"

using namespace typetune;
using testing::temp_dir;

using testing::bot;
using testing::code_of;
using testing::lines;
using testing::message_of;
using testing::options;
using testing::trials;
namespace cases = testing::cases;

namespace {

// A study of 6 trials (complete, pruned, failed), written and closed.
void make_study(const std::filesystem::path& db, const std::string& name = "mlp") {
  testing::make_study(open_sqlite_storage(db), name);
}

}  // namespace

TEST_CASE("a study round-trips through an SQLite file: every field, seed, worker and memory") {
  temp_dir dir;
  cases::round_trip(dir.url("a.db"));
}

TEST_CASE("re-opening a study continues it: trials kept, a grid goes on where it stopped") {
  temp_dir dir;
  cases::resume(dir.url("resume.db"));
}

TEST_CASE("two workers on one SQLite file asking in turn: proposals made once after the first clash, the grid in order") {
  temp_dir dir;
  cases::interleaved_workers(dir.url("interleaved.db"));
}

TEST_CASE("re-opening with another direction, metric or seed is refused, naming it") {
  temp_dir dir;
  const auto db = dir / "same.db";
  make_study(db);
  auto other = options("mlp");
  other.dir = direction::maximize;
  CHECK_THROWS_WITH(study_core(testing::mlp_space(), make_random_sampler(), other, nullptr, open_sqlite_storage(db)),
                    Catch::Contains("study 'mlp'") && Catch::Contains("created to minimize"));
  other = options("mlp");
  other.metric = "val_acc";
  CHECK_THROWS_WITH(study_core(testing::mlp_space(), make_random_sampler(), other, nullptr, open_sqlite_storage(db)),
                    Catch::Contains("measures 'val_loss'"));
  CHECK(code_of([&] {
          study_core(testing::mlp_space(), make_random_sampler(), options("mlp", 6), nullptr, open_sqlite_storage(db));
        }) == storage_errc::study_mismatch);
}

TEST_CASE("a changed space is refused with the change named, unless a compatible change is allowed") {
  temp_dir dir;
  const auto db = dir / "space.db";
  make_study(db);
  const auto before = testing::mlp_space();

  auto narrowed = before;
  narrowed.params[*narrowed.find("optimizer.adam.learning_rate")].high = 1e-2;
  const auto refused = message_of([&] {
    study_core(narrowed, make_random_sampler(), options("mlp"), nullptr, open_sqlite_storage(db));
  });
  CHECK_THAT(refused, Catch::Contains("study 'mlp'") && Catch::Contains("another space") &&
                          Catch::Contains("'optimizer.adam.learning_rate': range [1e-04, 0.1] -> [1e-04, 0.01]"));

  auto widened = before;
  widened.params[*widened.find("dense_bot")].high = 500;
  widened.params.push_back(testing::int_param("epochs", "epochs", 1, 50));
  widened.params.back().default_value = std::int64_t{12};
  // Compatible, but not allowed: the message says how to allow it.
  CHECK_THAT(message_of([&] { study_core(widened, make_random_sampler(), options("mlp"), nullptr, open_sqlite_storage(db)); }),
             Catch::Contains("'dense_bot': range [50, 350] -> [50, 500] (widened)") &&
                 Catch::Contains("'epochs' added (default 12)") && Catch::Contains("allow_space_changes"));
  // Allowed, but the change also narrows something: still refused.
  auto both = widened;
  both.params[*both.find("optimizer.adam.learning_rate")].high = 1e-2;
  auto allow = options("mlp");
  allow.allow_space_changes = true;
  CHECK_THAT(message_of([&] { study_core(both, make_random_sampler(), allow, nullptr, open_sqlite_storage(db)); }),
             Catch::Contains("[incompatible]") && Catch::Contains("only widened ranges"));

  // Allowed and compatible: the study continues under the new space; old trials take the default.
  {
    study_core study(widened, make_random_sampler(), allow, nullptr, open_sqlite_storage(db));
    const auto old = study.trials();
    REQUIRE(old.size() == 6);
    for (const auto& t : old) CHECK(std::get<std::int64_t>(t.params.values.back()) == 12);
    (void)study.optimize([](trial_context& t) -> outcome { return bot(t); }, trials(3));
    CHECK(study.trials().size() == 9);
  }
  const auto stored = open_sqlite_storage(db)->find_study("mlp");
  REQUIRE(stored);
  CHECK(stored->info.space == widened);
  // The old space is now the changed one.
  CHECK(code_of([&] { study_core(before, make_random_sampler(), options("mlp"), nullptr, open_sqlite_storage(db)); }) ==
        storage_errc::study_mismatch);
}

TEST_CASE("hand-corrupted rows are rejected with errors naming the trial and the field") {
  temp_dir dir;
  const auto db = dir / "corrupt.db";
  make_study(db);
  const auto read_all = [&] {
    const auto storage = open_sqlite_storage(db);
    (void)storage->read_trials(storage->find_study("mlp")->id, 0);
  };
  const auto reopen = [&] {
    study_core(testing::mlp_space(), make_random_sampler(), options("mlp"), nullptr, open_sqlite_storage(db));
  };
  REQUIRE_NOTHROW(read_all());

  SECTION("columns of the wrong type") {
    testing::raw_sql(db, "UPDATE trials SET record = x'00ff' WHERE number = 1");
    CHECK(code_of(read_all) == storage_errc::corrupt);
    CHECK_THAT(message_of(read_all), Catch::Contains("study 'mlp', trial 1: column 'record' holds a blob, not text"));
    testing::raw_sql(db, "UPDATE trials SET record = 42 WHERE number = 1");  // stored as the text '42'
    CHECK_THAT(message_of(read_all), Catch::Contains("study 'mlp', trial 1: its record does not read back: not a JSON object"));
    testing::raw_sql(db, "UPDATE studies SET next_number = 'lots'");
    CHECK_THAT(message_of(reopen), Catch::Contains("study 'mlp': column 'next_number' holds text, not an integer"));
  }
  SECTION("a state column that names no state, or disagrees with the record") {
    testing::raw_sql(db, "UPDATE trials SET state = 7 WHERE number = 0");
    CHECK_THAT(message_of(read_all), Catch::Contains("trial 0: unknown state '7'"));
    testing::raw_sql(db, "UPDATE trials SET state = 'pruned' WHERE number = 0");
    CHECK_THAT(message_of(read_all), Catch::Contains("trial 0: column 'state' says pruned, its record says complete"));
  }
  SECTION("a parameter value of the wrong type") {
    testing::raw_sql(db, "UPDATE trials SET record = json_set(record, '$.params.dense_bot', 'big') WHERE number = 2");
    CHECK_THAT(message_of(read_all), Catch::Contains("trial 2: its record does not read back: parameter 'dense_bot' must be an integer"));
  }
  SECTION("an unknown parameter") {
    testing::raw_sql(db, "UPDATE trials SET record = json_set(record, '$.params.bogus', 1) WHERE number = 3");
    CHECK_THAT(message_of(read_all), Catch::Contains("trial 3") && Catch::Contains("unknown parameter 'bogus'"));
  }
  SECTION("a value outside its range") {
    testing::raw_sql(db, "UPDATE trials SET record = json_set(record, '$.params.dense_bot', 9999) WHERE number = 4");
    CHECK(code_of(reopen) == storage_errc::corrupt);
    CHECK_THAT(message_of(reopen), Catch::Contains("trial 4") && Catch::Contains("'dense_bot'"));
  }
  SECTION("a record that is not JSON, or numbered otherwise") {
    testing::raw_sql(db, "UPDATE trials SET record = substr(record, 1, 30) WHERE number = 5");
    CHECK_THAT(message_of(read_all), Catch::Contains("trial 5: its record does not read back: not valid JSON ("));
    testing::raw_sql(db, "UPDATE trials SET record = (SELECT record FROM trials WHERE number = 0) WHERE number = 5");
    CHECK_THAT(message_of(read_all), Catch::Contains("trial 5: its record says trial 0"));
  }
  SECTION("a truncated space description") {
    testing::raw_sql(db, "UPDATE studies SET space_json = substr(space_json, 1, 60)");
    CHECK(code_of(reopen) == storage_errc::corrupt);
    CHECK_THAT(message_of(reopen), Catch::Contains("study 'mlp': its stored space description does not read back"));
  }
  SECTION("a space hash that disagrees with the description") {
    testing::raw_sql(db, "UPDATE studies SET space_hash = '0123456789abcdef'");
    CHECK_THAT(message_of(reopen), Catch::Contains("column 'space_hash' says 0123456789abcdef"));
  }
  SECTION("attributes that are not an object of strings") {
    testing::raw_sql(db, "UPDATE studies SET attributes = '{\"seed\": 5}'");
    CHECK_THAT(message_of(reopen), Catch::Contains("study 'mlp': attribute 'seed' must be a string"));
  }
}

TEST_CASE("fuzzed records and space descriptions are rejected as corrupt, never misread") {
  temp_dir dir;
  const auto db = dir / "fuzz.db";
  make_study(db);
  const auto storage = open_sqlite_storage(db);
  const auto id = storage->find_study("mlp")->id;
  const auto space = storage->find_study("mlp")->info.space;
  const auto original = storage->read_trials(id, 0).trials.at(1);
  const auto line = trial_to_json(original, space);
  const auto space_json = space.to_json(-1);
  std::mt19937_64 rng(std::getenv("TYPETUNE_FUZZ_SEED") ? std::strtoull(std::getenv("TYPETUNE_FUZZ_SEED"), nullptr, 10) : 2024);
  int rejected = 0;
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
    if (in_space) {
      testing::raw_set_text(db, "UPDATE studies SET space_json = ?1", text);
    } else {
      testing::raw_set_text(db, "UPDATE trials SET record = ?1 WHERE number = 1", text);
    }
    try {
      const auto fresh = open_sqlite_storage(db);
      const auto trials = fresh->read_trials(fresh->find_study("mlp")->id, 0).trials;
      // Read back: the mutation kept a legal record (a digit that stays in range, a space).
      CHECK(trials.size() == 6);
    } catch (const storage_error& e) {
      CHECK(e.code() == storage_errc::corrupt);
      CHECK_THAT(std::string(e.what()), Catch::Contains("study 'mlp'"));
      ++rejected;
    }
    testing::raw_set_text(db, "UPDATE studies SET space_json = ?1", space_json);
    testing::raw_set_text(db, "UPDATE trials SET record = ?1 WHERE number = 1", line);
  }
  CHECK(rejected > rounds / 2);
}

TEST_CASE("files that are not typetune's, and newer schemas, are refused and left unchanged") {
  temp_dir dir;
  SECTION("a text file") {
    const auto path = dir / "notes.txt";
    {
      std::ofstream out(path);
      out << "these are not the studies you are looking for\n";
    }
    const auto bytes = testing::file_bytes(path);
    CHECK(code_of([&] { (void)open_sqlite_storage(path); }) == storage_errc::not_typetune);
    CHECK_THAT(message_of([&] { (void)open_sqlite_storage(path); }), Catch::Contains("not an SQLite database"));
    CHECK(testing::file_bytes(path) == bytes);
  }
  SECTION("another program's SQLite database") {
    const auto path = dir / "app.db";
    testing::raw_sql(path, "CREATE TABLE users (id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'ada');");
    const auto bytes = testing::file_bytes(path);
    CHECK(code_of([&] { (void)open_storage("sqlite://" + path.string()); }) == storage_errc::not_typetune);
    CHECK_THAT(message_of([&] { (void)open_sqlite_storage(path); }),
               Catch::Contains("not typetune's (it has the tables users and no typetune_meta)"));
    CHECK(testing::file_bytes(path) == bytes);
    CHECK_FALSE(std::filesystem::exists(dir / "app.db-wal"));
  }
  SECTION("a typetune database of a newer schema") {
    const auto path = dir / "future.db";
    make_study(path);
    testing::raw_sql(path, "UPDATE typetune_meta SET value = '7' WHERE key = 'schema_version'");
    const auto bytes = testing::file_bytes(path);
    CHECK(code_of([&] { (void)open_sqlite_storage(path); }) == storage_errc::newer_schema);
    CHECK_THAT(message_of([&] { (void)open_sqlite_storage(path); }),
               Catch::Contains("newer typetune (schema version 7; this build reads up to 1)"));
    CHECK(testing::file_bytes(path) == bytes);
  }
  SECTION("a missing file, when it must exist") {
    const auto path = dir / "missing.db";
    CHECK(code_of([&] { (void)open_storage("sqlite://" + path.string() + "?mode=rw"); }) == storage_errc::not_found);
    CHECK(code_of([&] { (void)open_storage("sqlite://" + path.string() + "?mode=ro"); }) == storage_errc::not_found);
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK_THAT(message_of([&] { (void)open_storage("sqlite:///no/such/dir/x.db"); }),
               Catch::Contains("the directory /no/such/dir does not exist"));
  }
  SECTION("read only: reads, refuses to create a study, writes nothing") {
    const auto path = dir / "ro.db";
    make_study(path);
    const auto bytes = testing::file_bytes(path);
    const auto storage = open_storage("sqlite://" + path.string() + "?mode=ro");
    REQUIRE(storage->list_studies().size() == 1);
    CHECK(storage->read_trials(storage->find_study("mlp")->id, 0).trials.size() == 6);
    CHECK(code_of([&] {
            study_core(testing::mlp_space(), make_random_sampler(), options("new"), nullptr, storage);
          }) == storage_errc::not_found);
    CHECK(testing::file_bytes(path) == bytes);
  }
}

TEST_CASE("storage URLs") {
  CHECK(parse_storage_url("sqlite:///tmp/studies.db").path == "/tmp/studies.db");
  CHECK(parse_storage_url("sqlite://runs/studies.db").path == "runs/studies.db");
  CHECK(parse_storage_url("sqlite:///tmp/my%20studies.db").path == "/tmp/my studies.db");
  const auto ro = parse_storage_url("sqlite:///tmp/s.db?mode=ro&timeout=2.5");
  CHECK(ro.options.read_only);
  CHECK_FALSE(ro.options.create_if_missing);
  CHECK(ro.options.busy_timeout == std::chrono::milliseconds(2500));
  CHECK(parse_storage_url("").scheme == "memory");
  CHECK(parse_storage_url("memory:").scheme == "memory");
  CHECK(parse_storage_url("postgres://u@h/db").scheme == "postgresql");
  CHECK_FALSE(open_storage("memory:")->shared());

  for (const char* bad : {"studies.db", "sqlite:/tmp/x.db", "sqlite://", "sqlite:///x.db?mode=wx", "sqlite:///x.db?cache=1",
                          "sqlite:///x.db?timeout=soon", "mysql://h/db", "postgresql:/localhost/studies"}) {
    INFO(bad);
    CHECK(code_of([&] { (void)open_storage(bad); }) == storage_errc::bad_url);
  }
  CHECK_THAT(message_of([] { (void)open_storage("postgresql:/localhost/studies"); }), Catch::Contains("postgresql://"));
  CHECK_THAT(message_of([] { (void)open_storage("mysql://h/db"); }), Catch::Contains("unknown scheme 'mysql'"));
}

TEST_CASE("a stale running trial is re-queued with its parameters and seed, and failed after its retries") {
  temp_dir dir;
  cases::stale_trials(dir.url("stale.db"));
}

TEST_CASE("ASHA decides from the shared snapshot: another worker's trials count at each rung") {
  temp_dir dir;
  const auto db = dir / "asha.db";
  const auto make = [&] {
    return std::make_unique<study_core>(testing::mlp_space(), make_random_sampler(), options("asha"),
                                        make_asha_pruner({.min_resource = 1, .max_resource = 9, .reduction_factor = 3}),
                                        open_sqlite_storage(db));
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
