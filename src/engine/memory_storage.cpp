// The in-memory store: studies and their trials in maps and vectors, one mutex for all. It
// keeps the same contract as the shared backends (versions, leases, re-queueing), so the engine
// has one code path.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "typetune/desc/space_diff.hpp"
#include "typetune/engine/trial_storage.hpp"

namespace typetune {
namespace {

// A trial as the store keeps it. The record is shared with the studies that read it (through
// trial_delta) once it has ended: finished trials never change, so the store, the study's cache
// and the sampler's snapshot hold one copy. Running and waiting trials, which still change, are
// handed out as copies, so that the store changes its own in place.
struct stored_trial {
  std::shared_ptr<trial_record> shared = std::make_shared<trial_record>();
  std::uint32_t attempt = 0;
  double heartbeat = 0;
  std::uint64_t version = 0;

  [[nodiscard]] const trial_record& record() const { return *shared; }
  // The record to change: a copy first if a reader holds this one (copy on write).
  trial_record& edit() {
    if (shared.use_count() > 1) shared = std::make_shared<trial_record>(*shared);
    return *shared;
  }
  // The record as a reader gets it: the shared one once it can no longer change.
  [[nodiscard]] shared_trial hand_out() const {
    const auto state = shared->state;
    if (state == trial_state::running || state == trial_state::waiting) return std::make_shared<const trial_record>(*shared);
    return shared;
  }
};

struct memory_study {
  study_record record;
  std::vector<stored_trial> trials;  // indexed by number
  std::uint64_t version = 0;
  // (version, trial number) of every write, in version order; an entry is current while its
  // trial's version is still that version. Rebuilt from the trials once stale entries are half
  // of it: 16 bytes a trial instead of a map node per trial.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> writes;
  std::size_t waiting = 0;  // trials in state waiting

  // Gives trial `number` the study's next version.
  void touch(std::uint64_t number) {
    auto& t = trials[number];
    t.version = ++version;
    writes.emplace_back(t.version, number);
    if (writes.size() > 2 * trials.size() + 64) {
      writes.clear();
      for (std::uint64_t i = 0; i < trials.size(); ++i)
        if (trials[i].version != 0) writes.emplace_back(trials[i].version, i);
      std::sort(writes.begin(), writes.end());
    }
  }
};

class memory_storage final : public trial_storage {
 public:
  std::string url() const override { return "memory:"; }
  bool shared() const noexcept override { return false; }

  study_record open_study(const study_info& info) override {
    std::lock_guard lock(mutex_);
    if (auto* s = by_name(info.name)) return snapshot(*s);
    memory_study s;
    s.record.id = next_id_++;
    s.record.info = info;
    s.record.space_hash = info.space.hash_text();
    s.record.created_time =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const auto id = s.record.id;
    studies_.emplace(id, std::move(s));
    return snapshot(studies_.at(id));
  }

  std::optional<study_record> find_study(std::string_view name) override {
    std::lock_guard lock(mutex_);
    if (auto* s = by_name(name)) return snapshot(*s);
    return std::nullopt;
  }

  std::vector<study_record> list_studies() override {
    std::lock_guard lock(mutex_);
    std::vector<study_record> out;
    for (const auto& [id, s] : studies_) out.push_back(snapshot(s));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.info.name < b.info.name; });
    return out;
  }

  bool delete_study(std::string_view name) override {
    std::lock_guard lock(mutex_);
    auto* s = by_name(name);
    if (s == nullptr) return false;
    studies_.erase(s->record.id);
    return true;
  }

  void change_space(std::uint64_t study, const space_desc& space) override {
    std::lock_guard lock(mutex_);
    auto& s = get(study);
    std::vector<assignment> moved;
    for (const auto& t : s.trials) {
      try {
        moved.push_back(migrate_assignment(t.record().params, s.record.info.space, space));
      } catch (const assignment_error& e) {
        throw storage_error(storage_errc::study_mismatch, "typetune: study '" + s.record.info.name + "', trial " +
                                                              std::to_string(t.record().number) +
                                                              " does not fit the new space: " + e.what());
      }
    }
    for (std::size_t i = 0; i < s.trials.size(); ++i) {
      s.trials[i].edit().params = std::move(moved[i]);
      s.touch(i);
    }
    s.record.info.space = space;
    s.record.space_hash = space.hash_text();
  }

  void set_study_attributes(std::uint64_t study, const std::map<std::string, std::string>& attributes) override {
    std::lock_guard lock(mutex_);
    auto& s = get(study);
    // merge_study_attributes throws before it writes anything.
    merge_study_attributes(s.record.info.attributes, attributes, "typetune: memory: study '" + s.record.info.name + "'");
  }

