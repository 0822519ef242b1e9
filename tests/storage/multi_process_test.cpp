// Many processes on one SQLite study: a worker killed with SIGKILL and the study resumed, four
// workers sharing 200 trials, and four workers sharing a 120-point grid (the cases themselves
// are in storage_cases.hpp, run on PostgreSQL too).
#include <catch2/catch.hpp>

#include <string>

#include "storage_cases.hpp"

using namespace typetune;
using testing::temp_dir;
namespace cases = testing::cases;

namespace {
const std::string worker_program = TYPETUNE_STORAGE_WORKER;
}  // namespace

TEST_CASE("a worker killed with SIGKILL mid-study: finished trials intact, the killed one re-run alike") {
  temp_dir dir;
  cases::crash_and_resume(worker_program, dir.url("crash.db"), dir.path());
}

TEST_CASE("the study budget spent, the last trial's worker killed: a waiting worker re-runs it, nothing left running") {
  temp_dir dir;
  cases::budget_spent_then_killed(worker_program, dir.url("last.db"), dir.path());
}

TEST_CASE("4 processes x 50 trials on one SQLite file: 200 distinct trials, none lost or duplicated") {
  temp_dir dir;
  cases::shared_trials(worker_program, dir.url("shared.db"));
}

TEST_CASE("a grid over 120 points shared by 4 processes: each point evaluated exactly once") {
  temp_dir dir;
  cases::shared_grid(worker_program, dir.url("grid.db"));
}

TEST_CASE("ask/tell from 2 processes x 30 trials on one SQLite file: 60 distinct trials with their reports and metrics") {
  temp_dir dir;
  cases::shared_trials(worker_program, dir.url("ask_tell.db"), 2, 30, true);
}

TEST_CASE("ask/tell from 2 processes over a 120-point grid: each point told exactly once") {
  temp_dir dir;
  cases::shared_grid(worker_program, dir.url("ask_tell_grid.db"), 2, true);
}
