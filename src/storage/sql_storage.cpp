// The SQL storage (open_sqlite_storage, open_postgres_storage): the trial_storage protocol
// written once over sql::connection (sql_connection.hpp), whatever the dialect. Schema checks on
// open, one transaction per call (a write transaction holds the study's write lock for the
// whole call), trial rows read back through the study export's checks.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "sql_connection.hpp"
#include "typetune/desc/space_diff.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/storage/postgres_storage.hpp"
#include "typetune/storage/sqlite_storage.hpp"

namespace typetune {
namespace {

using sql::access;
using sql::connection;
using sql::rows;
using sql::stmt;
using sql::transaction;

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

// Messages of the checks below already say "typetune: "; inside ours, once is enough.
std::string without_prefix(std::string_view what) {
  for (std::string_view prefix : {"typetune: ", "study export: "})
    if (what.starts_with(prefix)) what.remove_prefix(prefix.size());
  return std::string(what);
}

std::int64_t as_int(std::uint64_t v) { return static_cast<std::int64_t>(v); }

struct study_row {
  study_record record;
  std::uint64_t version = 0;
  std::shared_ptr<const space_desc> space;
};

class sql_storage final : public trial_storage {
 public:
  // `may_create_schema`: an empty database gets typetune's schema; otherwise it is not_found.
  sql_storage(std::unique_ptr<connection> db, bool read_only, bool may_create_schema)
      : db_(std::move(db)), url_(db_->url()), read_only_(read_only) {
    check_schema(may_create_schema);
  }

  std::string url() const override { return url_; }
  bool shared() const noexcept override { return true; }

  study_record open_study(const study_info& info) override {
    std::lock_guard lock(mutex_);
    if (read_only_) {
      transaction tx(*db_, access::read);
      auto row = study_by_name(info.name);
      if (!row)
        throw storage_error(storage_errc::not_found, "typetune: " + url_ + ": no study named '" + info.name + "'");
      tx.commit();
      return row->record;
    }
    transaction tx(*db_, access::write);
    auto row = study_by_name(info.name);
    if (!row) {
      // Two processes creating the same name: where the dialect does not serialise this
      // transaction, the unique name makes one insert a no-op, and both read the one row.
      db_->run(stmt::insert_study, {info.name, to_string(info.dir), info.space.to_json(-1), info.space.hash_text(),
                                    nlohmann::json(info.attributes).dump(), unix_now(), goals_json(info)});
      row = study_by_name(info.name);
    }
    tx.commit();
    if (!row)
      throw storage_error(storage_errc::io, "typetune: " + url_ + ": study '" + info.name + "' vanished while opened");
    return row->record;
  }

  std::optional<study_record> find_study(std::string_view name) override {
    std::lock_guard lock(mutex_);
    transaction tx(*db_, access::read);
    auto row = study_by_name(name);
    tx.commit();
    if (!row) return std::nullopt;
    return row->record;
  }

  std::vector<study_record> list_studies() override {
    std::lock_guard lock(mutex_);
    transaction tx(*db_, access::read);
    std::vector<std::string> names;
    {
      const auto st = db_->run(stmt::all_study_names);
      while (st->next()) names.push_back(st->text(0, "name", "a study"));
    }
    std::vector<study_record> out;
    for (const auto& name : names) out.push_back(study_by_name(name)->record);
    tx.commit();
    return out;
  }

  bool delete_study(std::string_view name) override {
    std::lock_guard lock(mutex_);
    transaction tx(*db_, access::write);
    std::optional<std::int64_t> id;
    {
      const auto st = db_->run(stmt::study_id_by_name, {name});
      if (st->next()) id = st->integer(0, "id", "study '" + std::string(name) + "'");
    }
    if (!id) return false;
    db_->run(stmt::delete_trials_of, {*id});
    db_->run(stmt::delete_study, {*id});
    tx.commit();
    spaces_.erase(static_cast<std::uint64_t>(*id));
    return true;
  }

