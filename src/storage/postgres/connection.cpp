// The RAII layer over libpq (see connection.hpp).
#include "connection.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <system_error>

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

}  // namespace

param arg(std::int64_t value) { return std::to_string(value); }

param arg(double value) {
  if (std::isnan(value)) return std::string("NaN");
  if (std::isinf(value)) return std::string(value > 0 ? "Infinity" : "-Infinity");
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

param arg(std::string_view value) { return std::string(value); }

param arg(std::optional<double> value) {
  if (!value) return std::nullopt;
  return arg(*value);
}

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

std::int64_t result::affected() const {
  const char* text = PQcmdTuples(res_);
  std::int64_t n = 0;
  std::from_chars(text, text + std::strlen(text), n);
  return n;
}

void result::wrong(std::string_view name, const std::string& what, const std::string& problem) const {
  throw storage_error(storage_errc::corrupt,
                      "typetune: " + *url_ + ": " + what + ": column '" + std::string(name) + "' " + problem);
}

std::string_view result::raw(int row, int column, std::string_view name, const std::string& what) const {
  if (is_null(row, column)) wrong(name, what, "is NULL");
  return {PQgetvalue(res_, row, column), static_cast<std::size_t>(PQgetlength(res_, row, column))};
}

std::int64_t result::integer(int row, int column, std::string_view name, const std::string& what) const {
  const auto text = raw(row, column, name, what);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    wrong(name, what, "holds '" + std::string(text.substr(0, 40)) + "', not an integer");
  }
  return v;
}

double result::real(int row, int column, std::string_view name, const std::string& what) const {
  const auto text = raw(row, column, name, what);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v)) {
    wrong(name, what, "holds '" + std::string(text.substr(0, 40)) + "', not a finite number");
  }
  return v;
}

std::optional<double> result::optional_real(int row, int column, std::string_view name, const std::string& what) const {
  if (is_null(row, column)) return std::nullopt;
  return real(row, column, name, what);
}

std::string result::text(int row, int column, std::string_view name, const std::string& what) const {
  return std::string(raw(row, column, name, what));
}

connection::connection(const std::string& conninfo, std::string url) : url_(std::move(url)) {
  conn_ = PQconnectdb(conninfo.c_str());
  if (conn_ == nullptr) throw storage_error(storage_errc::io, "typetune: " + url_ + ": libpq could not allocate a connection");
  if (PQstatus(conn_) != CONNECTION_OK) {
    const auto message = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    const bool missing = message.find("does not exist") != std::string::npos;
    throw storage_error(missing ? storage_errc::not_found : storage_errc::io,
                        "typetune: " + url_ + ": cannot connect to the PostgreSQL server (" + message + ")");
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
}

connection::~connection() { PQfinish(conn_); }

void connection::ensure_open() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  PQreset(conn_);
  prepared_.clear();  // prepared statements live in the server session that ended
  if (PQstatus(conn_) != CONNECTION_OK) {
    throw storage_error(storage_errc::io, "typetune: " + url_ + ": lost the connection to the PostgreSQL server (" +
                                              trimmed(PQerrorMessage(conn_)) + ")");
  }
}

result connection::query(const char* sql, std::initializer_list<param> params) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    std::string name = "typetune_" + std::to_string(prepared_.size());
    result prepared(PQprepare(conn_, name.c_str(), sql, 0, nullptr), url_);
    if (PQresultStatus(prepared.res_) != PGRES_COMMAND_OK) fail(prepared.res_, sql);
    found = prepared_.emplace(sql, std::move(name)).first;
  }
  const char* values[16] = {};
  if (params.size() > std::size(values)) {
    throw storage_error(storage_errc::io, "typetune: " + url_ + ": too many parameters for one statement [while: " +
                                              std::string(sql).substr(0, 120) + "]");
  }
  const int count = static_cast<int>(params.size());
  int i = 0;
  for (const auto& p : params) values[i++] = p ? p->c_str() : nullptr;
  result out(PQexecPrepared(conn_, found->second.c_str(), count, values, nullptr, nullptr, 0), url_);
  const auto status = PQresultStatus(out.res_);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(out.res_, sql);
  return out;
}

void connection::exec(const char* sql) {
  result out(PQexec(conn_, sql), url_);
  const auto status = PQresultStatus(out.res_);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) fail(out.res_, sql);
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
  throw storage_error(code, "typetune: " + url_ + ": " + message + hint + " [while: " + statement_text + "]");
}

transaction::transaction(connection& db, kind k) : db_(db) {
  db_.ensure_open();
  db_.exec(k == kind::write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

transaction::~transaction() {
  if (!open_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
    // The connection may be gone; the server rolls back on its own then.
  }
}

void transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

}  // namespace typetune::postgres
