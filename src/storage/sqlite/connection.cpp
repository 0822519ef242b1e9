// The SQLite dialect (see connection.hpp), and sql::open_sqlite: the checks made before SQLite
// touches a file.
#include "connection.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <system_error>
#include <thread>

#include "statements.hpp"
#include "typetune/storage/sqlite_storage.hpp"

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

}  // namespace

void statement::wrong_type(std::string_view name, const std::string& what, int type, const char* expected) const {
  throw storage_error(storage_errc::corrupt, "typetune: " + db_->url() + ": " + what + ": column '" +
                                                 std::string(name) + "' holds " + type_name(type) + ", not " +
                                                 expected);
}

void statement::bind(int index, const sql::param& value) {
  int rc = SQLITE_OK;
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    rc = sqlite3_bind_int64(stmt_, index, *i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    rc = sqlite3_bind_double(stmt_, index, *d);
  } else if (const auto* s = std::get_if<std::string_view>(&value)) {
    rc = sqlite3_bind_text64(stmt_, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  } else {
    rc = sqlite3_bind_null(stmt_, index);
  }
  if (rc != SQLITE_OK) db_->fail(rc, "binding a value");
}

bool statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail(rc, sqlite3_sql(stmt_));
}

bool statement::next() {
  if (first_) {
    first_ = false;
    return has_row_;
  }
  if (!has_row_) return false;
  has_row_ = step();
  return has_row_;
}

void statement::close() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t statement::integer(int column, std::string_view name, const std::string& what) const {
  const int t = sqlite3_column_type(stmt_, column);
  if (t != SQLITE_INTEGER) wrong_type(name, what, t, "an integer");
  return sqlite3_column_int64(stmt_, column);
}

double statement::real(int column, std::string_view name, const std::string& what) const {
  const int t = sqlite3_column_type(stmt_, column);
  if (t != SQLITE_INTEGER && t != SQLITE_FLOAT) wrong_type(name, what, t, "a number");
  return sqlite3_column_double(stmt_, column);
}

std::optional<double> statement::optional_real(int column, std::string_view name, const std::string& what) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return real(column, name, what);
}

std::string statement::text(int column, std::string_view name, const std::string& what) const {
  const int t = sqlite3_column_type(stmt_, column);
  if (t != SQLITE_TEXT) wrong_type(name, what, t, "text");
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

connection::connection(const std::string& path, int flags, std::string url, int busy_timeout_ms)
    : sql::connection(std::move(url), {sqlite_schema_version, "an SQLite database", "it has"}),
      read_only_((flags & SQLITE_OPEN_READONLY) != 0),
      busy_timeout_ms_(busy_timeout_ms) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw storage_error((rc & 0xff) == SQLITE_CANTOPEN ? storage_errc::not_found : storage_errc::io,
                        "typetune: " + this->url() + ": cannot open the database (" + message + ")");
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

connection::~connection() {
  for (auto& st : statements_) sqlite3_finalize(st.stmt_);
  sqlite3_close(db_);
}

sql::cursor connection::run(sql::stmt id, std::initializer_list<sql::param> params) {
  auto& st = statements_[static_cast<std::size_t>(id)];
  if (st.stmt_ == nullptr) {
    const char* text = statements[id];
    const int rc = sqlite3_prepare_v3(db_, text, -1, SQLITE_PREPARE_PERSISTENT, &st.stmt_, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(st.stmt_);
      st.stmt_ = nullptr;
      fail(rc, text);
    }
    st.db_ = this;
  }
  try {
    int index = 0;
    for (const auto& p : params) st.bind(++index, p);
    st.has_row_ = st.step();
    st.first_ = true;
  } catch (...) {
    st.close();
    throw;
  }
  return sql::cursor(st);
}

void connection::exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  sqlite3_free(message);  // fail() reads the same text from the connection
  if (rc != SQLITE_OK) fail(rc, sql);
}

void connection::begin(sql::access a) { exec(a == sql::access::write ? "BEGIN IMMEDIATE" : "BEGIN"); }

void connection::commit() { exec("COMMIT"); }

void connection::rollback() noexcept {
  try {
    exec("ROLLBACK");
  } catch (...) {
    // A failed statement may already have ended the transaction.
  }
}

std::vector<std::string> connection::first_column(const char* sql, std::string_view name, const std::string& what) {
  std::vector<std::string> out;
  statement rows;
  rows.db_ = this;
  const int rc = sqlite3_prepare_v2(db_, sql, -1, &rows.stmt_, nullptr);
  try {
    if (rc != SQLITE_OK) fail(rc, sql);
    while (rows.step()) out.push_back(rows.text(0, name, what));
  } catch (...) {
    sqlite3_finalize(rows.stmt_);
    throw;
  }
  sqlite3_finalize(rows.stmt_);
  return out;
}

std::vector<std::string> connection::tables() { return first_column(list_tables, "name", "sqlite_master"); }

void connection::create_schema() { exec(sqlite::create_schema); }