  void change_space(std::uint64_t study, const space_desc& space) override {
    std::lock_guard lock(mutex_);
    transaction tx(*db_, access::write);
    const auto s = study_by_id(study, access::write);
    const auto& name = s.record.info.name;
    auto trials = trials_since(s, 0);
    for (auto& t : trials) {
      try {
        t.params = migrate_assignment(t.params, *s.space, space);
      } catch (const assignment_error& e) {
        throw storage_error(storage_errc::study_mismatch,
                            "typetune: " + url_ + ": study '" + name + "', trial " + std::to_string(t.number) +
                                " does not fit the new space: " + without_prefix(e.what()));
      }
    }
    const auto version = as_int(s.version + 1);
    for (const auto& t : trials) {
      db_->run(stmt::update_record, {as_int(study), as_int(t.number), version, trial_to_json(t, space)});
    }
    db_->run(stmt::replace_space, {as_int(study), space.to_json(-1), space.hash_text(), version});
    tx.commit();
    spaces_.erase(study);
  }

  void set_study_attributes(std::uint64_t study, const std::map<std::string, std::string>& attributes) override {
    std::lock_guard lock(mutex_);
    refuse_if_read_only("set the attributes of study id " + std::to_string(study));
    transaction tx(*db_, access::write);
    std::string name;
    std::map<std::string, std::string> stored;
    {
      // Under the study's write lock, so that two processes merging attributes keep both.
      const auto st = db_->run(stmt::attributes_for_write, {as_int(study)});
      if (!st->next()) {
        throw storage_error(storage_errc::not_found, "typetune: " + url_ + ": study id " + std::to_string(study) +
                                                         " no longer exists (was it deleted?)");
      }
      name = st->text(0, "name", "a study");
      stored = read_attributes(st->text(1, "attributes", "study '" + name + "'"), "study '" + name + "'");
    }
    merge_study_attributes(stored, attributes, "typetune: " + url_ + ": study '" + name + "'");
    db_->run(stmt::replace_attributes, {as_int(study), nlohmann::json(stored).dump()});
    tx.commit();
  }

  created_trial create_trial(std::uint64_t study, std::uint64_t since, std::string_view worker, double now,
                             const trial_proposer& propose) override {
    std::lock_guard lock(mutex_);
    transaction tx(*db_, access::write);
    const auto s = study_by_id(study, access::write);  // the study's write lock, held to the commit
    const auto version = s.version + 1;
    created_trial out;
    out.proposals = s.record.proposals;

    std::optional<std::pair<trial_record, std::uint32_t>> waiting;
    {
      const auto st = db_->run(stmt::first_waiting, {as_int(study)});
      if (st->next()) waiting = read_leased(*st, s);
    }
    if (waiting) {
      auto& [t, attempt] = *waiting;
      t.state = trial_state::running;
      t.worker = std::string(worker);
      t.start_time = now;
      store(study, t, attempt, now, version, *s.space);
      db_->run(stmt::bump_version, {as_int(study), as_int(version)});
      out.changes.trials = shared(trials_since(s, since));
      out.changes.version = version;
      tx.commit();
      out.lease = {t.number, attempt};
      out.trial = std::make_shared<const trial_record>(std::move(t));
      out.was_waiting = true;
      return out;
    }

    trial_delta before{shared(trials_since(s, since)), s.version, s.record.proposals};
    const auto number = s.record.trial_count;
    auto proposed = propose(proposal_slot{number, s.record.proposals, before});
    if (!proposed) {
      out.changes = std::move(before);
      return out;  // nothing written: the transaction rolls back
    }
    trial_record t;
    t.number = number;
    t.state = trial_state::running;
    t.params = std::move(proposed->params);
    t.seed = proposed->seed;
    t.start_time = now;
    t.worker = std::string(worker);
    sql::param proposal = std::nullopt;
    if (proposed->proposals_used > 0) proposal = as_int(s.record.proposals + proposed->proposals_used - 1);
    db_->run(stmt::insert_trial,
             {as_int(study), as_int(number), t.worker, now, proposal, as_int(version), trial_to_json(t, *s.space)});
    out.proposals = s.record.proposals + proposed->proposals_used;
    db_->run(stmt::advance_study, {as_int(study), as_int(number + 1), as_int(out.proposals), as_int(version)});
    tx.commit();
    out.trial = std::make_shared<const trial_record>(std::move(t));
    out.changes = std::move(before);
    out.changes.trials.push_back(out.trial);
    out.changes.version = version;
    out.lease = {number, 0};
    return out;
  }

  trial_delta read_trials(std::uint64_t study, std::uint64_t since) override {
    std::lock_guard lock(mutex_);
    transaction tx(*db_, access::read);  // one snapshot: the version and the rows agree
    const auto s = study_by_id(study, access::read);
    trial_delta out{shared(trials_since(s, since)), s.version, s.record.proposals};
    tx.commit();
    return out;
  }

