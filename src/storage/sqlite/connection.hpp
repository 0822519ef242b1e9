// The SQLite dialect of sql::connection, a thin RAII layer over the sqlite3 C API: the
// storage's statements prepared once each and cached by id, typed binds, checked column reads,
// BEGIN IMMEDIATE write transactions, WAL and the busy timeout. Errors become storage_error with
// the database's URL and SQLite's own message.
#pragma once

#include <sqlite3.h>

#include <array>
#include <string>
#include <string_view>

#include "../sql_connection.hpp"

namespace typetune::sqlite {

class connection;

// A prepared statement of the storage, in use from run() to close().
class statement final : public sql::rows {
 public:
  bool next() override;
  [[nodiscard]] std::int64_t integer(int column, std::string_view name, const std::string& what) const override;
  [[nodiscard]] double real(int column, std::string_view name, const std::string& what) const override;
  [[nodiscard]] std::optional<double> optional_real(int column, std::string_view name,
                                                    const std::string& what) const override;
  [[nodiscard]] std::string text(int column, std::string_view name, const std::string& what) const override;
  void close() noexcept override;

 private:
  friend class connection;
  void bind(int index, const sql::param& value);
  bool step();
  [[noreturn]] void wrong_type(std::string_view name, const std::string& what, int type, const char* expected) const;

  connection* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  bool first_ = false;  // the first row (or the end) is the one run() stepped to
  bool has_row_ = false;
};

class connection final : public sql::connection {
 public:
  // Opens `path` (a file path, or a URI filename with SQLITE_OPEN_URI among the flags) with
  // sqlite3_open_v2 flags; throws storage_error (not_found, io).
  connection(const std::string& path, int flags, std::string url, int busy_timeout_ms);
  ~connection() override;

  void begin(sql::access a) override;
  void commit() override;
  void rollback() noexcept override;
  sql::cursor run(sql::stmt id, std::initializer_list<sql::param> params) override;
  std::vector<std::string> tables() override;
  void create_schema() override;
  void migrate_schema(int from) override;
  void schema_checked() override;

  // Throws storage_error for a failed call: the code decides the errc, the message has SQLite's.
  [[noreturn]] void fail(int rc, std::string_view doing) const;

 private:
  // Runs one or more statements without results.
  void exec(const char* sql);
  // Runs `sql` (not one of the storage's: prepared for this call only); column 0 of its rows.
  std::vector<std::string> first_column(const char* sql, std::string_view name, const std::string& what);

  sqlite3* db_ = nullptr;
  bool read_only_;
  int busy_timeout_ms_;
  std::array<statement, sql::statement_count> statements_{};
};

}  // namespace typetune::sqlite