  created_trial create_trial(std::uint64_t study, std::uint64_t since, std::string_view worker, double now,
                             const trial_proposer& propose) override {
    std::lock_guard lock(mutex_);
    auto& s = get(study);
    created_trial out;
    const auto waiting = s.waiting == 0 ? s.trials.end()
                                        : std::find_if(s.trials.begin(), s.trials.end(), [](const stored_trial& t) {
                                            return t.record().state == trial_state::waiting;
                                          });
    if (waiting != s.trials.end()) {
      auto& t = *waiting;
      auto& r = t.edit();
      r.state = trial_state::running;
      r.worker = worker;
      r.start_time = now;
      t.heartbeat = now;
      --s.waiting;
      s.touch(r.number);
      out.trial = t.hand_out();
      out.lease = {r.number, t.attempt};
      out.was_waiting = true;
    } else {
      out.changes = changed(s, since);
      auto proposed = propose(proposal_slot{s.trials.size(), s.record.proposals, out.changes});
      if (proposed) {
        stored_trial t;
        auto& r = t.edit();
        r.number = s.trials.size();
        r.state = trial_state::running;
        r.params = std::move(proposed->params);
        r.seed = proposed->seed;
        r.start_time = now;
        r.worker = worker;
        t.heartbeat = now;
        s.record.proposals += proposed->proposals_used;
        out.trial = t.hand_out();
        out.lease = {r.number, 0};
        out.changes.trials.push_back(out.trial);
        s.trials.push_back(std::move(t));
        s.touch(s.trials.size() - 1);
        out.changes.version = s.version;
      }
      out.proposals = s.record.proposals;
      return out;
    }
    out.changes = changed(s, since);
    out.proposals = s.record.proposals;
    return out;
  }

  trial_delta read_trials(std::uint64_t study, std::uint64_t since) override {
    std::lock_guard lock(mutex_);
    return changed(get(study), since);
  }

  bool report(std::uint64_t study, trial_lease lease, std::int64_t step, double value) override {
    return write(study, lease, [&](trial_record& t) { t.intermediate[step] = value; });
  }

  bool set_metric(std::uint64_t study, trial_lease lease, std::string_view name, double value) override {
    return write(study, lease, [&](trial_record& t) { t.metrics[std::string(name)] = value; });
  }

  bool finish(std::uint64_t study, trial_lease lease, const trial_result& r) override {
    return write(study, lease, [&](trial_record& t) { r.apply_to(t); });
  }

  void heartbeat(std::uint64_t study, std::span<const trial_lease> leases, double now) override {
    std::lock_guard lock(mutex_);
    auto& s = get(study);
    for (const auto& l : leases)
      if (auto* t = leased(s, l)) t->heartbeat = now;
  }

  std::vector<running_trial> running_trials(std::uint64_t study) override {
    std::lock_guard lock(mutex_);
    std::vector<running_trial> out;
    for (const auto& t : get(study).trials)
      if (t.record().state == trial_state::running) out.push_back({{t.record().number, t.attempt}, t.record().worker, t.heartbeat});
    return out;
  }

  std::vector<requeued_trial> requeue(std::uint64_t study, std::span<const stale_trial> trials,
                                      std::uint32_t max_retries) override {
    std::lock_guard lock(mutex_);
    auto& s = get(study);
    std::vector<requeued_trial> out;
    for (const auto& stale : trials) {
      auto* t = leased(s, stale.lease);
      if (t == nullptr) continue;
      auto& r = t->edit();
      if (t->attempt >= max_retries) {
        r.state = trial_state::failed;
        r.message = stale.reason + "; failed after " + std::to_string(t->attempt) + " retries";
      } else {
        ++t->attempt;
        r.state = trial_state::waiting;
        r.message = stale.reason + "; re-queued (retry " + std::to_string(t->attempt) + " of " +
                    std::to_string(max_retries) + ")";
        r.intermediate.clear();
        r.metrics.clear();
        r.value.reset();
        r.worker.clear();
        ++s.waiting;
      }
      s.touch(r.number);
      out.push_back({r.number, r.state});
    }
    return out;
  }

 private:
  memory_study* by_name(std::string_view name) {
    for (auto& [id, s] : studies_)
      if (s.record.info.name == name) return &s;
    return nullptr;
  }

  memory_study& get(std::uint64_t id) {
    const auto it = studies_.find(id);
    if (it == studies_.end()) {
      throw storage_error(storage_errc::not_found, "typetune: memory: no study with id " + std::to_string(id) +
                                                       " (was it deleted?)");
    }
    return it->second;
  }

  static study_record snapshot(const memory_study& s) {
    auto r = s.record;
    r.trial_count = s.trials.size();
    return r;
  }

  static trial_delta changed(const memory_study& s, std::uint64_t since) {
    trial_delta d;
    d.version = s.version;
    d.proposals = s.record.proposals;
    const auto first = std::upper_bound(s.writes.begin(), s.writes.end(), since,
                                        [](std::uint64_t v, const auto& w) { return v < w.first; });
    for (auto it = first; it != s.writes.end(); ++it)
      if (s.trials[it->second].version == it->first) d.trials.push_back(s.trials[it->second].hand_out());
    std::sort(d.trials.begin(), d.trials.end(), [](const shared_trial& a, const shared_trial& b) { return a->number < b->number; });
    return d;
  }

  static stored_trial* leased(memory_study& s, trial_lease lease) {
    if (lease.number >= s.trials.size()) return nullptr;
    auto& t = s.trials[lease.number];
    if (t.record().state != trial_state::running || t.attempt != lease.attempt) return nullptr;
    return &t;
  }

  template <class Change>
  bool write(std::uint64_t study, trial_lease lease, Change&& change) {
    std::lock_guard lock(mutex_);
    auto& s = get(study);
    auto* t = leased(s, lease);
    if (t == nullptr) return false;
    change(t->edit());
    s.touch(lease.number);
    return true;
  }

  std::mutex mutex_;
  std::map<std::uint64_t, memory_study> studies_;
  std::uint64_t next_id_ = 1;
};

}  // namespace

std::shared_ptr<trial_storage> make_memory_storage() { return std::make_shared<memory_storage>(); }

}  // namespace typetune