  bool report(std::uint64_t study, trial_lease lease, std::int64_t step, double value) override {
    return update_running(study, lease, [&](trial_record& t) { t.intermediate[step] = value; });
  }

  bool set_metric(std::uint64_t study, trial_lease lease, std::string_view name, double value) override {
    return update_running(study, lease, [&](trial_record& t) { t.metrics[std::string(name)] = value; });
  }

  bool finish(std::uint64_t study, trial_lease lease, const trial_result& r) override {
    return update_running(study, lease, [&](trial_record& t) { r.apply_to(t); });
  }

  void heartbeat(std::uint64_t study, std::span<const trial_lease> leases, double now) override {
    std::lock_guard lock(mutex_);
    transaction tx(*db_, access::write);
    for (const auto& l : leases) {
      db_->run(stmt::beat, {as_int(study), as_int(l.number), static_cast<std::int64_t>(l.attempt), now});
    }
    tx.commit();
  }

  std::vector<running_trial> running_trials(std::uint64_t study) override {
    std::lock_guard lock(mutex_);
    db_->ensure_open();  // one statement, outside a transaction
    std::vector<running_trial> out;
    const std::string what = "a running trial of study id " + std::to_string(study);
    const auto st = db_->run(stmt::running, {as_int(study)});
    while (st->next()) {
      running_trial r;
      r.lease.number = checked_count(st->integer(0, "number", what), "number", what);
      r.lease.attempt = static_cast<std::uint32_t>(checked_count(st->integer(1, "attempt", what), "attempt", what));
      r.worker = st->text(2, "worker", what);
      r.heartbeat = st->optional_real(3, "heartbeat", what).value_or(0);
      out.push_back(std::move(r));
    }
    return out;
  }

  std::vector<requeued_trial> requeue(std::uint64_t study, std::span<const stale_trial> trials,
                                      std::uint32_t max_retries) override {
    std::lock_guard lock(mutex_);
    transaction tx(*db_, access::write);
    const auto s = study_by_id(study, access::write);
    const auto version = s.version + 1;
    std::vector<requeued_trial> out;
    for (const auto& stale : trials) {
      auto held = leased(study, stale.lease, s);
      if (!held) continue;
      auto& [t, attempt] = *held;
      if (attempt >= max_retries) {
        t.state = trial_state::failed;
        t.message = stale.reason + "; failed after " + std::to_string(attempt) + " retries";
      } else {
        ++attempt;
        t.state = trial_state::waiting;
        t.message = stale.reason + "; re-queued (retry " + std::to_string(attempt) + " of " +
                    std::to_string(max_retries) + ")";
        t.intermediate.clear();
        t.metrics.clear();
        t.value.reset();
        t.worker.clear();
      }
      store(study, t, attempt, std::nullopt, version, *s.space);
      out.push_back({t.number, t.state});
    }
    if (!out.empty()) {
      db_->run(stmt::bump_version, {as_int(study), as_int(version)});
      tx.commit();
    }
    return out;
  }

