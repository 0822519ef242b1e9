// The PostgreSQL backend on a real server (started by scripts/pg-test-server.sh as a CTest
// fixture), each test in a fresh database: the cases every shared backend runs
// (storage_cases.hpp: round trip, resume, mismatched and changed studies, ASHA over two
// connections, fuzzed rows, stale trials, a worker killed with SIGKILL, 4 processes x 50 trials,
// a 120-point grid over 4 processes), and what is PostgreSQL's own: hand-corrupted rows (in its
// SQL, through libpq), foreign databases, newer schemas, missing databases, URLs.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <utility>

#include "postgres_support.hpp"
#include "storage/storage_cases.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/study_core.hpp"
#include "typetune/storage/open_storage.hpp"
#include "typetune/storage/postgres_storage.hpp"

using namespace typetune;
using testing::code_of;
using testing::message_of;
using testing::options;
using testing::pg_database;
using testing::temp_dir;
namespace cases = testing::cases;

namespace {
const std::string worker_program = TYPETUNE_STORAGE_WORKER;
}  // namespace

TEST_CASE("a study round-trips through PostgreSQL: every field, seed, worker and memory") {
  pg_database db;
  cases::round_trip(db.url());
}

TEST_CASE("re-opening a PostgreSQL study continues it: trials kept, a grid goes on where it stopped") {
  pg_database db;
  cases::resume(db.url());
}

TEST_CASE(
    "two workers on one PostgreSQL study asking in turn: proposals made once after the first clash, the grid in order") {
  pg_database db;
  cases::interleaved_workers(db.url());
}

TEST_CASE("two studies on one PostgreSQL study with a shared budget of 30 trials create exactly 30, then both end") {
  pg_database db;
  cases::shared_study_budget(db.url());
}

TEST_CASE("PostgreSQL: attributes set after the search are merged, read back and kept from the engine's keys",
          "[attributes]") {
  pg_database db;
  const auto url = db.url();
  cases::study_attributes([&] { return open_storage(url); }, url);
}

TEST_CASE(
    "PostgreSQL: a study with two objectives and a constraint is stored, continued and kept from other objectives") {
  pg_database db;
  cases::several_objectives(db.url());
}

// A database as schema version 1 left it (no 'goals' column; made here from this build's by
// taking the column away): read-only it is read unchanged, opened for writing it is migrated and
// its study continues.
TEST_CASE("PostgreSQL: a database of schema version 1 opens read-only unchanged, then migrates and resumes") {
  pg_database db;
  testing::make_study(open_storage(db.url()));
  db.sql("ALTER TABLE studies DROP COLUMN goals; UPDATE typetune_meta SET value = '1' WHERE key = 'schema_version'");
  const auto before = db.dump();
  {
    const auto reader = open_storage(db.url() + "?mode=ro");
    REQUIRE(reader->list_studies().size() == 1);
    CHECK(reader->read_trials(reader->find_study("mlp")->id, 0).trials.size() == 6);
  }
  CHECK(db.dump() == before);
  study_core study(testing::mlp_space(), make_random_sampler(), options("mlp"), nullptr, open_storage(db.url()));
  CHECK(study.trials().size() == 6);
  CHECK(
      study.optimize([](trial_context& t) -> outcome { return testing::bot(t); }, testing::trials(2)).trials_started ==
      2);
  CHECK(study.trials().size() == 8);
  CHECK(db.dump() != before);
  auto two = options("two");
  two.extra_objectives = {{"parameters", direction::minimize}};
  study_core added(testing::mlp_space(), make_random_sampler(), two, nullptr, open_storage(db.url()));
  CHECK(open_storage(db.url())->find_study("two")->info.extra_objectives == two.extra_objectives);
}

TEST_CASE("PostgreSQL: a stale running trial is re-queued with its parameters and seed, and failed after its retries") {
  pg_database db;
  cases::stale_trials(db.url());
}

