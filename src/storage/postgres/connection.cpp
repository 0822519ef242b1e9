// The PostgreSQL dialect (see connection.hpp), and sql::open_postgres.
#include "connection.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iterator>
#include <memory>
#include <system_error>

#include "statements.hpp"
#include "typetune/storage/postgres_storage.hpp"

namespace typetune::postgres {
namespace {

std::string trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (auto& c : out)
    if (c == '\n') c = ' ';
  return out;
}

void ignore_notice(void*, const char*) {}

// A parameter in libpq's text form (a double as the shortest text that reads back the same);
// false for NULL.
bool to_text(const sql::param& value, std::string& out) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    out = std::to_string(*i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    if (std::isnan(*d)) {
      out = "NaN";
    } else if (std::isinf(*d)) {
      out = *d > 0 ? "Infinity" : "-Infinity";
    } else {
      char buffer[64];
      const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, *d);
      out.assign(buffer, end);
    }
  } else if (const auto* s = std::get_if<std::string_view>(&value)) {
    out.assign(*s);
  } else {
    return false;
  }
  return true;
}

// Frees a result that is not one of the storage's cached statements' (exec, prepare).
using owned_result = std::unique_ptr<PGresult, decltype(&PQclear)>;

}  // namespace

std::string hide_password(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto authority_begin = scheme_end + 3;
  const auto at = url.find('@', authority_begin);
  const auto slash = url.find('/', authority_begin);
  if (at == std::string_view::npos || (slash != std::string_view::npos && slash < at)) return std::string(url);
  const auto colon = url.find(':', authority_begin);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

void result::wrong(std::string_view name, const std::string& what, const std::string& problem) const {
  throw storage_error(storage_errc::corrupt,
                      "typetune: " + db_->url() + ": " + what + ": column '" + std::string(name) + "' " + problem);
}

std::string_view result::raw(int column, std::string_view name, const std::string& what) const {
  if (PQgetisnull(res_, row_, column) != 0) wrong(name, what, "is NULL");
  return {PQgetvalue(res_, row_, column), static_cast<std::size_t>(PQgetlength(res_, row_, column))};
}

std::int64_t result::integer(int column, std::string_view name, const std::string& what) const {
  const auto text = raw(column, name, what);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    wrong(name, what, "holds '" + std::string(text.substr(0, 40)) + "', not an integer");
  }
  return v;
}

double result::real(int column, std::string_view name, const std::string& what) const {
  const auto text = raw(column, name, what);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v)) {
    wrong(name, what, "holds '" + std::string(text.substr(0, 40)) + "', not a finite number");
  }
  return v;
}

std::optional<double> result::optional_real(int column, std::string_view name, const std::string& what) const {
  if (PQgetisnull(res_, row_, column) != 0) return std::nullopt;
  return real(column, name, what);
}

std::string result::text(int column, std::string_view name, const std::string& what) const {
  return std::string(raw(column, name, what));
}

void result::close() noexcept {
  PQclear(res_);
  res_ = nullptr;
}

connection::connection(const std::string& conninfo, std::string url)
    : sql::connection(std::move(url), {postgres_schema_version, "a PostgreSQL database", "its schema has"}) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (conn_ == nullptr)
    throw storage_error(storage_errc::io, "typetune: " + this->url() + ": libpq could not allocate a connection");
  if (PQstatus(conn_) != CONNECTION_OK) {
    const auto message = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    const bool missing = message.find("does not exist") != std::string::npos;
    throw storage_error(missing ? storage_errc::not_found : storage_errc::io,
                        "typetune: " + this->url() + ": cannot connect to the PostgreSQL server (" + message + ")");
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  for (auto& r : results_) r.db_ = this;
}

connection::~connection() {
  for (auto& r : results_) r.close();
  PQfinish(conn_);
}

void connection::ensure_open() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  PQreset(conn_);
  prepared_.fill(false);  // prepared statements live in the server session that ended
  if (PQstatus(conn_) != CONNECTION_OK) {
    throw storage_error(storage_errc::io, "typetune: " + url() + ": lost the connection to the PostgreSQL server (" +
                                              trimmed(PQerrorMessage(conn_)) + ")");
  }
}