 private:
  // Checks that the database is typetune's, of a schema this build reads, with nothing written
  // otherwise; an empty one gets the schema where `may_create` allows.
  void check_schema(bool may_create) {
    const auto& dialect = db_->info();
    auto tables = db_->tables();  // SQLite: a file that is no database fails here, unchanged
    if (tables.empty()) {
      if (!may_create) {
        throw storage_error(storage_errc::not_found,
                            "typetune: " + url_ + ": an empty database, with no typetune studies");
      }
      transaction tx(*db_, access::write);
      db_->lock_schema_creation();
      if (db_->tables().empty()) db_->create_schema();
      tx.commit();
      tables = db_->tables();
    }
    const auto has = [&](std::string_view name) {
      return std::find(tables.begin(), tables.end(), name) != tables.end();
    };
    if (!has("typetune_meta")) {
      std::string shown;
      for (std::size_t i = 0; i < tables.size() && i < 5; ++i) {
        if (i > 0) shown += ", ";
        shown += tables[i];
      }
      if (tables.size() > 5) shown += ", ...";
      throw storage_error(storage_errc::not_typetune, "typetune: " + url_ + ": " + dialect.database +
                                                          ", but not typetune's (" + dialect.tables_owner +
                                                          " the tables " + shown +
                                                          " and no typetune_meta); nothing was changed");
    }
    std::optional<std::string> format;
    std::optional<std::string> version;
    {
      const auto st = db_->run(stmt::read_meta);
      while (st->next()) {
        const auto key = st->text(0, "key", "typetune_meta");
        if (key == "format") format = st->text(1, "value", "typetune_meta 'format'");
        if (key == "schema_version") version = st->text(1, "value", "typetune_meta 'schema_version'");
      }
    }
    if (format != "typetune") {
      throw storage_error(storage_errc::not_typetune, "typetune: " + url_ +
                                                          ": not a typetune database (typetune_meta has no format "
                                                          "'typetune'); nothing was changed");
    }
    if (!version || version->empty() || version->size() > 9 ||
        version->find_first_not_of("0123456789") != std::string::npos) {
      throw storage_error(storage_errc::corrupt, "typetune: " + url_ + ": typetune_meta holds schema_version '" +
                                                     version.value_or("") + "', not a number");
    }
    const int schema = std::stoi(*version);
    if (schema > dialect.schema_version) {
      throw storage_error(storage_errc::newer_schema,
                          "typetune: " + url_ + ": written by a newer typetune (schema version " + *version +
                              "; this build reads up to " + std::to_string(dialect.schema_version) +
                              "); upgrade typetune to open it. Nothing was changed");
    }
    if (schema < 1) {
      throw storage_error(storage_errc::corrupt,
                          "typetune: " + url_ + ": schema version " + *version + " never existed");
    }
    for (const char* table : {"studies", "trials"}) {
      if (!has(table)) {
        throw storage_error(storage_errc::corrupt, "typetune: " + url_ + ": a typetune database without its '" +
                                                       std::string(table) + "' table");
      }
    }
    schema_ = schema;
    if (schema < dialect.schema_version && !read_only_) migrate(schema);
    db_->schema_checked();
  }

  // Brings an older schema to this build's, in one write transaction: the version is read again
  // under the write lock, so of several processes opening the old database at once one migrates
  // and the others find it done. Read-only storage reads the older schema as it is.
  void migrate(int from) {
    transaction tx(*db_, access::write);
    db_->lock_schema_creation();
    int found = from;
    {
      const auto st = db_->run(stmt::read_meta);
      while (st->next()) {
        if (st->text(0, "key", "typetune_meta") == "schema_version") {
          const auto text = st->text(1, "value", "typetune_meta 'schema_version'");
          if (!text.empty() && text.size() <= 9 && text.find_first_not_of("0123456789") == std::string::npos)
            found = std::stoi(text);
        }
      }
    }
    if (found < db_->info().schema_version) db_->migrate_schema(found);
    tx.commit();
    schema_ = db_->info().schema_version;
  }

  static std::uint64_t checked_count(std::int64_t v, std::string_view name, const std::string& what) {
    if (v < 0) {
      throw storage_error(storage_errc::corrupt, "typetune: " + what + ": column '" + std::string(name) +
                                                     "' is negative (" + std::to_string(v) + ")");
    }
    return static_cast<std::uint64_t>(v);
  }

  std::optional<study_row> study_by_name(std::string_view name) {
    const auto st = db_->run(schema_ < 2 ? stmt::study_by_name_v1 : stmt::study_by_name, {name});
    if (!st->next()) return std::nullopt;
    return read_study(*st, true);
  }

  // access::write takes the study's write lock, held until the transaction ends.
  study_row study_by_id(std::uint64_t id, access a) {
    const auto st = db_->run(a == access::write ? stmt::study_for_write
                             : schema_ < 2      ? stmt::study_by_id_v1
                                                : stmt::study_by_id,
                             {as_int(id)});
    if (!st->next()) {
      throw storage_error(storage_errc::not_found, "typetune: " + url_ + ": study id " + std::to_string(id) +
                                                       " no longer exists (was it deleted?)");
    }
    return read_study(*st, false);
  }

