// Where studies keep their trials, for one process or many: the interface every backend
// implements (memory here; SQLite and PostgreSQL in their own targets) and its error type.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "typetune/desc/space_desc.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/desc/trial.hpp"

namespace typetune {

// What went wrong, for code that reacts to it (the command line's exit status, a retry).
enum class storage_errc : std::uint8_t {
  bad_url,         // a URL no backend reads
  not_found,       // no such file, database or study
  not_typetune,    // a database (or file) that typetune did not create
  newer_schema,    // written by a newer typetune
  corrupt,         // a stored row or description that does not read back (names the row and field)
  study_mismatch,  // re-opened with another space, direction, metric or seed
  io,              // the backend failed (disk full, permission, lock timeout)
};

[[nodiscard]] std::string_view to_string(storage_errc e);

// Thrown by every backend. The message names the database, the study, the trial and the field
// where there is one; nothing has been written when it is thrown from an open or a read.
class storage_error : public std::runtime_error {
 public:
  storage_error(storage_errc code, const std::string& what) : std::runtime_error(what), code_(code) {}
  [[nodiscard]] storage_errc code() const noexcept { return code_; }

 private:
  storage_errc code_;
};

// The attributes the study writes when it creates a study and compares when it re-opens one:
// set_study_attributes refuses to change them.
inline constexpr std::string_view engine_attribute_keys[] = {"objective", "seed", "sampler"};

// What every backend's set_study_attributes does once it holds the stored attributes: checks
// `given` against the engine's keys (throws storage_error study_mismatch naming the first key
// whose value would change, with `where` in front: "typetune: sqlite:///x.db: study 'mlp'"),
// then merges it into `stored`.
void merge_study_attributes(std::map<std::string, std::string>& stored, const std::map<std::string, std::string>& given,
                            const std::string& where);

// A study as stored: its identity (name), direction, space and free-form attributes (the study
// records "objective", "seed" and "sampler" there), and the counters a backend keeps for it.
struct study_record {
  std::uint64_t id = 0;            // the backend's key; stable while the study exists
  study_info info;                 // name, direction, space, attributes
  std::string space_hash;          // info.space.hash_text() when it was stored
  double created_time = 0;         // Unix seconds
  std::uint64_t trial_count = 0;   // numbers handed out so far (0 .. trial_count - 1)
  std::uint64_t proposals = 0;     // sampler proposals handed out so far (see create_trial)
};

// A running trial as its worker holds it: the number, and which attempt it is (a trial re-queued
// after its worker died runs again as attempt + 1). Writes with a lease whose attempt is over
// are refused, so a worker that was presumed dead cannot overwrite the re-run.
struct trial_lease {
  std::uint64_t number = 0;
  std::uint32_t attempt = 0;
  friend bool operator==(const trial_lease&, const trial_lease&) = default;
};

// Trials written after a version: a snapshot read. Versions grow by one with every write to a
// study's trials (creation, report, metric, finish, re-queue), so a reader that keeps the last
// version it saw reads only what changed since.
struct trial_delta {
  std::vector<shared_trial> trials;  // ordered by number
  std::uint64_t version = 0;         // the study's version this snapshot is as of
  std::uint64_t proposals = 0;       // the study's sampler proposal counter as of it (0: not read)
};

// What create_trial passes to the engine while it holds the study's write lock.
struct proposal_slot {
  std::uint64_t number = 0;    // the new trial's number
  std::uint64_t proposal = 0;  // the study's next sampler proposal index
  const trial_delta& changes;  // trials changed since the caller's version, up to now
};

// What the engine proposes for the new trial.
struct new_trial {
  assignment params;
  std::uint64_t seed = 0;
  // Sampler proposal indices this trial used up: 1 for a sampled trial, 0 for a configuration
  // the program enqueued. The store advances the study's proposal counter by it, in the same
  // transaction, so no proposal index (a grid point) is ever handed out twice.
  std::uint64_t proposals_used = 1;
};

struct created_trial {
  // The new (or re-queued, now claimed) running trial; null when the proposer returned nullopt
  // and no waiting trial existed.
  shared_trial trial;
  trial_lease lease;
  bool was_waiting = false;    // a re-queued trial claimed again, not a new one
  trial_delta changes;         // since the caller's version, the created trial included
  std::uint64_t proposals = 0; // the study's proposal counter after this call
};

// How a trial ended: what an objective call gave (study_core::evaluate: the state, the value and
// any message) and, once the worker records it, how long it ran and its peak memory.
struct trial_result {
  trial_state state = trial_state::complete;
  std::optional<double> value;
  std::string message;
  double duration_s = 0;
  std::uint64_t peak_rss_bytes = 0;

