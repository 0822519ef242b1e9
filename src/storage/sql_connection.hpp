// What sql_storage needs of an SQL database, implemented once per dialect (sqlite/,
// postgres/): transactions, the storage's statements by id with typed parameters, and rows with
// checked column reads. Each dialect keeps its own statement texts, schema and error messages;
// sql_storage.cpp holds the storage protocol once, over this interface.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "typetune/engine/trial_storage.hpp"
#include "typetune/storage/storage_options.hpp"

namespace typetune::sql {

// The statements of the storage protocol. Each dialect gives every one a text (statements.hpp
// in its folder); where the dialects differ, the id says what the statement is for:
// study_for_write and attributes_for_write take the study's write lock where the dialect locks
// rows (PostgreSQL: FOR UPDATE), and read the row plainly where the transaction itself holds the
// lock (SQLite: BEGIN IMMEDIATE).
enum class stmt : std::uint8_t {
  read_meta,             // () -> key, value of typetune_meta
  study_by_name,         // (name) -> the study columns
  study_by_id,           // (id) -> the study columns
  study_by_name_v1,      // study_by_name on a schema of version 1 (no goals column: '')
  study_by_id_v1,        // study_by_id on a schema of version 1
  study_for_write,       // (id) -> the study columns, the study's write lock taken
  study_id_by_name,      // (name) -> id, the study's write lock taken
  all_study_names,       // () -> name, by name
  insert_study,          // (name, direction, space_json, space_hash, attributes, created, goals)
  bump_version,          // (id, version)
  advance_study,         // (id, next_number, next_proposal, version)
  replace_space,         // (id, space_json, space_hash, version)
  attributes_for_write,  // (id) -> name, attributes, the study's write lock taken
  replace_attributes,    // (id, attributes)
  delete_trials_of,      // (id)
  delete_study,          // (id)
  trials_since,          // (study, version) -> number, state, record
  first_waiting,         // (study) -> number, state, attempt, record
  one_trial,             // (study, number) -> number, state, attempt, record
  insert_trial,          // (study, number, worker, heartbeat, proposal, version, record)
  update_trial,          // (study, number, state, attempt, worker, heartbeat, version, record)
  update_record,         // (study, number, version, record)
  beat,                  // (study, number, attempt, heartbeat)
  running,               // (study) -> number, attempt, worker, heartbeat, by number
};
inline constexpr std::size_t statement_count = static_cast<std::size_t>(stmt::running) + 1;

// A dialect's text of every statement, by id.
struct statement_texts {
  std::array<const char*, statement_count> text{};
  constexpr const char*& operator[](stmt id) { return text[static_cast<std::size_t>(id)]; }
  constexpr const char* operator[](stmt id) const { return text[static_cast<std::size_t>(id)]; }
  [[nodiscard]] constexpr bool complete() const {
    return std::ranges::none_of(text, [](const char* t) { return t == nullptr; });
  }
};

// One statement parameter; nullopt is SQL NULL. Text is copied by the dialect before the call
// returns, so a temporary string may be passed.
using param = std::variant<std::nullopt_t, std::int64_t, double, std::string_view>;

[[nodiscard]] inline param nullable(std::optional<double> v) {
  if (v) return *v;
  return std::nullopt;
}

// The rows of a statement that ran, read one at a time. Column reads check what the database
// holds, so a hand-edited row is named, not misread: `name` is the column, `what` names the row
// for the message ("study 'mlp', trial 3"); errors are storage_error (corrupt).
class rows {
 public:
  // Moves to the next row (the first on the first call): false when there is none.
  virtual bool next() = 0;
  [[nodiscard]] virtual std::int64_t integer(int column, std::string_view name, const std::string& what) const = 0;
  // An integer or a real.
  [[nodiscard]] virtual double real(int column, std::string_view name, const std::string& what) const = 0;
  [[nodiscard]] virtual std::optional<double> optional_real(int column, std::string_view name,
                                                            const std::string& what) const = 0;
  [[nodiscard]] virtual std::string text(int column, std::string_view name, const std::string& what) const = 0;
  // Ends the statement's use (SQLite resets it, PostgreSQL frees the result).
  virtual void close() noexcept = 0;

 protected:
  ~rows() = default;
};

// The rows of one run, closed when this goes out of scope. A statement id runs once at a time:
// its cursor must be gone before the same id runs again.
class cursor {
 public:
  explicit cursor(rows& r) noexcept : rows_(&r) {}
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  ~cursor() { rows_->close(); }

  rows* operator->() const noexcept { return rows_; }
  const rows& operator*() const noexcept { return *rows_; }

 private:
  rows* rows_;
};

// How a dialect names itself in the messages the shared schema checks write.
struct dialect {
  int schema_version;        // the newest schema this build reads and writes
  const char* database;      // "an SQLite database"
  const char* tables_owner;  // "it has": "... not typetune's (it has the tables a, b and no typetune_meta)"
};

enum class access { read, write };

class connection {
 public:
  connection(std::string url, dialect d) : url_(std::move(url)), dialect_(d) {}
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  virtual ~connection() = default;

  // What messages show: the database's URL (a password hidden).
  [[nodiscard]] const std::string& url() const noexcept { return url_; }
  [[nodiscard]] const dialect& info() const noexcept { return dialect_; }

  // A write transaction holds the database's (SQLite) or takes rows' (PostgreSQL) write locks;
  // a read transaction is one snapshot.
  virtual void begin(access a) = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // Reconnects where the server closed the connection; only between transactions.
  virtual void ensure_open() {}

  // Runs statement `id` with `params` bound in order (?1 or $1 first). Throws storage_error.
  virtual cursor run(stmt id, std::initializer_list<param> params = {}) = 0;

  // The names of the tables in the database (PostgreSQL: in the connection's schema), sorted.
  virtual std::vector<std::string> tables() = 0;
  // Creates typetune's schema, inside a write transaction, where tables() found none; the
  // dialect serialises this between processes where its write transaction does not.
  virtual void lock_schema_creation() {}
  virtual void create_schema() = 0;
  // Brings a schema of version `from` (checked, older than the dialect's) to the dialect's, in
  // the caller's write transaction.
  virtual void migrate_schema(int from) = 0;
  // Called once the schema is known good: the dialect's settings of the connection.
  virtual void schema_checked() {}

 private:
  std::string url_;
  dialect dialect_;
};

// A transaction on `db`, rolled back unless commit() ran.
class transaction {
 public:
  transaction(connection& db, access a) : db_(db) { db_.begin(a); }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  ~transaction() {
    if (open_) db_.rollback();
  }
  void commit() {
    db_.commit();
    open_ = false;
  }

 private:
  connection& db_;
  bool open_ = true;
};

// The dialects' connections (sqlite/connection.cpp, postgres/connection.cpp): each checks and
// opens what the options allow, and throws storage_error (not_found, io) as its entry point's
// header says.
[[nodiscard]] std::unique_ptr<connection> open_sqlite(const std::filesystem::path& path,
                                                      const storage_options& options);
[[nodiscard]] std::unique_ptr<connection> open_postgres(const std::string& conninfo, const storage_options& options);

}  // namespace typetune::sql
