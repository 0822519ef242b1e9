// Every SQL statement of the PostgreSQL backend, in one place: the schema (version 1, the same
// tables and columns as the SQLite backend's) and the queries, each a string literal (the
// connection prepares each once, cached by address).
//
// typetune_meta holds ('format', 'typetune') and ('schema_version', N) in the connection's
// schema (search_path): the marker by which a database is known to be typetune's, and the
// version a newer build refuses to misread. A trial row keeps its full record as the study
// export's JSON line (trial_to_json) in a text column, checked against the study's space when
// read back; state, attempt, worker, heartbeat, proposal and version are columns beside it.
#pragma once

namespace typetune::postgres::sql {

inline constexpr const char* list_tables =
    "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename";
inline constexpr const char* read_meta = "SELECT key, value FROM typetune_meta";
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
  version       BIGINT NOT NULL DEFAULT 0
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
INSERT INTO typetune_meta (key, value) VALUES ('format', 'typetune'), ('schema_version', '1');
)sql";

// --- studies
inline constexpr const char* study_columns_by_name =
    "SELECT id, name, direction, space_json, space_hash, attributes, created, next_number, next_proposal, version "
    "FROM studies WHERE name = $1";
inline constexpr const char* study_columns_by_id =
    "SELECT id, name, direction, space_json, space_hash, attributes, created, next_number, next_proposal, version "
    "FROM studies WHERE id = $1";
// The study's write lock: every call that advances the study's version takes it first, so
// numbers, proposal indices and versions are handed out one transaction at a time across every
// process and machine.
inline constexpr const char* lock_study_by_id =
    "SELECT id, name, direction, space_json, space_hash, attributes, created, next_number, next_proposal, version "
    "FROM studies WHERE id = $1 FOR UPDATE";
inline constexpr const char* all_study_names = "SELECT name FROM studies ORDER BY name";
inline constexpr const char* insert_study =
    "INSERT INTO studies (name, direction, space_json, space_hash, attributes, created) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING";
inline constexpr const char* study_id_by_name = "SELECT id FROM studies WHERE name = $1 FOR UPDATE";
inline constexpr const char* bump_version = "UPDATE studies SET version = $2 WHERE id = $1";
inline constexpr const char* advance_study =
    "UPDATE studies SET next_number = $2, next_proposal = $3, version = $4 WHERE id = $1";
inline constexpr const char* replace_space =
    "UPDATE studies SET space_json = $2, space_hash = $3, version = $4 WHERE id = $1";
// Under the study's write lock, so that two processes merging attributes keep both.
inline constexpr const char* lock_study_attributes_by_id = "SELECT name, attributes FROM studies WHERE id = $1 FOR UPDATE";
inline constexpr const char* replace_attributes = "UPDATE studies SET attributes = $2 WHERE id = $1";
inline constexpr const char* delete_trials_of = "DELETE FROM trials WHERE study_id = $1";
inline constexpr const char* delete_study = "DELETE FROM studies WHERE id = $1";

// --- trials
inline constexpr const char* trials_since =
    "SELECT number, state, record FROM trials WHERE study_id = $1 AND version > $2 ORDER BY number";
inline constexpr const char* first_waiting =
    "SELECT number, state, attempt, record FROM trials "
    "WHERE study_id = $1 AND state = 'waiting' ORDER BY number LIMIT 1";
inline constexpr const char* one_trial =
    "SELECT number, state, attempt, record FROM trials WHERE study_id = $1 AND number = $2";
inline constexpr const char* insert_trial =
    "INSERT INTO trials (study_id, number, state, attempt, worker, heartbeat, proposal, version, record) "
    "VALUES ($1, $2, 'running', 0, $3, $4, $5, $6, $7)";
inline constexpr const char* update_trial =
    "UPDATE trials SET state = $3, attempt = $4, worker = $5, heartbeat = $6, version = $7, record = $8 "
    "WHERE study_id = $1 AND number = $2";
inline constexpr const char* update_record =
    "UPDATE trials SET version = $3, record = $4 WHERE study_id = $1 AND number = $2";
inline constexpr const char* beat =
    "UPDATE trials SET heartbeat = $4 WHERE study_id = $1 AND number = $2 AND attempt = $3 AND state = 'running'";
inline constexpr const char* running =
    "SELECT number, attempt, worker, heartbeat FROM trials "
    "WHERE study_id = $1 AND state = 'running' ORDER BY number";

}  // namespace typetune::postgres::sql
