// `typetune serve` (serve.hpp). Each study a page asks for is kept as an immutable snapshot
// (its export, its storage version, and the version at which each trial last changed), read
// again from storage at most every `refresh` by whichever request comes first: the storage
// sees a few small delta reads a second however many pages watch, and running workers are not
// held up by them (SQLite readers in WAL mode take no lock a writer waits for). The plots are
// drawn from a snapshot at most every `redraw`, by one request at a time while the others keep
// the last drawing; table rows are drawn per request for the trials the page has not seen.
#include "serve.hpp"

#include "short_number.hpp"

#include <httplib.h>
#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "typetune/desc/render.hpp"
#include "typetune/desc/study_export.hpp"
#include "typetune/detail/utf8.hpp"
#include "typetune/report/html_report.hpp"
#include "typetune/storage/open_storage.hpp"

namespace typetune::cli {
namespace {

using clock = std::chrono::steady_clock;
using json = nlohmann::json;

// A request the server refuses: the status (4xx) and a short message for the body.
struct http_error : std::runtime_error {
  int status;
  http_error(int s, const std::string& message) : std::runtime_error(message), status(s) {}
};

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

// Percent-encodes all but unreserved characters: a study name in a query string.
std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// A version in a query: decimal digits that fit 64 bits; anything else is a 400 naming it.
std::uint64_t version_param(const httplib::Request& req, const char* key) {
  if (!req.has_param(key)) return 0;
  const auto text = req.get_param_value(key);
  std::uint64_t v = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    std::string shown = text.substr(0, 40);
    if (!detail::is_utf8(shown)) shown = "(not UTF-8)";
    throw http_error(400, std::string(key) + "=" + shown + " is not a whole number from 0 to 2^64 - 1");
  }
  return v;
}

std::string name_param(const httplib::Request& req) {
  if (!req.has_param("name")) throw http_error(400, "which study? add ?name=STUDY (the list is at /)");
  auto name = req.get_param_value("name");
  if (!detail::is_utf8(name)) throw http_error(400, "the study name is not valid UTF-8");
  if (name.size() > 4096) throw http_error(400, "the study name is longer than any study's (4096 bytes)");
  return name;
}

// A study as the pages see it: never changed once made; a newer read makes a new one.
struct snapshot {
  study_export study;
  std::uint64_t version = 0;
  std::vector<std::uint64_t> changed_at;  // per trial (by position): the version it last changed at
  report_table table;                     // the trial table's columns for these trials
  std::string columns;                    // and their signature
};

// The plots drawn from one snapshot, as the JSON object the endpoint sends.
struct drawing {
  std::uint64_t version = 0;
  std::string sections;  // {"summary": "<p>...", ...}
  clock::time_point at;
  clock::duration took{};
};

class live_study {
 public:
  live_study(std::uint64_t id, study_info info) : id_(id) {
    auto first = std::make_shared<snapshot>();
    first->study.study = std::move(info);
    first->columns = first->table.signature(first->study);
    current_ = std::move(first);
  }

  // The snapshot, read again when the last read is older than `refresh`. nullptr when the
  // study is gone from storage.
  std::shared_ptr<const snapshot> get(trial_storage& storage, std::mutex& storage_mutex, clock::duration refresh) {
    std::lock_guard lock(mutex_);
    const auto now = clock::now();
    if (read_ && now - read_at_ < refresh) return current_;
    trial_delta delta;
    std::optional<study_record> record;
    {
      std::lock_guard storage_lock(storage_mutex);
      record = storage.find_study(current_->study.study.name);
      if (!record || record->id != id_) return nullptr;
      delta = storage.read_trials(id_, current_->version);
    }
    read_ = true;
    read_at_ = now;
    const bool info_changed = record->info.attributes != current_->study.study.attributes;
    if (delta.trials.empty() && delta.version == current_->version && !info_changed) return current_;
    auto next = std::make_shared<snapshot>(*current_);
    next->study.study = std::move(record->info);
    next->version = std::max(delta.version, current_->version);
    auto& trials = next->study.trials;
    for (const auto& changed : delta.trials) {
      const auto at = std::lower_bound(trials.begin(), trials.end(), changed->number,
                                       [](const trial_record& t, std::uint64_t n) { return t.number < n; });
      const auto pos = static_cast<std::size_t>(at - trials.begin());
      if (at != trials.end() && at->number == changed->number) {
        *at = *changed;
        next->changed_at[pos] = next->version;
      } else {
        trials.insert(at, *changed);
        next->changed_at.insert(next->changed_at.begin() + static_cast<std::ptrdiff_t>(pos), next->version);
      }
    }
    next->table = report_table_of(next->study);
    next->columns = next->table.signature(next->study);
    current_ = std::move(next);
    return current_;
  }

