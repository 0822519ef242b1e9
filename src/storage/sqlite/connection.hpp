// A thin RAII layer over the sqlite3 C API: a connection with a cache of prepared statements,
// a statement with typed binds and checked column reads, and a transaction guard. Errors become
// storage_error with the database's URL and SQLite's own message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "typetune/engine/trial_storage.hpp"

namespace typetune::sqlite {

class connection;

// A prepared statement in use: reset (and its bindings cleared) when this goes out of scope.
class statement {
 public:
  statement(connection& db, sqlite3_stmt* stmt) noexcept : db_(&db), stmt_(stmt) {}
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement();

  statement& bind(int index, std::int64_t value);
  statement& bind(int index, double value);
  statement& bind(int index, std::string_view value);
  statement& bind_null(int index);
  // Positional binds from 1 in order.
  template <class... Values>
  statement& bind_all(const Values&... values) {
    int index = 0;
    (bind_one(++index, values), ...);
    return *this;
  }

  // Advances: true when a row is ready, false when done. Throws storage_error on failure.
  bool step();
  // Runs a statement that returns no rows.
  void run();

  // Column reads check the stored type, so a hand-edited row is named, not misread. `what`
  // names the row for the message: "trial 3 of study 'mlp'".
  [[nodiscard]] int type(int column) const;
  [[nodiscard]] std::int64_t integer(int column, std::string_view name, const std::string& what) const;
  [[nodiscard]] double real(int column, std::string_view name, const std::string& what) const;  // integer or real
  [[nodiscard]] std::optional<double> optional_real(int column, std::string_view name, const std::string& what) const;
  [[nodiscard]] std::string text(int column, std::string_view name, const std::string& what) const;

 private:
  template <class T>
  void bind_one(int index, const T& value) {
    if constexpr (std::is_same_v<T, std::nullopt_t>) bind_null(index);
    else if constexpr (std::is_floating_point_v<T>) bind(index, static_cast<double>(value));
    else if constexpr (std::is_integral_v<T>) bind(index, static_cast<std::int64_t>(value));
    else bind(index, std::string_view(value));
  }
  void check(int rc, const char* doing) const;

  connection* db_;
  sqlite3_stmt* stmt_;
};

class connection {
 public:
  // Opens `path` with sqlite3_open_v2 flags; throws storage_error (not_found, io).
  connection(const std::string& path, int flags, std::string url);
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  // A cached prepared statement for `sql` (a string literal: cached by its address).
  [[nodiscard]] statement prepare(const char* sql);
  // Runs one or more statements without results.
  void exec(const char* sql);
  [[nodiscard]] std::int64_t changes() const noexcept { return sqlite3_changes64(db_); }
  [[nodiscard]] std::int64_t last_insert_id() const noexcept { return sqlite3_last_insert_rowid(db_); }
  void busy_timeout(int ms) { sqlite3_busy_timeout(db_, ms); }

  [[nodiscard]] const std::string& url() const noexcept { return url_; }
  // Throws storage_error for a failed call: the code decides the errc, the message has SQLite's.
  [[noreturn]] void fail(int rc, std::string_view doing) const;

 private:
  sqlite3* db_ = nullptr;
  std::string url_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE (write) or BEGIN (read snapshot); rolled back unless commit() ran.
class transaction {
 public:
  enum class kind { read, write };
  transaction(connection& db, kind k);
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  ~transaction();
  void commit();

 private:
  connection& db_;
  bool open_ = true;
};

}  // namespace typetune::sqlite
