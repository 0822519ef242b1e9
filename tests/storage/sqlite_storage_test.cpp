// The SQLite backend on real files: round trips, resume, changed spaces, corrupt rows, files
// that are not typetune's, URLs, stale trials and leases.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "mlp_space.hpp"
#include "storage_cases.hpp"
#include "storage_support.hpp"
#include "support/spaces.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/describe.hpp"
#include "typetune/engine/asha_pruner.hpp"
#include "typetune/engine/grid_sampler.hpp"
#include "typetune/engine/median_pruner.hpp"
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

TEST_CASE(
    "two workers on one SQLite file asking in turn: proposals made once after the first clash, the grid in order") {
  temp_dir dir;
  cases::interleaved_workers(dir.url("interleaved.db"));
}

TEST_CASE("two studies on one SQLite file with a shared budget of 30 trials create exactly 30, then both end") {
  temp_dir dir;
  cases::shared_study_budget(dir.url("budget.db"));
}

TEST_CASE("re-opening with another direction, metric or seed is refused, naming it") {
  temp_dir dir;
  cases::mismatched_reopen(dir.url("same.db"));
}

TEST_CASE("a changed space is refused with the change named, unless a compatible change is allowed") {
  temp_dir dir;
  cases::changed_space(dir.url("space.db"));
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
    CHECK_THAT(message_of(read_all),
               Catch::Contains("study 'mlp', trial 1: its record does not read back: not a JSON object"));
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
    CHECK_THAT(message_of(read_all),
               Catch::Contains("trial 2: its record does not read back: parameter 'dense_bot' must be an integer"));
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
  SECTION("objectives that do not read back, or disagree with the study's direction") {
    testing::raw_sql(db, "UPDATE studies SET goals = '{\"objectives\": [{\"name\": \"val_loss\"'");
    CHECK(code_of(reopen) == storage_errc::corrupt);
    CHECK_THAT(message_of(reopen), Catch::Contains("study 'mlp': column 'goals': objectives: not valid JSON"));
    testing::raw_sql(db,
                     "UPDATE studies SET goals = '{\"objectives\": [{\"name\": \"val_loss\", \"direction\": "
                     "\"maximize\"}, {\"name\": \"size\", \"direction\": \"minimize\"}]}'");
    CHECK_THAT(message_of(reopen), Catch::Contains("study 'mlp': column 'goals'") &&
                                       Catch::Contains("the first objective ('val_loss', maximize) is not the study's "
                                                       "objective ('val_loss', minimize)"));
    testing::raw_sql(db,
                     "UPDATE studies SET goals = '{\"objectives\": [{\"name\": \"val_loss\", \"direction\": "
                     "\"minimize\"}], \"constraints\": [{\"name\": \"c\", \"max\": \"lots\"}]}'");
    CHECK_THAT(message_of(reopen), Catch::Contains("constraint 1 ('c'): field 'max' must be a number"));
  }
  SECTION("attributes that are not an object of strings") {
    testing::raw_sql(db, "UPDATE studies SET attributes = '{\"seed\": 5}'");
    CHECK_THAT(message_of(reopen), Catch::Contains("study 'mlp': attribute 'seed' must be a string"));
  }
}

TEST_CASE("fuzzed records and space descriptions are rejected as corrupt, never misread") {
  temp_dir dir;
  const auto db = dir / "fuzz.db";
  cases::fuzzed_rows("sqlite://" + db.string(), [&](bool in_space, const std::string& text) {
    testing::raw_set_text(
        db, in_space ? "UPDATE studies SET space_json = ?1" : "UPDATE trials SET record = ?1 WHERE number = 1", text);
    return true;
  });
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
               Catch::Contains("newer typetune (schema version 7; this build reads up to 2)"));
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
    CHECK(code_of([&] { study_core(testing::mlp_space(), make_random_sampler(), options("new"), nullptr, storage); }) ==
          storage_errc::not_found);
    CHECK(testing::file_bytes(path) == bytes);
  }
}