void connection::migrate_schema(int from) {
  if (from < 2) exec(sqlite::migrate_to_2);
}

void connection::schema_checked() {
  if (!read_only_) {
    const auto mode = first_column(journal_mode, "journal_mode", "PRAGMA journal_mode");
    if (mode.empty() || mode.front() != "wal") {
      // Switching a new file to WAL takes an exclusive lock, for which SQLite may answer busy at
      // once instead of calling the busy handler (when another process opens the same new file
      // at the same moment): wait for it here, up to the busy timeout.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms_);
      for (;;) {
        try {
          (void)first_column(use_wal, "journal_mode", "PRAGMA journal_mode");
          break;
        } catch (const storage_error&) {
          if ((sqlite3_errcode(db_) & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) throw;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
    }
  }
  exec(connection_settings);
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
  throw storage_error(code,
                      "typetune: " + url() + ": " + sqlite3_errmsg(db_) + hint + " [while: " + statement_text + "]");
}

}  // namespace typetune::sqlite

namespace typetune::sql {
namespace {

std::string url_of(const std::filesystem::path& path) { return "sqlite://" + path.string(); }

// Whether `path` begins with the header of an SQLite database in WAL mode (its read and write
// format versions, bytes 18 and 19, are 2).
bool wal_mode_header(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 20> header{};
  if (!in.read(header.data(), header.size())) return false;
  return std::string_view(header.data(), 16) == std::string_view("SQLite format 3\0", 16) && header[18] == 2 &&
         header[19] == 2;
}

// An SQLite URI filename for `path` (absolute) with `query`: the characters a URI gives a
// meaning to are escaped, the rest is the path as it is.
std::string uri_of(const std::filesystem::path& path, std::string_view query) {
  std::string out = "file://";
  for (const char c : path.string()) {
    if (c == '%' || c == '?' || c == '#') {
      constexpr const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[static_cast<unsigned char>(c) >> 4];
      out += hex[static_cast<unsigned char>(c) & 0xf];
    } else {
      out += c;
    }
  }
  out += '?';
  out.append(query);
  return out;
}

struct how_to_open {
  std::string filename;  // a path, or a URI where flags has SQLITE_OPEN_URI
  int flags;
};

// Checks what can be checked before SQLite touches the file, and how to open it.
how_to_open open_flags(const std::filesystem::path& path, const storage_options& options) {
  const auto url = url_of(path);
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status)) {
    throw storage_error(storage_errc::not_found, "typetune: " + url + ": is a directory, not a study database");
  }
  if (!std::filesystem::exists(status)) {
    if (options.read_only || !options.create_if_missing) {
      throw storage_error(storage_errc::not_found, "typetune: " + url + ": no such file");
    }
    const auto parent = path.parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      throw storage_error(storage_errc::not_found,
                          "typetune: " + url + ": the directory " + parent.string() +
                              " does not exist (sqlite:///x is the absolute path /x; write sqlite://x for a path "
                              "relative to the working directory)");
    }
  }
  // An empty file that must already be a database is refused here, untouched: SQLite would take
  // it for an empty database, which a writer fills with the schema and a reader's pager "cleans
  // up" by deleting a -wal file beside it. (With create_if_missing, an empty file, as mktemp
  // makes, is where the schema goes.)
  if (std::filesystem::is_regular_file(status) && (options.read_only || !options.create_if_missing)) {
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size == 0) {
      throw storage_error(storage_errc::not_found, "typetune: " + url +
                                                       ": an empty file (0 bytes), not a typetune database; "
                                                       "nothing was changed");
    }
  }
  if (!options.read_only) {
    return {path.string(), SQLITE_OPEN_READWRITE | (options.create_if_missing ? SQLITE_OPEN_CREATE : 0)};
  }
  // A reader of a WAL database opens its -wal and -shm files, creating them where they are
  // missing and leaving them behind (a read-only connection may not checkpoint and delete
  // them), and fails in a directory it may not write. A writer keeps the -wal file while it is
  // connected, so without one nobody writes now: a one-shot read (snapshot) then reads the file
  // as immutable, touching nothing. With a -wal file, which may hold committed transactions not
  // yet in the database file, mode=ro reads through it, as every reader that stays open does.
  std::filesystem::path wal = path;
  wal += "-wal";
  const bool immutable = options.snapshot && !std::filesystem::exists(wal, ec) && !ec && wal_mode_header(path);
  return {uri_of(path, immutable ? "mode=ro&immutable=1" : "mode=ro"), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI};
}

}  // namespace

std::unique_ptr<connection> open_sqlite(const std::filesystem::path& path, const storage_options& options) {
  const auto how = open_flags(path, options);
  const auto timeout = std::min<std::chrono::milliseconds::rep>(options.busy_timeout.count(), INT32_MAX);
  return std::make_unique<sqlite::connection>(how.filename, how.flags, url_of(path), static_cast<int>(timeout));
}

}  // namespace typetune::sql