TEST_CASE("PostgreSQL: a worker killed with SIGKILL mid-study, finished trials intact, the killed one re-run alike") {
  pg_database db;
  temp_dir scratch;
  cases::crash_and_resume(worker_program, db.url(), scratch.path());
}

TEST_CASE("PostgreSQL: the study budget spent, the last trial's worker killed, a waiting worker re-runs it") {
  pg_database db;
  temp_dir scratch;
  cases::budget_spent_then_killed(worker_program, db.url(), scratch.path());
}

TEST_CASE("4 processes x 50 trials on one PostgreSQL study: 200 distinct trials, none lost or duplicated") {
  pg_database db;
  cases::shared_trials(worker_program, db.url());
}

TEST_CASE("PostgreSQL: a grid over 120 points shared by 4 processes, each point evaluated exactly once") {
  pg_database db;
  cases::shared_grid(worker_program, db.url());
}

TEST_CASE("PostgreSQL: re-opening with another direction, metric or seed is refused, naming it") {
  pg_database db;
  cases::mismatched_reopen(db.url());
}

TEST_CASE("PostgreSQL: a changed space is refused with the change named, unless a compatible change is allowed") {
  pg_database db;
  cases::changed_space(db.url());
}

TEST_CASE("PostgreSQL: ASHA decides from the shared snapshot: another worker's trials count at each rung") {
  pg_database db;
  cases::asha_shared_snapshot(db.url());
}

TEST_CASE("PostgreSQL: fuzzed records and space descriptions are rejected as corrupt, never misread") {
  pg_database db;
  cases::fuzzed_rows(db.url(), [&](bool in_space, const std::string& text) {
    try {
      db.sql(in_space ? "UPDATE studies SET space_json = $1" : "UPDATE trials SET record = $1 WHERE number = 1",
             {text});
      return true;
    } catch (const std::runtime_error&) {
      return false;  // PostgreSQL refuses text that is not UTF-8
    }
  });
}

TEST_CASE("PostgreSQL: hand-corrupted rows are rejected with errors naming the trial and the field") {
  pg_database db;
  testing::make_study(open_storage(db.url()));
  const auto read_all = [&] {
    const auto storage = open_storage(db.url());
    (void)storage->read_trials(storage->find_study("mlp")->id, 0);
  };
  const auto reopen = [&] {
    study_core(testing::mlp_space(), make_random_sampler(), options("mlp"), nullptr, open_storage(db.url()));
  };
  REQUIRE_NOTHROW(read_all());

  SECTION("a state column that names no state, or disagrees with the record") {
    db.sql("UPDATE trials SET state = '7' WHERE number = 0");
    CHECK(code_of(read_all) == storage_errc::corrupt);
    CHECK_THAT(message_of(read_all), Catch::Contains("study 'mlp', trial 0: unknown state '7'"));
    db.sql("UPDATE trials SET state = 'pruned' WHERE number = 0");
    CHECK_THAT(message_of(read_all), Catch::Contains("trial 0: column 'state' says pruned, its record says complete"));
  }
  SECTION("a parameter value of the wrong type") {
    db.sql(
        "UPDATE trials SET record = jsonb_set(record::jsonb, '{params,dense_bot}', '\"big\"')::text WHERE number = 2");
    CHECK_THAT(message_of(read_all),
               Catch::Contains("trial 2: its record does not read back: parameter 'dense_bot' must be an integer"));
  }
  SECTION("an unknown parameter") {
    db.sql("UPDATE trials SET record = jsonb_set(record::jsonb, '{params,bogus}', '1')::text WHERE number = 3");
    CHECK_THAT(message_of(read_all), Catch::Contains("trial 3") && Catch::Contains("unknown parameter 'bogus'"));
  }
  SECTION("a value outside its range") {
    db.sql("UPDATE trials SET record = jsonb_set(record::jsonb, '{params,dense_bot}', '9999')::text WHERE number = 4");
    CHECK(code_of(reopen) == storage_errc::corrupt);
    CHECK_THAT(message_of(reopen), Catch::Contains("trial 4") && Catch::Contains("'dense_bot'"));
  }
  SECTION("a record that is not JSON, or numbered otherwise") {
    db.sql("UPDATE trials SET record = substr(record, 1, 30) WHERE number = 5");
    CHECK_THAT(message_of(read_all), Catch::Contains("trial 5: its record does not read back: not valid JSON ("));
    db.sql("UPDATE trials SET record = (SELECT record FROM trials WHERE number = 0) WHERE number = 5");
    CHECK_THAT(message_of(read_all), Catch::Contains("trial 5: its record says trial 0"));
  }
  SECTION("bytes that are no JSON at all") {
    db.sql("UPDATE trials SET record = $1 WHERE number = 1", {std::string("\x01\x7f{[\"", 5)});
    CHECK(code_of(read_all) == storage_errc::corrupt);
    CHECK_THAT(message_of(read_all), Catch::Contains("study 'mlp', trial 1: its record does not read back"));
  }
  SECTION("a truncated space description") {
    db.sql("UPDATE studies SET space_json = substr(space_json, 1, 60)");
    CHECK(code_of(reopen) == storage_errc::corrupt);
    CHECK_THAT(message_of(reopen), Catch::Contains("study 'mlp': its stored space description does not read back"));
  }
  SECTION("a space hash that disagrees with the description") {
    db.sql("UPDATE studies SET space_hash = '0123456789abcdef'");
    CHECK_THAT(message_of(reopen), Catch::Contains("column 'space_hash' says 0123456789abcdef"));
  }
  SECTION("attributes that are not an object of strings") {
    db.sql("UPDATE studies SET attributes = '{\"seed\": 5}'");
    CHECK_THAT(message_of(reopen), Catch::Contains("study 'mlp': attribute 'seed' must be a string"));
  }
  SECTION("a negative counter") {
    db.sql("UPDATE studies SET next_number = -3");
    CHECK(code_of(reopen) == storage_errc::corrupt);
    CHECK_THAT(message_of(reopen), Catch::Contains("column 'next_number' is negative (-3)"));
  }
}