  // The plots of `snap` or of an older snapshot: drawn again when they are older than the
  // snapshot and than `redraw` (or three times the last drawing's time), by one caller at a
  // time; the others get the last drawing meanwhile.
  std::shared_ptr<const drawing> plots(const std::shared_ptr<const snapshot>& snap, clock::duration redraw) {
    {
      std::lock_guard lock(mutex_);
      if (drawing_ &&
          (drawing_->version == snap->version || clock::now() - drawing_->at < std::max(redraw, 3 * drawing_->took)))
        return drawing_;
    }
    std::unique_lock draw_lock(draw_mutex_, std::try_to_lock);
    if (!draw_lock.owns_lock()) {
      {
        std::lock_guard lock(mutex_);
        if (drawing_) return drawing_;
      }
      draw_lock.lock();  // no drawing yet: wait for the first one
    }
    {
      std::lock_guard lock(mutex_);
      if (drawing_ && drawing_->version >= snap->version) return drawing_;
    }
    const auto start = clock::now();
    auto d = std::make_shared<drawing>();
    d->version = snap->version;
    report_options options;
    options.now = unix_now();
    json sections = json::object();
    for (auto& section : report_sections(snap->study, options)) sections[section.id] = std::move(section.html);
    d->sections = sections.dump(-1, ' ', false, json::error_handler_t::replace);
    d->at = clock::now();
    d->took = d->at - start;
    std::lock_guard lock(mutex_);
    drawing_ = d;
    return drawing_;
  }

 private:
  std::uint64_t id_;
  std::mutex mutex_;
  std::mutex draw_mutex_;
  bool read_ = false;
  clock::time_point read_at_;
  std::shared_ptr<const snapshot> current_;
  std::shared_ptr<const drawing> drawing_;
};

class server_state {
 public:
  server_state(std::shared_ptr<trial_storage> storage, const serve_options& options)
      : storage_(std::move(storage)), options_(options) {}

  std::vector<study_record> list() {
    std::lock_guard lock(storage_mutex_);
    return storage_->list_studies();
  }

  // The study's snapshot; a 404 when there is no such study. `live` receives the study's
  // state, which draws its plots.
  std::shared_ptr<const snapshot> study(const std::string& name, std::shared_ptr<live_study>* live_out = nullptr) {
    std::shared_ptr<live_study> live;
    {
      std::lock_guard lock(mutex_);
      if (const auto it = studies_.find(name); it != studies_.end()) live = it->second;
    }
    if (!live) {
      std::optional<study_record> record;
      {
        std::lock_guard lock(storage_mutex_);
        record = storage_->find_study(name);
      }
      if (!record) throw http_error(404, "no study named '" + name + "' in " + storage_->url());
      std::lock_guard lock(mutex_);
      auto& slot = studies_[name];
      if (!slot) slot = std::make_shared<live_study>(record->id, record->info);
      live = slot;
    }
    auto snap = live->get(*storage_, storage_mutex_, options_.refresh);
    if (!snap) {
      std::lock_guard lock(mutex_);
      studies_.erase(name);
      throw http_error(404, "study '" + name + "' is no longer in " + storage_->url());
    }
    if (live_out != nullptr) *live_out = std::move(live);
    return snap;
  }

