// The PostgreSQL dialect of sql::connection, a thin RAII layer over libpq: the storage's
// statements prepared once per server session and cached by id, parameters and rows in text
// form with checked column reads, READ COMMITTED write transactions (rows locked explicitly) and
// REPEATABLE READ read snapshots, a reconnect between transactions. Errors become storage_error
// with the database's URL (password hidden) and the server's own message.
#pragma once

#include <libpq-fe.h>

#include <array>
#include <string>
#include <string_view>

#include "../sql_connection.hpp"

namespace typetune::postgres {

class connection;

// The rows of a statement of the storage, from run() to close().
class result final : public sql::rows {
 public:
  bool next() override { return ++row_ < PQntuples(res_); }
  [[nodiscard]] std::int64_t integer(int column, std::string_view name, const std::string& what) const override;
  [[nodiscard]] double real(int column, std::string_view name, const std::string& what) const override;
  [[nodiscard]] std::optional<double> optional_real(int column, std::string_view name,
                                                    const std::string& what) const override;
  [[nodiscard]] std::string text(int column, std::string_view name, const std::string& what) const override;
  void close() noexcept override;

 private:
  friend class connection;
  [[noreturn]] void wrong(std::string_view name, const std::string& what, const std::string& problem) const;
  std::string_view raw(int column, std::string_view name, const std::string& what) const;

  const connection* db_ = nullptr;
  PGresult* res_ = nullptr;
  int row_ = -1;
};

class connection final : public sql::connection {
 public:
  // Connects with a libpq connection string or URI; throws storage_error (not_found for a
  // database that does not exist, io otherwise). `url` is what messages show.
  connection(const std::string& conninfo, std::string url);
  ~connection() override;

  void begin(sql::access a) override;
  void commit() override;
  void rollback() noexcept override;
  // Reconnects when the server closed the connection (a restart, an idle timeout).
  void ensure_open() override;
  sql::cursor run(sql::stmt id, std::initializer_list<sql::param> params) override;
  std::vector<std::string> tables() override;
  void lock_schema_creation() override;
  void create_schema() override;
  void migrate_schema(int from) override;

  // Runs one or more statements without parameters or rows.
  void exec(const char* sql);
  [[noreturn]] void fail(const PGresult* res, std::string_view doing) const;

 private:
  PGconn* conn_ = nullptr;
  std::array<bool, sql::statement_count> prepared_{};
  std::array<result, sql::statement_count> results_{};
};

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db", for messages.
[[nodiscard]] std::string hide_password(std::string_view url);

}  // namespace typetune::postgres