TEST_CASE("PostgreSQL databases that are not typetune's, and newer schemas, are refused and left unchanged") {
  pg_database db;
  SECTION("another program's database") {
    db.sql("CREATE TABLE users (id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'ada');");
    const auto before = db.dump();
    CHECK(code_of([&] { (void)open_storage(db.url()); }) == storage_errc::not_typetune);
    CHECK_THAT(message_of([&] { (void)open_storage(db.url()); }),
               Catch::Contains("not typetune's (its schema has the tables users and no typetune_meta)") &&
                   Catch::Contains("nothing was changed"));
    CHECK(db.dump() == before);
  }
  SECTION("a typetune_meta that is not typetune's") {
    db.sql("CREATE TABLE typetune_meta (key TEXT, value TEXT); INSERT INTO typetune_meta VALUES ('format', 'other');");
    const auto before = db.dump();
    CHECK(code_of([&] { (void)open_storage(db.url()); }) == storage_errc::not_typetune);
    CHECK(db.dump() == before);
  }
  SECTION("a typetune database of a newer schema") {
    testing::make_study(open_storage(db.url()));
    db.sql("UPDATE typetune_meta SET value = '7' WHERE key = 'schema_version'");
    const auto before = db.dump();
    CHECK(code_of([&] { (void)open_storage(db.url()); }) == storage_errc::newer_schema);
    CHECK_THAT(message_of([&] { (void)open_postgres_storage(db.url()); }),
               Catch::Contains("newer typetune (schema version 7; this build reads up to 2)"));
    CHECK(db.dump() == before);
  }
  SECTION("an empty database, when it must hold studies already") {
    CHECK(code_of([&] { (void)open_storage(db.url() + "?mode=rw"); }) == storage_errc::not_found);
    CHECK(code_of([&] { (void)open_storage(db.url() + "?mode=ro"); }) == storage_errc::not_found);
    CHECK(db.dump().empty());
  }
  SECTION("a database that does not exist") {
    const auto missing = testing::with_database(db.url(), "typetune_no_such_database");
    CHECK(code_of([&] { (void)open_storage(missing); }) == storage_errc::not_found);
    CHECK_THAT(message_of([&] { (void)open_storage(missing); }),
               Catch::Contains("cannot connect to the PostgreSQL server"));
  }
  SECTION("read only: reads, refuses to create a study, writes nothing") {
    testing::make_study(open_storage(db.url()));
    const auto before = db.dump();
    const auto storage = open_storage(db.url() + "?mode=ro");
    REQUIRE(storage->list_studies().size() == 1);
    CHECK(storage->read_trials(storage->find_study("mlp")->id, 0).trials.size() == 6);
    CHECK(code_of([&] { study_core(testing::mlp_space(), make_random_sampler(), options("new"), nullptr, storage); }) ==
          storage_errc::not_found);
    CHECK(db.dump() == before);
  }
}