  // One row of `studies`, every column checked; the space is parsed once per hash. `full` also
  // fills the record's copy of the space and its attributes (the calls on trials skip them).
  study_row read_study(const rows& st, bool full) {
    const std::string some = "a study";
    study_row row;
    auto& r = row.record;
    r.id = checked_count(st.integer(0, "id", some), "id", some);
    r.info.name = st.text(1, "name", some);
    const std::string what = "study '" + r.info.name + "'";
    const auto dir = direction_from(st.text(2, "direction", what));
    if (!dir) fail_row(what, "column 'direction' must be 'minimize' or 'maximize'");
    r.info.dir = *dir;
    r.space_hash = st.text(4, "space_hash", what);
    auto& known = spaces_[r.id];
    if (!known.space || known.hash != r.space_hash) {
      const auto text = st.text(3, "space_json", what);
      space_desc space;
      try {
        space = space_desc::from_json(text);
      } catch (const description_error& e) {
        spaces_.erase(r.id);
        fail_row(what, "its stored space description does not read back: " + without_prefix(e.what()));
      } catch (const std::exception& e) {
        spaces_.erase(r.id);
        fail_row(what, std::string("its stored space description does not read back: ") + e.what());
      }
      if (space.hash_text() != r.space_hash) {
        spaces_.erase(r.id);
        fail_row(what, "column 'space_hash' says " + r.space_hash + ", but the stored description hashes to " +
                           space.hash_text());
      }
      known = {r.space_hash, std::make_shared<const space_desc>(std::move(space))};
    }
    row.space = known.space;
    r.created_time = st.real(6, "created", what);
    r.trial_count = checked_count(st.integer(7, "next_number", what), "next_number", what);
    r.proposals = checked_count(st.integer(8, "next_proposal", what), "next_proposal", what);
    row.version = checked_count(st.integer(9, "version", what), "version", what);
    if (!full) return row;
    r.info.space = *known.space;
    r.info.attributes = read_attributes(st.text(5, "attributes", what), what);
    try {
      read_goals_json(st.text(10, "goals", what), r.info);
    } catch (const export_error& e) { fail_row(what, "column 'goals': " + without_prefix(without_prefix(e.what()))); }
    return row;
  }

  // The column 'attributes' of a study row: a JSON object of strings.
  std::map<std::string, std::string> read_attributes(const std::string& text, const std::string& what) const {
    std::map<std::string, std::string> out;
    try {
      const auto attributes = nlohmann::json::parse(text);
      if (!attributes.is_object()) fail_row(what, "column 'attributes' must hold a JSON object of strings");
      for (const auto& [k, v] : attributes.items()) {
        if (!v.is_string()) fail_row(what, "attribute '" + k + "' must be a string");
        out[k] = v.get<std::string>();
      }
    } catch (const nlohmann::json::exception& e) {
      fail_row(what, std::string("column 'attributes' is not valid JSON (") + e.what() + ")");
    }
    return out;
  }

  void refuse_if_read_only(const std::string& action) const {
    if (read_only_) {
      throw storage_error(storage_errc::io, "typetune: " + url_ + ": opened read-only, cannot " + action +
                                                " (open it without read_only)");
    }
  }

  [[noreturn]] void fail_row(const std::string& what, const std::string& problem) const {
    throw storage_error(storage_errc::corrupt, "typetune: " + url_ + ": " + what + ": " + problem);
  }

  // A trial row (number, state, ..., record) read back through trial_from_json: the record must
  // be a legal trial of the study's space, and agree with the columns beside it.
  trial_record read_trial(const rows& st, int record_column, const study_row& s) {
    const std::string study = "study '" + s.record.info.name + "'";
    const auto number = checked_count(st.integer(0, "number", "a trial of " + study), "number", study);
    const std::string what = study + ", trial " + std::to_string(number);
    const auto state_text = st.text(1, "state", what);
    const auto state = trial_state_from(state_text);
    if (!state) fail_row(what, "unknown state '" + state_text + "'");
    const auto record = st.text(record_column, "record", what);
    trial_record t;
    try {
      t = trial_from_json(record, *s.space);
    } catch (const export_error& e) {
      std::string problem = without_prefix(e.what());
      for (const std::string& own : {"trial " + std::to_string(number) + ": ", std::string("trial: ")})
        if (problem.starts_with(own)) problem.erase(0, own.size());
      fail_row(what, "its record does not read back: " + problem);
    } catch (const std::exception& e) {  // anything the checks above did not name
      fail_row(what, std::string("its record does not read back: ") + e.what());
    }
    if (t.number != number) fail_row(what, "its record says trial " + std::to_string(t.number));
    if (t.state != *state) {
      fail_row(what, "column 'state' says " + state_text + ", its record says " + std::string(to_string(t.state)));
    }
    return t;
  }

