// Fixtures of the PostgreSQL storage tests: a fresh database on the test server for each test
// (dropped afterwards), raw SQL on it (to corrupt rows by hand), and a dump of its tables (to
// check that nothing was changed). The server is started by scripts/pg-test-server.sh as a
// CTest fixture, which writes its URL to the file named by TYPETUNE_TEST_POSTGRES_URL_FILE.
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace typetune::testing {

// The server's URL: $TYPETUNE_TEST_POSTGRES_URL, or the first line of the file
// $TYPETUNE_TEST_POSTGRES_URL_FILE names.
inline std::string postgres_server_url() {
  if (const char* url = std::getenv("TYPETUNE_TEST_POSTGRES_URL"); url != nullptr && *url != '\0') return url;
  const char* file = std::getenv("TYPETUNE_TEST_POSTGRES_URL_FILE");
  std::string url;
  if (file != nullptr) {
    std::ifstream in(file);
    std::getline(in, url);
  }
  if (url.empty()) {
    throw std::runtime_error(
        "no PostgreSQL server for the tests: run them through ctest (its fixture starts one with "
        "scripts/pg-test-server.sh), or set TYPETUNE_TEST_POSTGRES_URL=postgresql://user@host:port/db");
  }
  return url;
}

// The same server URL naming database `name`.
inline std::string with_database(const std::string& url, const std::string& name) {
  const auto query = url.find('?');
  const auto base = url.substr(0, query);
  const auto authority = base.find("://");
  const auto slash = base.find('/', authority == std::string::npos ? 0 : authority + 3);
  return (slash == std::string::npos ? base : base.substr(0, slash)) + "/" + name +
         (query == std::string::npos ? "" : url.substr(query));
}

// Runs SQL as a person with psql would; rows come back as text, one string per row with the
// columns joined by '|'.
inline std::vector<std::string> raw_pg(const std::string& url, const std::string& sql,
                                       const std::vector<std::string>& params = {}) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to " + url + ": " + PQerrorMessage(conn.get()));
  }
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  std::unique_ptr<PGresult, decltype(&PQclear)> res(
      params.empty() ? PQexec(conn.get(), sql.c_str())
                     : PQexecParams(conn.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                    nullptr, nullptr, 0),
      &PQclear);
  const auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("SQL failed: " + std::string(PQresultErrorMessage(res.get())) + ": " + sql);
  }
  std::vector<std::string> rows;
  for (int r = 0; r < PQntuples(res.get()); ++r) {
    std::string row;
    for (int c = 0; c < PQnfields(res.get()); ++c) {
      if (c > 0) row += '|';
      row += PQgetisnull(res.get(), r, c) ? "NULL" : PQgetvalue(res.get(), r, c);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// A database of its own on the test server, dropped when this goes out of scope.
class pg_database {
 public:
  pg_database() : server_(postgres_server_url()) {
    static int counter = 0;
    name_ = "typetune_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    raw_pg(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    raw_pg(server_, "CREATE DATABASE " + name_);
  }
  pg_database(const pg_database&) = delete;
  pg_database& operator=(const pg_database&) = delete;
  ~pg_database() {
    try {
      raw_pg(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {
      // The server fixture removes everything when it stops.
    }
  }

  [[nodiscard]] std::string url() const { return with_database(server_, name_); }
  std::vector<std::string> sql(const std::string& text, const std::vector<std::string>& params = {}) const {
    return raw_pg(url(), text, params);
  }
  // Every table of the public schema with its rows, as text: equal dumps, unchanged database.
  [[nodiscard]] std::string dump() const {
    std::string out;
    for (const auto& table : sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")) {
      out += "[" + table + "]\n";
      for (const auto& row : sql("SELECT t::text FROM " + table + " t ORDER BY 1")) out += row + "\n";
    }
    return out;
  }

 private:
  std::string server_;
  std::string name_;
};

}  // namespace typetune::testing