TEST_CASE("PostgreSQL: two connections opening one new study name get the same study") {
  pg_database db;
  const auto first = open_storage(db.url());
  const auto second = open_storage(db.url());
  study_info info;
  info.name = "same";
  info.space = testing::mlp_space();
  const auto a = first->open_study(info);
  const auto b = second->open_study(info);
  CHECK(a.id == b.id);
  CHECK(second->list_studies().size() == 1);
}

TEST_CASE("PostgreSQL storage URLs") {
  const auto url = parse_storage_url("postgres://u:secret@db.example:5433/studies?mode=rw&sslmode=require&timeout=2");
  CHECK(url.scheme == "postgresql");
  CHECK(url.rest == "//u:secret@db.example:5433/studies?sslmode=require");
  CHECK_FALSE(url.options.create_if_missing);
  CHECK(url.options.busy_timeout == std::chrono::milliseconds(2000));
  CHECK(code_of([] { (void)open_storage("postgresql:/studies"); }) == storage_errc::bad_url);
  CHECK(code_of([] { (void)open_storage("postgresql://h/db?mode=wx"); }) == storage_errc::bad_url);
  // Nothing listens on port 1: a clear error, and the password is not repeated.
  const auto refused = message_of([] { (void)open_storage("postgresql://u:secret@127.0.0.1:1/studies"); });
  CHECK_THAT(refused,
             Catch::Contains("postgresql://u:***@127.0.0.1:1/studies: cannot connect to the PostgreSQL server"));
  CHECK_THAT(refused, !Catch::Contains("secret"));
  CHECK(code_of([] { (void)open_storage("postgresql://127.0.0.1:1/studies"); }) == storage_errc::io);
  pg_database db;
  const auto storage = open_storage(db.url());
  CHECK(storage->shared());
  CHECK(storage->url() == db.url());
}

// --- a database that goes away: a server of the test's own (scripts/pg-test-server.sh), paused

namespace {

// A PostgreSQL server for one test, stopped and removed at the end.
class own_server {
 public:
  own_server() {
    if (std::system(("'" + script_ + "' start '" + dir_.path().string() + "' > /dev/null").c_str()) != 0) {
      throw std::runtime_error("could not start a PostgreSQL server with " + script_);
    }
    std::ifstream in(dir_.path().string() + "/url");
    std::getline(in, url_);
  }
  ~own_server() { (void)std::system(("'" + script_ + "' stop '" + dir_.path().string() + "' > /dev/null").c_str()); }
  own_server(const own_server&) = delete;
  own_server& operator=(const own_server&) = delete;

  [[nodiscard]] const std::string& url() const { return url_; }
  // Stops the server at once (as a crash would) and starts it again after `seconds`; whether
  // that worked. Tests call it from a thread of their own, so it asserts nothing (Catch is not
  // thread-safe): they check the result once the thread is joined.
  [[nodiscard]] bool pause(double seconds) const {
    const auto command = "'" + script_ + "' pause '" + dir_.path().string() + "' " + std::to_string(seconds) +
                         " > /dev/null";
    return std::system(command.c_str()) == 0;
  }