  // Writes this end into the trial's record: what every backend's finish() stores, and what
  // the study's own copy of the trial records.
  void apply_to(trial_record& t) const {
    t.state = state;
    t.value = value;
    t.message = message;
    t.duration_s = duration_s;
    t.peak_rss_bytes = peak_rss_bytes;
  }
};

// A running trial as the stale-trial scan sees it.
struct running_trial {
  trial_lease lease;
  std::string worker;        // "host:pid"
  double heartbeat = 0;      // Unix seconds of the last heartbeat (the start, before the first)
};

// A running trial to take back from its worker, and why ("worker h:12 stopped sending
// heartbeats 75 s ago").
struct stale_trial {
  trial_lease lease;
  std::string reason;
};

struct requeued_trial {
  std::uint64_t number = 0;
  trial_state state = trial_state::waiting;  // waiting (runs again) or failed (out of retries)
};

using trial_proposer = std::function<std::optional<new_trial>(const proposal_slot&)>;

// Every member may be called from several threads of one process, and from many processes at
// once where the backend is shared (SQLite, PostgreSQL): each call is one transaction.
class trial_storage {
 public:
  virtual ~trial_storage() = default;

  // "memory:", "sqlite:///abs/path.db", ...: where the studies are, for messages.
  [[nodiscard]] virtual std::string url() const = 0;
  // Whether other processes can share it: then running trials send heartbeats and stale ones
  // are looked for. False for the in-memory store.
  [[nodiscard]] virtual bool shared() const noexcept = 0;

  // --- studies
  // The study named info.name, created from `info` if there is none (atomically: two processes
  // opening the same new name get the same study). An existing study is returned as stored; the
  // caller compares it with what it wanted.
  [[nodiscard]] virtual study_record open_study(const study_info& info) = 0;
  [[nodiscard]] virtual std::optional<study_record> find_study(std::string_view name) = 0;
  [[nodiscard]] virtual std::vector<study_record> list_studies() = 0;  // by name
  // Deletes the study and its trials; false when there was none.
  virtual bool delete_study(std::string_view name) = 0;
  // Replaces the study's space with `space`, moving every stored trial across
  // (migrate_assignment); throws storage_error (study_mismatch) naming the first trial that does
  // not fit, and then changes nothing.
  virtual void change_space(std::uint64_t study, const space_desc& space) = 0;
  // Merges `attributes` into the study's stored ones, in one transaction (read, merge, write):
  // a given key replaces its stored value, other stored keys stay. Figures a program computes
  // after the search ("test_accuracy", "gain_points") are kept this way. Throws storage_error
  // study_mismatch, changing nothing, when a value of a key the engine owns (engine_attribute_keys)
  // would change, and not_found for an unknown study.
  virtual void set_study_attributes(std::uint64_t study, const std::map<std::string, std::string>& attributes) = 0;

  // --- trials
  // The atomic "create the next trial". In one transaction: a waiting (re-queued) trial, the
  // lowest-numbered, is claimed if there is one (`propose` is not called); otherwise `propose`
  // is called with the next number, the next proposal index and the trials changed since
  // `since`, and what it returns is stored as a new running trial (start_time `now`, worker
  // `worker`). `propose` runs while the study is locked for writing: keep it short, do not
  // call back into the store, and throw to abandon the creation (nothing is written).
  [[nodiscard]] virtual created_trial create_trial(std::uint64_t study, std::uint64_t since, std::string_view worker,
                                                   double now, const trial_proposer& propose) = 0;
  // The study's trials changed after version `since` (all of them for 0), ordered by number.
  [[nodiscard]] virtual trial_delta read_trials(std::uint64_t study, std::uint64_t since) = 0;

  // Writes to a running trial. Each returns false, writing nothing, when the lease is over (the
  // trial was re-queued or ended by someone else); throws storage_error for anything else.
  virtual bool report(std::uint64_t study, trial_lease lease, std::int64_t step, double value) = 0;
  virtual bool set_metric(std::uint64_t study, trial_lease lease, std::string_view name, double value) = 0;
  virtual bool finish(std::uint64_t study, trial_lease lease, const trial_result& result) = 0;

  // --- liveness
  // Marks the leased trials alive at `now`; leases that are over are skipped.
  virtual void heartbeat(std::uint64_t study, std::span<const trial_lease> leases, double now) = 0;
  [[nodiscard]] virtual std::vector<running_trial> running_trials(std::uint64_t study) = 0;
  // Takes the given running trials back from their workers: each becomes waiting (attempt + 1,
  // same parameters and seed, intermediate values and metrics cleared, `reason` kept as its
  // message) or, when it has already been retried max_retries times, failed. Trials whose lease
  // is over by now are skipped.
  virtual std::vector<requeued_trial> requeue(std::uint64_t study, std::span<const stale_trial> trials,
                                              std::uint32_t max_retries) = 0;
};

// The in-memory store: one process, nothing kept after it ends.
[[nodiscard]] std::shared_ptr<trial_storage> make_memory_storage();

// "host:pid" of this process, as trials record their worker, followed after a space by the
// scheduler's name for it when there is one: " slurm:JOB_TASK" for a Slurm array task
// (SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID), " slurm:JOB" for another Slurm job (SLURM_JOB_ID),
// " k8s-index:N" for a Kubernetes Indexed Job's pod (JOB_COMPLETION_INDEX; the pod's name is
// its host name).
[[nodiscard]] std::string this_worker();

}  // namespace typetune