  std::pair<trial_record, std::uint32_t> read_leased(const rows& st, const study_row& s) {
    auto t = read_trial(st, 3, s);
    const std::string what = "study '" + s.record.info.name + "', trial " + std::to_string(t.number);
    const auto attempt = checked_count(st.integer(2, "attempt", what), "attempt", what);
    return {std::move(t), static_cast<std::uint32_t>(attempt)};
  }

  static std::vector<shared_trial> shared(std::vector<trial_record> trials) {
    std::vector<shared_trial> out;
    out.reserve(trials.size());
    for (auto& t : trials) out.push_back(std::make_shared<const trial_record>(std::move(t)));
    return out;
  }

  // The trials written after `since`, by number. (The SQLite statement leaves the order to
  // this sort: see sqlite/statements.hpp.)
  std::vector<trial_record> trials_since(const study_row& s, std::uint64_t since) {
    std::vector<trial_record> out;
    {
      const auto st = db_->run(stmt::trials_since, {as_int(s.record.id), as_int(since)});
      while (st->next()) out.push_back(read_trial(*st, 2, s));
    }
    const auto by_number = [](const trial_record& a, const trial_record& b) { return a.number < b.number; };
    if (!std::is_sorted(out.begin(), out.end(), by_number)) std::sort(out.begin(), out.end(), by_number);
    return out;
  }

  // The running trial a lease names, or nullopt when the lease is over.
  std::optional<std::pair<trial_record, std::uint32_t>> leased(std::uint64_t study, trial_lease lease,
                                                               const study_row& s) {
    const auto st = db_->run(stmt::one_trial, {as_int(study), as_int(lease.number)});
    if (!st->next()) return std::nullopt;
    auto held = read_leased(*st, s);
    if (held.first.state != trial_state::running || held.second != lease.attempt) return std::nullopt;
    return held;
  }

  void store(std::uint64_t study, const trial_record& t, std::uint32_t attempt, std::optional<double> heartbeat,
             std::uint64_t version, const space_desc& space) {
    db_->run(stmt::update_trial,
             {as_int(study), as_int(t.number), to_string(t.state), static_cast<std::int64_t>(attempt), t.worker,
              sql::nullable(heartbeat), as_int(version), trial_to_json(t, space)});
  }

  // A write by the holder of a lease: refused (false) once the lease is over. A write counts as
  // a heartbeat; the end of the trial clears it.
  template <class Change>
  bool update_running(std::uint64_t study, trial_lease lease, Change&& change) {
    std::lock_guard lock(mutex_);
    transaction tx(*db_, access::write);
    const auto s = study_by_id(study, access::write);
    auto held = leased(study, lease, s);
    if (!held) return false;
    auto& t = held->first;
    change(t);
    const auto version = s.version + 1;
    std::optional<double> beat;
    if (t.state == trial_state::running) beat = unix_now();
    store(study, t, held->second, beat, version, *s.space);
    db_->run(stmt::bump_version, {as_int(study), as_int(version)});
    tx.commit();
    return true;
  }

  struct known_space {
    std::string hash;
    std::shared_ptr<const space_desc> space;
  };

  std::mutex mutex_;
  std::unique_ptr<connection> db_;
  std::string url_;
  bool read_only_;
  int schema_ = 0;  // the schema version of the database as opened (after any migration)
  std::unordered_map<std::uint64_t, known_space> spaces_;
};

}  // namespace

std::shared_ptr<trial_storage> open_sqlite_storage(const std::filesystem::path& path, const storage_options& options) {
  if (path.empty()) throw storage_error(storage_errc::bad_url, "typetune: an SQLite storage needs a file path");
  // SQLite's write transaction (BEGIN IMMEDIATE) serialises the creation of the schema; a
  // missing or empty file was refused before it was opened where create_if_missing is off, and
  // so is a database without tables then, as an empty PostgreSQL database is.
  return std::make_shared<sql_storage>(sql::open_sqlite(std::filesystem::absolute(path).lexically_normal(), options),
                                       options.read_only, !options.read_only && options.create_if_missing);
}

#if TYPETUNE_HAS_POSTGRES
std::shared_ptr<trial_storage> open_postgres_storage(const std::string& conninfo, const storage_options& options) {
  if (conninfo.empty())
    throw storage_error(storage_errc::bad_url, "typetune: a PostgreSQL storage needs a connection URL");
  return std::make_shared<sql_storage>(sql::open_postgres(conninfo, options), options.read_only,
                                       !options.read_only && options.create_if_missing);
}
#endif

}  // namespace typetune
