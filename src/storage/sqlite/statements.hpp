// Every SQL statement of the SQLite dialect, in one place: the schema (version 2) and the
// storage's statements (sql::stmt), each a string literal.
//
// typetune_meta holds ('format', 'typetune') and ('schema_version', N): the marker by which a
// file is known to be typetune's, and the version a newer build refuses to misread.
// A trial row keeps its full record as the study export's JSON line (trial_to_json), checked
// against the study's space when read back; state, attempt, worker, heartbeat, proposal and
// version are columns beside it for the queries that must not parse JSON.
#pragma once

#include "../sql_connection.hpp"

namespace typetune::sqlite {

inline constexpr const char* list_tables =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
inline constexpr const char* journal_mode = "PRAGMA journal_mode";
inline constexpr const char* use_wal = "PRAGMA journal_mode = WAL";
inline constexpr const char* connection_settings = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON";

inline constexpr const char* create_schema = R"sql(
CREATE TABLE typetune_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE studies (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  direction     TEXT NOT NULL,
  space_json    TEXT NOT NULL,
  space_hash    TEXT NOT NULL,
  attributes    TEXT NOT NULL,
  created       REAL NOT NULL,
  next_number   INTEGER NOT NULL DEFAULT 0,
  next_proposal INTEGER NOT NULL DEFAULT 0,
  version       INTEGER NOT NULL DEFAULT 0,
  goals         TEXT NOT NULL DEFAULT ''
);
CREATE TABLE trials (
  study_id  INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  number    INTEGER NOT NULL,
  state     TEXT NOT NULL,
  attempt   INTEGER NOT NULL DEFAULT 0,
  worker    TEXT NOT NULL DEFAULT '',
  heartbeat REAL,
  proposal  INTEGER,
  version   INTEGER NOT NULL,
  record    TEXT NOT NULL,
  PRIMARY KEY (study_id, number)
) WITHOUT ROWID;
CREATE INDEX trials_by_version ON trials (study_id, version);
CREATE INDEX trials_by_state ON trials (study_id, state);
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

// The storage's statements by id. A write transaction (BEGIN IMMEDIATE) holds the database's
// write lock, so the statements that take a study's write lock on PostgreSQL read it plainly
// here. The queries that run once per trial name their index: without statistics SQLite's
// planner prefers the primary key for ORDER BY number and scans the whole study, which made a
// trial's cost grow with the number of trials; trials_since is sorted by number by the caller.
inline constexpr sql::statement_texts statements = [] {
  using sql::stmt;
  sql::statement_texts s;
  s[stmt::read_meta] = "SELECT key, value FROM typetune_meta";
  s[stmt::study_by_name] = TYPETUNE_STUDY_COLUMNS "WHERE name = ?1";
  s[stmt::study_by_id] = TYPETUNE_STUDY_COLUMNS "WHERE id = ?1";
  s[stmt::study_by_name_v1] = TYPETUNE_STUDY_COLUMNS_V1 "WHERE name = ?1";
  s[stmt::study_by_id_v1] = TYPETUNE_STUDY_COLUMNS_V1 "WHERE id = ?1";
  s[stmt::study_for_write] = TYPETUNE_STUDY_COLUMNS "WHERE id = ?1";
  s[stmt::study_id_by_name] = "SELECT id FROM studies WHERE name = ?1";
  s[stmt::all_study_names] = "SELECT name FROM studies ORDER BY name";
  s[stmt::insert_study] =
      "INSERT INTO studies (name, direction, space_json, space_hash, attributes, created, goals) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  s[stmt::bump_version] = "UPDATE studies SET version = ?2 WHERE id = ?1";
  s[stmt::advance_study] = "UPDATE studies SET next_number = ?2, next_proposal = ?3, version = ?4 WHERE id = ?1";
  s[stmt::replace_space] = "UPDATE studies SET space_json = ?2, space_hash = ?3, version = ?4 WHERE id = ?1";
  s[stmt::attributes_for_write] = "SELECT name, attributes FROM studies WHERE id = ?1";
  s[stmt::replace_attributes] = "UPDATE studies SET attributes = ?2 WHERE id = ?1";
  s[stmt::delete_trials_of] = "DELETE FROM trials WHERE study_id = ?1";
  s[stmt::delete_study] = "DELETE FROM studies WHERE id = ?1";
  s[stmt::trials_since] =
      "SELECT number, state, record FROM trials INDEXED BY trials_by_version WHERE study_id = ?1 AND version > ?2";
  s[stmt::first_waiting] =
      "SELECT number, state, attempt, record FROM trials INDEXED BY trials_by_state "
      "WHERE study_id = ?1 AND state = 'waiting' ORDER BY number LIMIT 1";
  s[stmt::one_trial] = "SELECT number, state, attempt, record FROM trials WHERE study_id = ?1 AND number = ?2";
  s[stmt::insert_trial] =
      "INSERT INTO trials (study_id, number, state, attempt, worker, heartbeat, proposal, version, record) "
      "VALUES (?1, ?2, 'running', 0, ?3, ?4, ?5, ?6, ?7)";
  s[stmt::update_trial] =
      "UPDATE trials SET state = ?3, attempt = ?4, worker = ?5, heartbeat = ?6, version = ?7, record = ?8 "
      "WHERE study_id = ?1 AND number = ?2";
  s[stmt::update_record] = "UPDATE trials SET version = ?3, record = ?4 WHERE study_id = ?1 AND number = ?2";
  s[stmt::beat] =
      "UPDATE trials SET heartbeat = ?4 WHERE study_id = ?1 AND number = ?2 AND attempt = ?3 AND state = 'running'";
  s[stmt::running] =
      "SELECT number, attempt, worker, heartbeat FROM trials INDEXED BY trials_by_state "
      "WHERE study_id = ?1 AND state = 'running' ORDER BY number";
  return s;
}();
static_assert(statements.complete(), "every statement of the storage has an SQLite text");

#undef TYPETUNE_STUDY_COLUMNS
#undef TYPETUNE_STUDY_COLUMNS_V1

}  // namespace typetune::sqlite
