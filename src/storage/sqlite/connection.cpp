// The RAII layer over sqlite3 (see connection.hpp).
#include "connection.hpp"

namespace typetune::sqlite {
namespace {

const char* type_name(int type) {
  switch (type) {
    case SQLITE_INTEGER: return "an integer";
    case SQLITE_FLOAT: return "a real";
    case SQLITE_TEXT: return "text";
    case SQLITE_BLOB: return "a blob";
    case SQLITE_NULL: return "NULL";
  }
  return "an unknown type";
}

[[noreturn]] void wrong_type(std::string_view name, const std::string& what, int type, const char* expected,
                             const std::string& url) {
  throw storage_error(storage_errc::corrupt, "typetune: " + url + ": " + what + ": column '" + std::string(name) +
                                                 "' holds " + type_name(type) + ", not " + expected);
}

}  // namespace

statement::~statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void statement::check(int rc, const char* doing) const {
  if (rc != SQLITE_OK) db_->fail(rc, doing);
}

statement& statement::bind(int index, std::int64_t value) {
  check(sqlite3_bind_int64(stmt_, index, value), "binding a value");
  return *this;
}

statement& statement::bind(int index, double value) {
  check(sqlite3_bind_double(stmt_, index, value), "binding a value");
  return *this;
}

statement& statement::bind(int index, std::string_view value) {
  check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
        "binding a value");
  return *this;
}

statement& statement::bind_null(int index) {
  check(sqlite3_bind_null(stmt_, index), "binding a value");
  return *this;
}

bool statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail(rc, sqlite3_sql(stmt_));
}

void statement::run() {
  while (step()) {
  }
}

int statement::type(int column) const { return sqlite3_column_type(stmt_, column); }

std::int64_t statement::integer(int column, std::string_view name, const std::string& what) const {
  const int t = type(column);
  if (t != SQLITE_INTEGER) wrong_type(name, what, t, "an integer", db_->url());
  return sqlite3_column_int64(stmt_, column);
}

double statement::real(int column, std::string_view name, const std::string& what) const {
  const int t = type(column);
  if (t != SQLITE_INTEGER && t != SQLITE_FLOAT) wrong_type(name, what, t, "a number", db_->url());
  return sqlite3_column_double(stmt_, column);
}

std::optional<double> statement::optional_real(int column, std::string_view name, const std::string& what) const {
  if (type(column) == SQLITE_NULL) return std::nullopt;
  return real(column, name, what);
}

std::string statement::text(int column, std::string_view name, const std::string& what) const {
  const int t = type(column);
  if (t != SQLITE_TEXT) wrong_type(name, what, t, "text", db_->url());
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

connection::connection(const std::string& path, int flags, std::string url) : url_(std::move(url)) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw storage_error((rc & 0xff) == SQLITE_CANTOPEN ? storage_errc::not_found : storage_errc::io,
                        "typetune: " + url_ + ": cannot open the database (" + message + ")");
  }
  sqlite3_extended_result_codes(db_, 1);
}

connection::~connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

statement connection::prepare(const char* sql) {
  auto& stmt = cache_[sql];
  if (stmt == nullptr) {
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      stmt = nullptr;
      cache_.erase(sql);
      fail(rc, sql);
    }
  }
  return statement(*this, stmt);
}

void connection::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  sqlite3_free(message);  // fail() reads the same text from the connection
  if (rc != SQLITE_OK) fail(rc, sql);
}

void connection::fail(int rc, std::string_view doing) const {
  const int primary = rc & 0xff;
  storage_errc code = storage_errc::io;
  std::string hint;
  switch (primary) {
    case SQLITE_NOTADB:
      code = storage_errc::not_typetune;
      hint = " (the file is not an SQLite database, so it is no typetune study database)";
      break;
    case SQLITE_CORRUPT: code = storage_errc::corrupt; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: hint = " (another process held the database longer than the busy timeout)"; break;
    case SQLITE_READONLY: hint = " (opened read-only, or the file or its directory is not writable)"; break;
    case SQLITE_CANTOPEN: code = storage_errc::not_found; break;
    default: break;
  }
  std::string statement_text(doing.substr(0, 120));
  for (auto& c : statement_text)
    if (c == '\n') c = ' ';
  throw storage_error(code, "typetune: " + url_ + ": " + sqlite3_errmsg(db_) + hint + " [while: " + statement_text + "]");
}

transaction::transaction(connection& db, kind k) : db_(db) {
  db_.exec(k == kind::write ? "BEGIN IMMEDIATE" : "BEGIN");
}

transaction::~transaction() {
  if (!open_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
    // A failed statement may already have ended the transaction.
  }
}

void transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace typetune::sqlite
