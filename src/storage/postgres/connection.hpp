// A thin RAII layer over libpq: a connection with a cache of prepared statements, a result with
// checked column reads (text format), and a transaction guard. Errors become storage_error with
// the database's URL (password hidden) and the server's own message.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "typetune/engine/trial_storage.hpp"

namespace typetune::postgres {

// One statement parameter in libpq's text form; nullopt is SQL NULL.
using param = std::optional<std::string>;

[[nodiscard]] param arg(std::int64_t value);
[[nodiscard]] param arg(double value);  // shortest text that reads back to the same double
[[nodiscard]] param arg(std::string_view value);
[[nodiscard]] param arg(std::optional<double> value);

// The rows of a query. Column reads check what the server sent, so a hand-edited row is named,
// not misread. `what` names the row for the message: "study 'mlp', trial 3".
class result {
 public:
  result(PGresult* res, const std::string& url) noexcept : res_(res), url_(&url) {}
  result(const result&) = delete;
  result& operator=(const result&) = delete;
  result(result&& other) noexcept : res_(other.res_), url_(other.url_) { other.res_ = nullptr; }
  result& operator=(result&&) = delete;
  ~result() { PQclear(res_); }

  [[nodiscard]] int rows() const noexcept { return PQntuples(res_); }
  // Rows an INSERT, UPDATE or DELETE touched.
  [[nodiscard]] std::int64_t affected() const;
  [[nodiscard]] bool is_null(int row, int column) const noexcept { return PQgetisnull(res_, row, column) != 0; }
  [[nodiscard]] std::int64_t integer(int row, int column, std::string_view name, const std::string& what) const;
  [[nodiscard]] double real(int row, int column, std::string_view name, const std::string& what) const;
  [[nodiscard]] std::optional<double> optional_real(int row, int column, std::string_view name,
                                                    const std::string& what) const;
  [[nodiscard]] std::string text(int row, int column, std::string_view name, const std::string& what) const;

 private:
  friend class connection;
  [[noreturn]] void wrong(std::string_view name, const std::string& what, const std::string& problem) const;
  std::string_view raw(int row, int column, std::string_view name, const std::string& what) const;

  PGresult* res_;
  const std::string* url_;
};

class connection {
 public:
  // Connects with a libpq connection string or URI; throws storage_error (not_found for a
  // database that does not exist, io otherwise). `url` is what messages show.
  connection(const std::string& conninfo, std::string url);
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  // Runs `sql` (a string literal: prepared once per connection, cached by its address).
  result query(const char* sql, std::initializer_list<param> params = {});
  // Runs one or more statements without parameters or rows.
  void exec(const char* sql);
  // Reconnects when the server closed the connection (a restart, an idle timeout); only between
  // transactions.
  void ensure_open();

  [[nodiscard]] const std::string& url() const noexcept { return url_; }
  [[noreturn]] void fail(const PGresult* res, std::string_view doing) const;

 private:
  PGconn* conn_ = nullptr;
  std::string url_;
  std::unordered_map<const char*, std::string> prepared_;
};

// BEGIN (write: read committed, rows locked explicitly) or BEGIN REPEATABLE READ READ ONLY (a
// snapshot); rolled back unless commit() ran.
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

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db", for messages.
[[nodiscard]] std::string hide_password(std::string_view url);

}  // namespace typetune::postgres
