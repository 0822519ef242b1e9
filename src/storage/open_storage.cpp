// Storage URLs and the dispatch to backends (see typetune/storage/open_storage.hpp).
#include "typetune/storage/open_storage.hpp"

#include <charconv>
#include <cmath>

#include "typetune/storage/sqlite_storage.hpp"
#if TYPETUNE_HAS_POSTGRES
#include "typetune/storage/postgres_storage.hpp"
#endif

namespace typetune {
namespace {

[[noreturn]] void bad_url(std::string_view url, const std::string& problem) {
  throw storage_error(storage_errc::bad_url, "typetune: storage URL '" + std::string(url) + "': " + problem);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decoded(std::string_view text, std::string_view url) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int hi = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
    const int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) bad_url(url, "'%' must be followed by two hex digits");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// Applies typetune's own options (mode, timeout) from a URL's query; returns the items it does
// not know, joined by '&', where `passed_on` allows them (libpq reads its own, sslmode=...).
std::string apply_query(std::string_view query, std::string_view url, storage_options& options, bool passed_on = false) {
  std::string rest;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) bad_url(url, std::string("'").append(item).append("' is not key=value"));
    const auto key = item.substr(0, eq);
    const auto value = item.substr(eq + 1);
    if (key == "mode") {
      if (value == "ro") {
        options.read_only = true;
        options.create_if_missing = false;
      } else if (value == "rw") {
        options.read_only = false;
        options.create_if_missing = false;
      } else if (value == "rwc") {
        options.read_only = false;
        options.create_if_missing = true;
      } else {
        bad_url(url, "mode must be ro, rw or rwc, not '" + std::string(value) + "'");
      }
    } else if (key == "timeout") {
      double seconds = -1;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec != std::errc{} || end != value.data() + value.size() || !(seconds >= 0) || !std::isfinite(seconds)) {
        bad_url(url, "timeout must be a number of seconds, not '" + std::string(value) + "'");
      }
      options.busy_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000)));
    } else if (passed_on) {
      if (!rest.empty()) rest += '&';
      rest += item;
    } else {
      bad_url(url, "unknown option '" + std::string(key) + "' (known: mode, timeout)");
    }
  }
  return rest;
}

}  // namespace

storage_url parse_storage_url(std::string_view url, const storage_options& defaults) {
  storage_url out;
  out.options = defaults;
  if (url.empty() || url == "memory" || url == "memory:" || url == "memory://") {
    out.scheme = "memory";
    return out;
  }
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    bad_url(url, "no scheme; write sqlite:///absolute/path.db, sqlite://relative/path.db or memory:");
  }
  out.scheme = std::string(url.substr(0, colon));
  auto rest = url.substr(colon + 1);
  if (out.scheme == "postgres") out.scheme = "postgresql";
  if (out.scheme == "postgresql") {
    // postgresql://user@host:port/db?mode=rw&timeout=5&sslmode=require: typetune keeps mode and
    // timeout; the URL without them goes to libpq, which reads the rest.
    if (!rest.starts_with("//")) bad_url(url, "a PostgreSQL URL starts with postgresql:// (postgresql://user@host/db)");
    const auto question = rest.find('?');
    out.rest = std::string(rest.substr(0, question));
    if (question != std::string_view::npos) {
      const auto passed = apply_query(rest.substr(question + 1), url, out.options, true);
      if (!passed.empty()) {
        out.rest += '?';
        out.rest += passed;
      }
    }
    return out;
  }
  if (out.scheme != "sqlite") {
    out.rest = std::string(rest);
    return out;
  }
  if (!rest.starts_with("//")) bad_url(url, "an SQLite URL starts with sqlite:// (sqlite:///abs/path.db)");
  rest.remove_prefix(2);
  const auto question = rest.find('?');
  if (question != std::string_view::npos) {
    apply_query(rest.substr(question + 1), url, out.options);
    rest = rest.substr(0, question);
  }
  if (rest.empty() || rest == "/") bad_url(url, "no file path after sqlite://");
  out.path = percent_decoded(rest, url);
  return out;
}

std::shared_ptr<trial_storage> open_storage(std::string_view url, const storage_options& defaults) {
  const auto parsed = parse_storage_url(url, defaults);
  if (parsed.scheme == "memory") return make_memory_storage();
  if (parsed.scheme == "sqlite") return open_sqlite_storage(parsed.path, parsed.options);
  if (parsed.scheme == "postgresql") {
#if TYPETUNE_HAS_POSTGRES
    std::string conninfo = "postgresql:";
    conninfo.append(parsed.rest);
    return open_postgres_storage(conninfo, parsed.options);
#else
    bad_url(url, "this build of typetune has no PostgreSQL backend (configure with libpq-dev installed); use "
                 "sqlite:///path/to/studies.db");
#endif
  }
  bad_url(url, "unknown scheme '" + parsed.scheme + "' (known: sqlite, postgresql, memory)");
}

}  // namespace typetune