namespace {

// The files beside a database that SQLite may create: its WAL, the WAL's index, a journal.
std::vector<std::string> files_beside(const std::filesystem::path& db) {
  std::vector<std::string> out;
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    auto side = db;
    side += suffix;
    if (std::filesystem::exists(side)) out.push_back(side.filename().string());
  }
  return out;
}

// The studies in the database file itself, read as immutable: what is not yet checkpointed from
// the WAL is not there.
int studies_in_file(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  const auto uri = "file:" + path.string() + "?immutable=1";
  REQUIRE(sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM studies", -1, &st, nullptr) == SQLITE_OK);
  const int out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST_CASE(
    "read-only opens write nothing: a one-shot read leaves no -wal or -shm, a reader that stays open sees writes") {
  temp_dir dir;
  const storage_options once{.create_if_missing = false, .read_only = true, .snapshot = true};
  const storage_options follow{.create_if_missing = false, .read_only = true};

  SECTION("a one-shot read of a database nobody writes creates nothing beside it") {
    // '?', '#' and '%' mean something in an SQLite URI: the path must be escaped in it.
    const auto path = dir / "odd ?name#1%41.db";
    make_study(path);
    REQUIRE(files_beside(path).empty());
    const auto bytes = testing::file_bytes(path);
    {
      const auto storage = open_sqlite_storage(path, once);
      REQUIRE(storage->list_studies().size() == 1);
      CHECK(storage->read_trials(storage->find_study("mlp")->id, 0).trials.size() == 6);
      CHECK(files_beside(path).empty());
    }
    CHECK(files_beside(path).empty());
    CHECK(testing::file_bytes(path) == bytes);
    // A reader that stays open reads the same file (SQLite keeps its -wal and -shm).
    CHECK(open_sqlite_storage(path, follow)->list_studies().size() == 1);
  }
  SECTION("while a worker writes, both readers see its committed writes, and the worker goes on") {
    const auto path = dir / "busy.db";
    make_study(path);
    const auto reader = open_sqlite_storage(path, follow);  // opened before the worker
    REQUIRE(reader->list_studies().size() == 1);
    const auto worker = open_sqlite_storage(path);
    testing::make_study(worker, "second");
    // The second study is in the WAL, which the connected worker keeps: a read of the file alone
    // (immutable) would not see it.
    REQUIRE_FALSE(files_beside(path).empty());
    CHECK(studies_in_file(path) == 1);
    CHECK(reader->list_studies().size() == 2);
    const auto once_reader = open_sqlite_storage(path, once);
    CHECK(once_reader->list_studies().size() == 2);
    // Readers do not block the worker.
    CHECK(worker->delete_study("mlp"));
    CHECK(reader->list_studies().size() == 1);
    CHECK(once_reader->list_studies().size() == 1);
  }
  SECTION("an empty file that must be a database is named as one and left empty") {
    const auto path = dir / "empty.db";
    { std::ofstream touch(path); }
    for (const auto& options : {once, follow, storage_options{.create_if_missing = false}}) {
      CHECK(code_of([&] { (void)open_sqlite_storage(path, options); }) == storage_errc::not_found);
      CHECK_THAT(message_of([&] { (void)open_sqlite_storage(path, options); }),
                 Catch::Contains("empty.db: an empty file (0 bytes), not a typetune database; nothing was changed"));
    }
    CHECK(std::filesystem::file_size(path) == 0);
    CHECK(files_beside(path).empty());
    // Where it may be created, an empty file (as mktemp makes) gets the schema.
    CHECK(open_sqlite_storage(path)->list_studies().empty());
    CHECK(std::filesystem::file_size(path) > 0);
  }
  SECTION("an SQLite database without tables is no typetune database where it must exist") {
    const auto path = dir / "bare.db";
    testing::raw_sql(path, "PRAGMA user_version = 7");
    const auto bytes = testing::file_bytes(path);
    REQUIRE_FALSE(bytes.empty());
    for (const auto& options : {once, storage_options{.create_if_missing = false}}) {
      CHECK(code_of([&] { (void)open_sqlite_storage(path, options); }) == storage_errc::not_found);
      CHECK_THAT(message_of([&] { (void)open_sqlite_storage(path, options); }),
                 Catch::Contains("an empty database, with no typetune studies"));
    }
    CHECK(testing::file_bytes(path) == bytes);
  }
}

TEST_CASE("a study with two objectives and a constraint is stored, continued and kept from other objectives") {
  temp_dir dir;
  cases::several_objectives("sqlite://" + (dir / "front.db").string());
}

namespace {

std::string schema_version_of(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT value FROM typetune_meta WHERE key = 'schema_version'", -1, &st, nullptr) ==
          SQLITE_OK);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace

// tests/storage/data/schema_v1.db was written by typetune at schema version 1 (commit 455c19f,
// before studies could have several objectives) with tests/cli/make_stored_study: "demo" (40
// trials of the tutorial MLP space: complete, pruned and failed ones, attributes set after the
// search) and "other" (5 trials).
TEST_CASE("a database of schema version 1 opens read-only unchanged, then migrates and resumes") {
  temp_dir dir;
  const auto path = dir / "v1.db";
  std::filesystem::copy_file(TYPETUNE_TEST_DATA "/storage/data/schema_v1.db", path);
  REQUIRE(schema_version_of(path) == "1");
  const auto bytes = testing::file_bytes(path);
  const auto space = describe(fashion_mlp::space);

  std::vector<std::string> before;
  {
    const auto reader = open_storage("sqlite://" + path.string() + "?mode=ro");
    const auto studies = reader->list_studies();
    REQUIRE(studies.size() == 2);
    CHECK(studies[0].info.name == "demo");
    CHECK(studies[0].info.extra_objectives.empty());
    CHECK(studies[0].info.attributes.at("gain_points") == "+1.22");
    CHECK(studies[0].info.space == space);
    before = lines(testing::records(reader->read_trials(studies[0].id, 0)), space);
    CHECK(before.size() == 40);
  }
  CHECK(testing::file_bytes(path) == bytes);  // read-only: no migration, nothing written
  CHECK(schema_version_of(path) == "1");

  // Opened for writing: migrated to this build's schema, the study continues under the options
  // that made it.
  auto o = options("demo", 7);
  study_core demo(space, make_random_sampler(), o, make_median_pruner({}), open_sqlite_storage(path));
  CHECK(schema_version_of(path) == std::to_string(sqlite_schema_version));
  auto after = lines(demo.trials(), space);
  REQUIRE(after.size() == 40);
  CHECK(after == before);
  CHECK(demo.attributes().at("test_accuracy") == "0.8912");
  const auto summary = demo.optimize([](trial_context& t) -> outcome { return bot(t) / 100.0; }, trials(5));
  CHECK(summary.trials_started == 5);
  const auto resumed = demo.trials();
  REQUIRE(resumed.size() == 45);
  CHECK(resumed[44].state == trial_state::complete);
  CHECK(lines(std::vector<trial_record>(resumed.begin(), resumed.begin() + 40), space) == before);
  // The new trials continue the stored random stream: proposal 40 onwards, not a repeat of 0.
  CHECK_FALSE(resumed[40].params == resumed[0].params);

  // A study with two objectives in the migrated file.
  auto two = options("two");
  two.extra_objectives = {{"parameters", direction::minimize}};
  study_core added(space, make_random_sampler(), two, nullptr, open_sqlite_storage(path));
  CHECK(added
            .optimize(
                [](trial_context& t) -> outcome {
                  return {{"val_loss", 1.0 / bot(t)}, {"parameters", bot(t)}};
                },
                trials(4))
            .trials_started == 4);
  CHECK(open_sqlite_storage(path)->find_study("two")->info.extra_objectives == two.extra_objectives);
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

  for (const char* bad :
       {"studies.db", "sqlite:/tmp/x.db", "sqlite://", "sqlite:///x.db?mode=wx", "sqlite:///x.db?cache=1",
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
  cases::asha_shared_snapshot(dir.url("asha.db"));
}
