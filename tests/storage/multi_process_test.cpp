// Many processes on one SQLite study: a worker killed with SIGKILL and the study resumed, four
// workers sharing 200 trials, and four workers sharing a 120-point grid.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "storage_support.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/storage/open_storage.hpp"

using namespace typetune;
using testing::child_process;
using testing::temp_dir;

namespace {

const std::string worker_program = TYPETUNE_STORAGE_WORKER;

std::vector<trial_record> stored_trials(const std::string& url, const std::string& study) {
  const auto storage = open_storage(url);
  const auto record = storage->find_study(study);
  REQUIRE(record);
  return storage->read_trials(record->id, 0).trials;
}

space_desc stored_space(const std::string& url, const std::string& study) {
  return open_storage(url)->find_study(study)->info.space;
}

}  // namespace

TEST_CASE("a worker killed with SIGKILL mid-study: finished trials intact, the killed one re-run alike") {
  temp_dir dir;
  const auto url = dir.url("crash.db");
  const auto marker = (dir / "hung").string();
  std::map<std::uint64_t, std::string> finished;
  trial_record killed;
  {
    child_process worker(worker_program, {url, "crash", "real", "20", "--sleep-ms", "5", "--hang-at", "6", marker});
    REQUIRE(testing::wait_for_file(marker, std::chrono::seconds(120)));
    worker.kill_now();

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
  child_process resumed(worker_program, {url, "crash", "real", "20"});
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

TEST_CASE("4 processes x 50 trials on one SQLite file: 200 distinct trials, none lost or duplicated") {
  temp_dir dir;
  const auto url = dir.url("shared.db");
  std::vector<std::unique_ptr<child_process>> workers;
  for (int w = 0; w < 4; ++w) {
    workers.push_back(std::make_unique<child_process>(worker_program,
                                                      std::vector<std::string>{url, "shared", "real", "50", "--sleep-ms", "2"}));
  }
  for (auto& w : workers) CHECK(w->wait(std::chrono::seconds(180)) == 0);

  const auto all = stored_trials(url, "shared");
  REQUIRE(all.size() == 200);
  std::set<assignment::values_type> distinct;
  std::map<std::string, int> per_worker;
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].number == i);
    CHECK(all[i].state == trial_state::complete);
    distinct.insert(all[i].params.values);
    ++per_worker[all[i].worker];
  }
  CHECK(distinct.size() == 200);  // each trial its own proposal: no two alike
  CHECK(per_worker.size() == 4);
  for (const auto& [worker, count] : per_worker) CHECK(count == 50);
}

TEST_CASE("a grid over 120 points shared by 4 processes: each point evaluated exactly once") {
  temp_dir dir;
  const auto url = dir.url("grid.db");
  std::vector<std::unique_ptr<child_process>> workers;
  for (int w = 0; w < 4; ++w) {
    workers.push_back(std::make_unique<child_process>(worker_program,
                                                      std::vector<std::string>{url, "grid", "grid", "1000", "--sleep-ms", "2"}));
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