 private:
  std::string script_ = TYPETUNE_PG_SERVER_SCRIPT;
  temp_dir dir_;
  std::string url_;
};

// An objective that trains 8 "epochs" of 25 ms, reporting after each.
outcome epochs(trial_context& t) {
  double value = testing::bot(t) / 350.0;
  for (std::int64_t epoch = 1; epoch <= 8; ++epoch) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    value *= 0.9;
    t.report(epoch, value);
    if (t.should_prune()) return outcome::pruned();
  }
  return value;
}

}  // namespace

TEST_CASE("PostgreSQL: a server that stops for a second mid-study costs no trial: 2 workers end with the budget") {
  own_server server;
  auto o = options("hiccup");
  study_core study(testing::mlp_space(), make_random_sampler(), o, nullptr, open_storage(server.url()));
  bool paused = false;
  std::thread pause([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    paused = server.pause(1.0);
  });
  const auto summary = study.optimize(epochs, {.max_trials = 16, .time_limit = std::nullopt, .workers = 2});
  pause.join();
  REQUIRE(paused);
  CHECK(summary.trials_started == 16);
  const auto trials = study.trials();
  REQUIRE(trials.size() == 16);
  for (const auto& t : trials) {
    INFO("trial " << t.number << ": " << to_string(t.state) << " " << t.message);
    CHECK(t.state == trial_state::complete);
    CHECK(t.intermediate.size() == 8);
  }
  // What another process reads back: the same 16 complete trials.
  const auto stored = testing::records(open_storage(server.url())->read_trials(study.study_id(), 0));
  REQUIRE(stored.size() == 16);
  for (const auto& t : stored) CHECK(t.state == trial_state::complete);
}

TEST_CASE("PostgreSQL: a server that stays away ends the run with the storage error and fails none of its trials") {
  own_server server;
  auto o = options("outage");
  o.storage_retry = std::chrono::milliseconds(800);
  std::uint64_t id = 0;
  {
    study_core study(testing::mlp_space(), make_random_sampler(), o, nullptr, open_storage(server.url()));
    id = study.study_id();
    bool paused = false;
    std::thread pause([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      paused = server.pause(3.0);
    });
    std::string error;
    try {
      (void)study.optimize(epochs, {.max_trials = 40, .time_limit = std::nullopt, .workers = 2});
    } catch (const storage_error& e) { error = e.what(); }
    pause.join();
    REQUIRE(paused);
    CHECK_THAT(error, Catch::Contains("of retries; study_options::storage_retry"));
  }
  // Back up: nothing was recorded as failed; what ran when the server went away is running or
  // back in the queue (the study gave it back when it ended), to be run again.
  const auto stored = testing::records(open_storage(server.url())->read_trials(id, 0));
  REQUIRE_FALSE(stored.empty());
  std::size_t unfinished = 0;
  for (const auto& t : stored) {
    INFO("trial " << t.number << ": " << to_string(t.state) << " " << t.message);
    CHECK(t.state != trial_state::failed);
    if (t.state == trial_state::running || t.state == trial_state::waiting) ++unfinished;
  }
  CHECK(unfinished >= 1);
}

TEST_CASE("PostgreSQL: a server that accepts connections and never answers is given up on after connect_timeout") {
  // A listening socket that nobody serves: the kernel completes the TCP handshake, and the
  // startup message is never answered.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  REQUIRE(::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 8) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const auto port = std::to_string(ntohs(address.sin_port));
  for (const auto& [query, limit] : {std::pair<std::string, double>{"?connect_timeout=2", 6.0}, {"", 14.0}}) {
    INFO("query '" << query << "'");
    const auto start = std::chrono::steady_clock::now();
    CHECK(code_of([&] { (void)open_storage("postgresql://typetune@127.0.0.1:" + port + "/postgres" + query); }) ==
          storage_errc::io);
    const std::chrono::duration<double> waited = std::chrono::steady_clock::now() - start;
    CHECK(waited.count() < limit);
  }
  ::close(listener);
}
