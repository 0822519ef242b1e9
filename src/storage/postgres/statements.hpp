// Every SQL statement of the PostgreSQL dialect, in one place: the schema (version 2, the same
// tables and columns as the SQLite dialect's) and the storage's statements (sql::stmt), each a
// string literal.
//
// typetune_meta holds ('format', 'typetune') and ('schema_version', N) in the connection's
// schema (search_path): the marker by which a database is known to be typetune's, and the
// version a newer build refuses to misread. A trial row keeps its full record as the study
// export's JSON line (trial_to_json) in a text column, checked against the study's space when
// read back; state, attempt, worker, heartbeat, proposal and version are columns beside it.
#pragma once

#include "../sql_connection.hpp"

namespace typetune::postgres {

inline constexpr const char* list_tables =
    "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename";
// Serialises the creation of the schema between processes that find the same empty database.
inline constexpr const char* schema_lock = "SELECT pg_advisory_xact_lock(7310601532415881829)";

inline constexpr const char* create_schema = R"sql(
CREATE TABLE typetune_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE studies (
  id            BIGSERIAL PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  direction     TEXT NOT NULL,
  space_json    TEXT NOT NULL,
  space_hash    TEXT NOT NULL,
  attributes    TEXT NOT NULL,
  created       DOUBLE PRECISION NOT NULL,
  next_number   BIGINT NOT NULL DEFAULT 0,
  next_proposal BIGINT NOT NULL DEFAULT 0,
  version       BIGINT NOT NULL DEFAULT 0,
  goals         TEXT NOT NULL DEFAULT ''
);
CREATE TABLE trials (
  study_id  BIGINT NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number    BIGINT NOT NULL,
  state     TEXT NOT NULL,
  attempt   BIGINT NOT NULL DEFAULT 0,
  worker    TEXT NOT NULL DEFAULT '',
  heartbeat DOUBLE PRECISION,
  proposal  BIGINT,
  version   BIGINT NOT NULL,
  record    TEXT NOT NULL,
  PRIMARY KEY (study_id, number)
);
CREATE INDEX trials_by_version ON trials (study_id, version);
CREATE INDEX trials_by_state ON trials (study_id, state, number);
CREATE UNIQUE INDEX trials_by_proposal ON trials (study_id, proposal);
INSERT INTO typetune_meta (key, value) VALUES ('format', 'typetune'), ('schema_version', '2');
)sql";

// Schema version 1 had no 'goals' column (a study with one objective and no constraints); version
// 2 added it. A database of version 1 is migrated when it is opened for writing (migrate_to_2, in
// a write transaction); opened read-only it is read as it is, through the *_v1 statements.
inline constexpr const char* migrate_to_2 = R"sql(
ALTER TABLE studies ADD COLUMN goals TEXT NOT NULL DEFAULT '';
UPDATE typetune_meta SET value = '2' WHERE key = 'schema_version';
)sql";

#define TYPETUNE_STUDY_COLUMNS                                                                                         \
  "SELECT id, name, direction, space_json, space_hash, attributes, created, next_number, next_proposal, version, goals FROM studies "
#define TYPETUNE_STUDY_COLUMNS_V1                                                                                      \
  "SELECT id, name, direction, space_json, space_hash, attributes, created, next_number, next_proposal, version, '' FROM studies "

// The storage's statements by id. A write transaction is READ COMMITTED with rows locked
// explicitly: every call that advances a study's version first takes the study's write lock
// (study_for_write: SELECT ... FOR UPDATE), so numbers, proposal indices and versions are handed
// out one transaction at a time across every process and machine.
inline constexpr sql::statement_texts statements = [] {
  using sql::stmt;
  sql::statement_texts s;
  s[stmt::read_meta] = "SELECT key, value FROM typetune_meta";
  s[stmt::study_by_name] = TYPETUNE_STUDY_COLUMNS "WHERE name = $1";
  s[stmt::study_by_id] = TYPETUNE_STUDY_COLUMNS "WHERE id = $1";
  s[stmt::study_by_name_v1] = TYPETUNE_STUDY_COLUMNS_V1 "WHERE name = $1";
  s[stmt::study_by_id_v1] = TYPETUNE_STUDY_COLUMNS_V1 "WHERE id = $1";
  s[stmt::study_for_write] = TYPETUNE_STUDY_COLUMNS "WHERE id = $1 FOR UPDATE";
  s[stmt::study_id_by_name] = "SELECT id FROM studies WHERE name = $1 FOR UPDATE";
  s[stmt::all_study_names] = "SELECT name FROM studies ORDER BY name";
  // Two processes creating the same name: the unique name makes one insert a no-op.
  s[stmt::insert_study] =
      "INSERT INTO studies (name, direction, space_json, space_hash, attributes, created, goals) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING";
  s[stmt::bump_version] = "UPDATE studies SET version = $2 WHERE id = $1";
  s[stmt::advance_study] = "UPDATE studies SET next_number = $2, next_proposal = $3, version = $4 WHERE id = $1";
  s[stmt::replace_space] = "UPDATE studies SET space_json = $2, space_hash = $3, version = $4 WHERE id = $1";
  s[stmt::attributes_for_write] = "SELECT name, attributes FROM studies WHERE id = $1 FOR UPDATE";
  s[stmt::replace_attributes] = "UPDATE studies SET attributes = $2 WHERE id = $1";
  s[stmt::delete_trials_of] = "DELETE FROM trials WHERE study_id = $1";
  s[stmt::delete_study] = "DELETE FROM studies WHERE id = $1";
  s[stmt::trials_since] =
      "SELECT number, state, record FROM trials WHERE study_id = $1 AND version > $2 ORDER BY number";
  s[stmt::first_waiting] =
      "SELECT number, state, attempt, record FROM trials "
      "WHERE study_id = $1 AND state = 'waiting' ORDER BY number LIMIT 1";
  s[stmt::one_trial] = "SELECT number, state, attempt, record FROM trials WHERE study_id = $1 AND number = $2";
  s[stmt::insert_trial] =
      "INSERT INTO trials (study_id, number, state, attempt, worker, heartbeat, proposal, version, record) "
      "VALUES ($1, $2, 'running', 0, $3, $4, $5, $6, $7)";
  s[stmt::update_trial] =
      "UPDATE trials SET state = $3, attempt = $4, worker = $5, heartbeat = $6, version = $7, record = $8 "
      "WHERE study_id = $1 AND number = $2";
  s[stmt::update_record] = "UPDATE trials SET version = $3, record = $4 WHERE study_id = $1 AND number = $2";
  s[stmt::beat] =
      "UPDATE trials SET heartbeat = $4 WHERE study_id = $1 AND number = $2 AND attempt = $3 AND state = 'running'";
  s[stmt::running] =
      "SELECT number, attempt, worker, heartbeat FROM trials "
      "WHERE study_id = $1 AND state = 'running' ORDER BY number";
  return s;
}();
static_assert(statements.complete(), "every statement of the storage has a PostgreSQL text");

#undef TYPETUNE_STUDY_COLUMNS
#undef TYPETUNE_STUDY_COLUMNS_V1

}  // namespace typetune::postgres