  [[nodiscard]] const serve_options& options() const { return options_; }
  [[nodiscard]] std::string url() const { return storage_->url(); }

 private:
  std::shared_ptr<trial_storage> storage_;
  std::mutex storage_mutex_;  // one connection: one call at a time
  serve_options options_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<live_study>> studies_;
};

constexpr const char* list_style =
    "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#1b1f24;padding:0 16px}"
    "h1{font-size:22px}table{border-collapse:collapse}th,td{padding:4px 10px;border-bottom:1px solid #eaeef2;"
    "text-align:left}th{background:#f6f8fa}.note{color:#57606a}";

void studies_page(server_state& state, httplib::Response& res) {
  std::ostringstream out;
  // The list reloads itself (new studies, counts) every few seconds; a study's page updates
  // in place instead.
  const int reload_s = std::max(5, state.options().interval_ms / 1000);
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\""
      << reload_s << "\"><link rel=\"icon\" href=\"data:,\"><title>typetune: " << html_escape(state.url())
      << "</title><style>" << list_style << "</style></head><body><h1>Studies in " << html_escape(state.url())
      << "</h1>";
  const auto records = state.list();
  if (records.empty()) out << "<p class=\"note\">No study yet: this page lists them once a search starts.</p>";
  out << "<table id=\"studies\"><thead><tr><th>study</th><th>objectives</th><th>trials</th><th>by state</th>"
         "<th>best</th></tr></thead><tbody>";
  for (const auto& record : records) {
    const auto snap = state.study(record.info.name);
    const auto goals = objectives_of(snap->study.study);
    std::map<trial_state, std::size_t> by_state;
    for (const auto& t : snap->study.trials) ++by_state[t.state];
    std::string states;
    for (const auto& [s, n] : by_state)
      states += (states.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(to_string(s));
    std::string best;
    if (goals.several()) {
      best = std::to_string(pareto_front_trials(snap->study).size()) + " on the Pareto front";
    } else if (const auto* b = best_complete_trial(snap->study)) {
      best = short_number(*b->value) + " (trial " + std::to_string(b->number) + ")";
    }
    out << "<tr data-study=\"" << html_escape(record.info.name)
        << "\"><td><a href=\"/study?name=" << url_encode(record.info.name) << "\">" << html_escape(record.info.name)
        << "</a></td><td>" << html_escape(goals.to_text()) << "</td><td>" << snap->study.trials.size() << "</td><td>"
        << html_escape(states) << "</td><td>" << html_escape(best) << "</td></tr>";
  }
  out << "</tbody></table><p class=\"note\">JSON: <a href=\"/api/studies\">/api/studies</a></p></body></html>\n";
  res.set_content(out.str(), "text/html; charset=utf-8");
}

void studies_json(server_state& state, httplib::Response& res) {
  json list = json::array();
  for (const auto& record : state.list()) {
    const auto snap = state.study(record.info.name);
    json counts = json::object();
    for (const auto& t : snap->study.trials)
      counts[std::string(to_string(t.state))] = counts.value(std::string(to_string(t.state)), 0) + 1;
    json entry{{"name", record.info.name},
               {"objectives", objectives_of(snap->study.study).to_text()},
               {"trials", snap->study.trials.size()},
               {"states", counts},
               {"version", snap->version}};
    if (const auto* b = best_complete_trial(snap->study)) entry["best"] = {{"trial", b->number}, {"value", *b->value}};
    list.push_back(std::move(entry));
  }
  res.set_content(list.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void study_page(server_state& state, const httplib::Request& req, httplib::Response& res) {
  const auto name = name_param(req);
  const auto snap = state.study(name);
  report_options options;
  options.now = unix_now();
  options.live_updates = "/api/study?name=" + url_encode(name);
  options.live_version = snap->version;
  options.live_interval_ms = state.options().interval_ms;
  if (req.has_param("interval")) {
    const auto ms = version_param(req, "interval");
    if (ms < 100 || ms > 3'600'000) throw http_error(400, "interval is in milliseconds, from 100 to 3600000");
    options.live_interval_ms = static_cast<int>(ms);
  }
  std::ostringstream out;
  write_html_report(out, snap->study, options);
  res.set_content(out.str(), "text/html; charset=utf-8");
}

// What changed since the page's version: the trials changed after `since` as table rows, the
// plots when the page's (`plots`) are older than the last drawing, and the table head with
// every row when the page's columns (`columns`) are not the table's now.
void study_updates(server_state& state, const httplib::Request& req, httplib::Response& res) {
  const auto name = name_param(req);
  const auto since = version_param(req, "since");
  const auto plots_version = version_param(req, "plots");
  const std::string columns = req.has_param("columns") ? req.get_param_value("columns") : "";
  std::shared_ptr<live_study> live;
  const auto snap = state.study(name, &live);
  if (since > snap->version || plots_version > snap->version)
    throw http_error(400, "since=" + std::to_string(std::max(since, plots_version)) + " is ahead of study '" + name +
                              "', at version " + std::to_string(snap->version));
  const auto plots = live->plots(snap, state.options().redraw);
  // The table's columns and rows come from the snapshot (the rows the page gets fit the head it
  // has); the plots may be from an older one.
  const bool new_columns = columns != snap->columns;
  std::string body = "{\"version\":" + std::to_string(snap->version) +
                     ",\"plots_version\":" + std::to_string(plots->version) +
                     ",\"columns\":" + json(snap->columns).dump(-1, ' ', false, json::error_handler_t::replace);
  if (plots_version != plots->version) {
    body += ",\"sections\":";
    body += plots->sections;
  }
  if (new_columns) {
    body += ",\"thead\":";
    body += json(report_table_head(snap->study, snap->table)).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  json rows = json::array();
  const auto& trials = snap->study.trials;
  for (std::size_t i = 0; i < trials.size(); ++i)
    if (new_columns || snap->changed_at[i] > since)
      rows.push_back(json::array({trials[i].number, report_table_row(snap->study, snap->table, trials[i])}));
  body += ",\"rows\":";
  body += rows.dump(-1, ' ', false, json::error_handler_t::replace);
  body += "}";
  res.set_content(body, "application/json");
}

void space_doc(server_state& state, const httplib::Request& req, httplib::Response& res, bool dot) {
  const auto snap = state.study(name_param(req));
  const std::string title = "Search space of " + snap->study.study.name;
  if (dot) res.set_content(to_dot(snap->study.study.space, title), "text/vnd.graphviz; charset=utf-8");
  else res.set_content(to_markdown(snap->study.study.space, title), "text/markdown; charset=utf-8");
}

// Runs a handler; a refused request gets its 4xx and message, a storage failure a 503, any
// other exception a 500 with its message (never a crash, never a dropped connection).
template <class Handler>
httplib::Server::Handler guarded(Handler handler) {
  return [handler](const httplib::Request& req, httplib::Response& res) {
    try {
      handler(req, res);
    } catch (const http_error& e) {
      res.status = e.status;
      res.set_content(std::string(e.what()) + "\n", "text/plain; charset=utf-8");
    } catch (const storage_error& e) {
      res.status = 503;
      res.set_content(std::string("storage: ") + e.what() + "\n", "text/plain; charset=utf-8");
    } catch (const std::exception& e) {
      res.status = 500;
      res.set_content(std::string(e.what()) + "\n", "text/plain; charset=utf-8");
    }
  };
}

}  // namespace

int serve(const serve_options& options) {
  storage_options storage;
  storage.create_if_missing = false;
  storage.read_only = true;  // a reader that stays open: not a snapshot (see storage_options)
  server_state state(open_storage(options.url, storage), options);

  // SIGINT and SIGTERM are taken by a thread of their own, which stops the server: the
  // handlers' threads never see them. Blocked here, before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  httplib::Server server;
  server.new_task_queue = [threads = options.threads] {
    return new httplib::ThreadPool(static_cast<std::size_t>(std::max(1, threads)));
  };
  // SO_REUSEADDR alone: a restart binds again at once, but a port another server listens on is
  // an error (cpp-httplib's default also sets SO_REUSEPORT, with which two servers would share
  // the port and split its requests between them without a word).
  server.set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_payload_max_length(64 * 1024);
  server.set_keep_alive_timeout(5);
  server.set_default_headers({{"Cache-Control", "no-store"},
                              {"X-Content-Type-Options", "nosniff"},
                              {"Referrer-Policy", "no-referrer"},
                              {"Content-Security-Policy",
                               "default-src 'none'; connect-src 'self'; script-src 'unsafe-inline'; style-src "
                               "'unsafe-inline'; img-src data:"}});
  server.Get("/", guarded([&](const httplib::Request&, httplib::Response& res) { studies_page(state, res); }));
  server.Get("/api/studies",
             guarded([&](const httplib::Request&, httplib::Response& res) { studies_json(state, res); }));
  server.Get("/study",
             guarded([&](const httplib::Request& req, httplib::Response& res) { study_page(state, req, res); }));
  server.Get("/api/study",
             guarded([&](const httplib::Request& req, httplib::Response& res) { study_updates(state, req, res); }));
  server.Get("/api/space.md",
             guarded([&](const httplib::Request& req, httplib::Response& res) { space_doc(state, req, res, false); }));
  server.Get("/api/space.dot",
             guarded([&](const httplib::Request& req, httplib::Response& res) { space_doc(state, req, res, true); }));
  // Whatever else: a short answer, no file is ever served from disk.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 404) res.set_content("no such page; the studies are at /\n", "text/plain; charset=utf-8");
        else if (res.status == 405 || req.method != "GET")
          res.set_content("only GET: typetune serve changes nothing\n", "text/plain; charset=utf-8");
        else res.set_content("bad request\n", "text/plain; charset=utf-8");
        return httplib::Server::HandlerResponse::Handled;
      }));
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    const auto refuse = [](const httplib::Request&, httplib::Response& res) {
      res.status = 405;
      res.set_header("Allow", "GET");
      res.set_content("only GET: typetune serve changes nothing\n", "text/plain; charset=utf-8");
    };
    const std::string m = method;
    if (m == "POST") server.Post(".*", refuse);
    else if (m == "PUT") server.Put(".*", refuse);
    else if (m == "DELETE") server.Delete(".*", refuse);
    else server.Patch(".*", refuse);
  }

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
    if (port < 0) throw std::runtime_error("cannot listen on " + options.host + " (no free port)");
  } else if (!server.bind_to_port(options.host, port)) {
    throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(port) +
                             " (in use, or not an address of this machine)");
  }
  const auto studies = state.list().size();
  const std::string shown_host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  std::cerr << "typetune: serving " << studies << (studies == 1 ? " study" : " studies") << " of " << state.url()
            << " at http://" << shown_host << ":" << port << "/ (read-only; Ctrl-C stops)" << std::endl;
  if (options.host != "127.0.0.1" && options.host != "localhost" && options.host != "::1")
    std::cerr << "typetune: warning: listening on " << options.host
              << ", not loopback: whoever reaches this port reads every study, unauthenticated and unencrypted"
              << std::endl;

  std::atomic<bool> finished{false};
  std::thread stopper([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    // A signal may come before the server listens, and stop() does nothing until it does
    // (Ctrl-C at once; seen under ThreadSanitizer): wait for it to listen, or to have ended.
    while (!server.is_running() && !finished.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server.stop();
  });
  const bool listened = server.listen_after_bind();
  finished = true;
  // The server stopped: by a signal (the stopper is ending), or by itself (wake the stopper;
  // a signal sent to a thread that has ended is dropped).
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  std::cerr << "typetune: stopped serving" << std::endl;
  return listened ? 0 : 1;
}

}  // namespace typetune::cli