sql::cursor connection::run(sql::stmt id, std::initializer_list<sql::param> params) {
  const auto index = static_cast<std::size_t>(id);
  const char* sql = statements[id];
  const std::string name = "typetune_" + std::to_string(index);
  if (!prepared_[index]) {
    const owned_result prepared(PQprepare(conn_, name.c_str(), sql, 0, nullptr), &PQclear);
    if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) fail(prepared.get(), sql);
    prepared_[index] = true;
  }
  constexpr std::size_t most = 16;
  if (params.size() > most) {
    throw storage_error(storage_errc::io, "typetune: " + url() + ": too many parameters for one statement [while: " +
                                              std::string(sql).substr(0, 120) + "]");
  }
  std::array<std::string, most> texts;
  std::array<const char*, most> values{};
  int count = 0;
  for (const auto& p : params) {
    if (to_text(p, texts[count])) values[count] = texts[count].c_str();
    ++count;
  }
  auto& out = results_[index];
  out.close();
  out.res_ = PQexecPrepared(conn_, name.c_str(), count, values.data(), nullptr, nullptr, 0);
  out.row_ = -1;
  const auto status = PQresultStatus(out.res_);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    try {
      fail(out.res_, sql);
    } catch (...) {
      out.close();
      throw;
    }
  }
  return sql::cursor(out);
}

void connection::exec(const char* sql) {
  const owned_result out(PQexec(conn_, sql), &PQclear);
  const auto status = PQresultStatus(out.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(out.get(), sql);
}

void connection::begin(sql::access a) {
  ensure_open();
  exec(a == sql::access::write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

void connection::commit() { exec("COMMIT"); }

void connection::rollback() noexcept {
  try {
    exec("ROLLBACK");
  } catch (...) {
    // The connection may be gone; the server rolls back on its own then.
  }
}

std::vector<std::string> connection::tables() {
  const owned_result res(PQexec(conn_, list_tables), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) fail(res.get(), list_tables);
  result rows;
  rows.db_ = this;
  rows.res_ = res.get();
  std::vector<std::string> out;
  while (rows.next()) out.push_back(rows.text(0, "tablename", "pg_tables"));
  rows.res_ = nullptr;  // freed by `res`
  return out;
}

void connection::lock_schema_creation() { exec(schema_lock); }

void connection::create_schema() { exec(postgres::create_schema); }

void connection::migrate_schema(int from) {
  if (from < 2) exec(postgres::migrate_to_2);
}

void connection::fail(const PGresult* res, std::string_view doing) const {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  std::string hint;
  storage_errc code = storage_errc::io;
  if (sqlstate == "55P03") hint = " (another process held the study's lock longer than the timeout)";
  if (sqlstate == "25006") hint = " (opened read-only)";
  if (sqlstate.starts_with("42")) code = storage_errc::corrupt;  // a table or column is missing or mistyped
  std::string message = res != nullptr ? trimmed(PQresultErrorMessage(res)) : "";
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  std::string statement_text(doing.substr(0, 120));
  for (auto& c : statement_text)
    if (c == '\n') c = ' ';
  throw storage_error(code, "typetune: " + url() + ": " + message + hint + " [while: " + statement_text + "]");
}

}  // namespace typetune::postgres

namespace typetune::sql {

std::unique_ptr<connection> open_postgres(const std::string& conninfo, const storage_options& options) {
  // libpq waits for a server that accepts the connection but never answers for as long as the
  // operating system's TCP timeouts allow (minutes); a URL without its own connect_timeout gets
  // 10 s.
  std::string with_timeout = conninfo;
  if (conninfo.find("connect_timeout=") == std::string::npos) {
    const bool uri = conninfo.starts_with("postgresql://") || conninfo.starts_with("postgres://");
    with_timeout += uri ? (conninfo.find('?') == std::string::npos ? "?" : "&") : " ";
    with_timeout += "connect_timeout=10";
  }
  auto db = std::make_unique<postgres::connection>(with_timeout, postgres::hide_password(conninfo));
  // A call waits this long for a study's row lock before failing (storage_error, io).
  const auto ms = std::to_string(std::max<std::chrono::milliseconds::rep>(options.busy_timeout.count(), 1));
  const std::string settings = "SET lock_timeout = " + ms +
                               (options.read_only ? "; SET default_transaction_read_only = on" : "");
  db->exec(settings.c_str());
  return db;
}

}  // namespace typetune::sql
