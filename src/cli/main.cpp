// The `typetune` command line: lists, inspects, exports and deletes studies and writes their
// HTML report. A study is read from a storage URL (sqlite:///path.db, postgresql://...) with
// --study NAME, or from a JSON Lines export (a file path, or "-" for standard input). Storage is
// opened read-only by every command but `delete` (which reads first, and opens for writing only
// when the study is there), and a missing database is never created, nor an empty file filled.
// Errors go to standard error with exit status 1; bad arguments exit with CLI11's status.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "typetune/desc/study_export.hpp"
#include "typetune/detail/utf8.hpp"
#include "typetune/report/html_report.hpp"
#include "typetune/storage/open_storage.hpp"

#include "serve.hpp"
#include "short_number.hpp"

namespace tt = typetune;

namespace {

class cli_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

bool is_url(const std::string& source) {
  return source.find("://") != std::string::npos || source.rfind("memory:", 0) == 0;
}

void require_url(const std::string& source) {
  if (!is_url(source)) throw cli_error("'" + source + "' is not a storage URL (sqlite:///path.db, postgresql://...)");
}

// How a command opens storage. `read_once`: it reads what it needs and closes the storage
// before it exits, so an SQLite file that no process is writing is read as it lies on disk,
// with nothing created beside it, even in a read-only directory (storage_options::snapshot). A
// reader that stays open to follow a running study must not open it so (it would not see new
// writes): it sets read_only without snapshot.
enum class use { read_once, write };

std::shared_ptr<tt::trial_storage> open_existing(const std::string& url, use how) {
  tt::storage_options options;
  options.create_if_missing = false;
  options.read_only = how == use::read_once;
  options.snapshot = how == use::read_once;
  return tt::open_storage(url, options);
}

tt::study_export load_stored(const std::string& url, const std::string& name) {
  const auto storage = open_existing(url, use::read_once);
  std::string chosen = name;
  if (chosen.empty()) {
    // A storage of one study needs no name; with several, the user picks.
    const auto studies = storage->list_studies();
    if (studies.size() == 1) {
      chosen = studies.front().info.name;
    } else {
      std::string names;
      for (const auto& s : studies) names += "\n  " + s.info.name;
      throw cli_error("which study? give --study NAME; " + url + " holds" + (names.empty() ? " none" : ":" + names));
    }
  }
  const auto record = storage->find_study(chosen);
  if (!record)
    throw cli_error("no study named '" + chosen + "' in " + url + " (typetune studies " + url + " lists them)");
  tt::study_export out;
  out.study = record->info;
  out.trials = tt::copy_records(storage->read_trials(record->id, 0).trials);
  return out;
}

tt::study_export load(const std::string& source, const std::string& study_name = {}) {
  if (is_url(source)) return load_stored(source, study_name);
  if (source == "-") return tt::read_jsonl(std::cin);
  if (std::error_code error; std::filesystem::is_directory(source, error))
    throw cli_error("'" + source + "' is a directory, not a study export (a JSON Lines file) or a storage URL");
  std::ifstream in(source, std::ios::binary);
  if (!in) throw cli_error("cannot open '" + source + "': no such file or not readable");
  try {
    return tt::read_jsonl(in);
  } catch (const tt::export_error& e) {
    throw cli_error("'" + source + "' is not a readable typetune study: " + e.what());
  }
}

// Writes to `path` through a temporary file renamed at the end, so that a failure leaves no
// half-written output; "-" writes to standard output.
template <class Write>
void write_output(const std::string& path, Write write) {
  if (path == "-") {
    write(std::cout);
    std::cout.flush();
    return;
  }
  const std::string tmp = path + ".part";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw cli_error("cannot write '" + path + "'");
    write(out);
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw cli_error("writing '" + path + "' failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw cli_error("cannot move the output into '" + path + "'");
  }
}

// Text as it may go to a terminal: what a stored name, attribute or message could hold that a
// terminal would act on (escape sequences that set the window title or clear the screen, other
// control characters, C1 controls, bytes that are not UTF-8) is written as an escape people can
// read ("\e]0;x\a", "\x9b", "\u009b"); newlines and tabs stay.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char buf[16];
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0x80) {  // C0 controls and DEL
      switch (c) {
        case 0x1b: out += "\\e"; break;
        case 0x07: out += "\\a"; break;
        case '\r': out += "\\r"; break;
        default: std::snprintf(buf, sizeof buf, "\\x%02x", c); out += buf;
      }
      ++i;
      continue;
    }
    // A UTF-8 sequence: its length by the lead byte, then checked whole.
    const std::size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    const auto sequence = text.substr(i, length);
    if (length == 1 || sequence.size() < length || !tt::detail::is_utf8(sequence)) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      ++i;
      continue;
    }
    if (c == 0xC2 && static_cast<unsigned char>(sequence[1]) < 0xA0) {  // U+0080..U+009F: C1 controls
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(sequence[1]));
      out += buf;
    } else {
      out += sequence;
    }
    i += length;
  }
  return out;
}

std::string mib(std::uint64_t bytes) {
  if (bytes == 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

// A text table: one column per parameter (empty when inactive), state, value, metrics,
// duration and peak memory. A study with several objectives has a column per objective, named
// by it, in place of "value" (its other objectives are then not repeated among the metrics),
// and one with constraints a "feasible" column.
void print_table(std::ostream& out, const tt::study_export& s, const std::vector<const tt::trial_record*>& rows) {
  const auto& space = s.study.space;
  const auto goals = tt::objectives_of(s.study);
  std::vector<std::string> metrics;
  for (const auto* t : rows)
    for (const auto& entry : t->metrics) {
      const std::string& name = entry.first;
      if (std::find(metrics.begin(), metrics.end(), name) == metrics.end() &&
          std::none_of(goals.objectives.begin(), goals.objectives.end(), [&](const auto& o) { return o.name == name; }))
        metrics.push_back(name);
    }
  std::sort(metrics.begin(), metrics.end());
  std::vector<std::string> header{"#", "state"};
  if (goals.several()) {
    for (const auto& o : goals.objectives) header.push_back(o.name);
  } else {
    header.push_back("value");
  }
  if (goals.constrained()) header.push_back("feasible");
  for (const auto& p : space.params)
    if (p.kind != tt::param_kind::constant) header.push_back(p.path);
  for (const auto& m : metrics) header.push_back(m);
  header.insert(header.end(), {"seconds", "peak MiB", "worker"});
  std::vector<std::vector<std::string>> table{header};
  for (const auto* t : rows) {
    std::vector<std::string> r{std::to_string(t->number), std::string(tt::to_string(t->state))};
    if (goals.several()) {
      for (const auto& v : goals.values(*t)) r.push_back(v ? tt::cli::short_number(*v) : "");
    } else {
      r.push_back(t->value ? tt::cli::short_number(*t->value) : "");
    }
    if (goals.constrained()) {
      const auto violation = goals.violation(*t);
      r.push_back(!violation ? "" : *violation == 0 ? "yes" : "no (by " + tt::cli::short_number(*violation) + ")");
    }
    for (std::size_t i = 0; i < space.size(); ++i)
      if (space.params[i].kind != tt::param_kind::constant)
        r.push_back(t->params.is_active(i) ? space.params[i].format(t->params.values[i]) : "");
    for (const auto& m : metrics) {
      const auto it = t->metrics.find(m);
      r.push_back(it == t->metrics.end() ? "" : tt::cli::short_number(it->second));
    }
    r.insert(r.end(), {tt::cli::short_number(t->duration_s), mib(t->peak_rss_bytes), t->worker});
    table.push_back(std::move(r));
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& r : table)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  for (const auto& r : table) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    out << line << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "typetune: list, inspect, export, report and delete hyperparameter studies.\n"
      "A STUDY is a storage URL (sqlite:///path/studies.db, postgresql://host/db) with --study NAME,\n"
      "or a JSON Lines export (tt::write_jsonl, or `typetune export`); '-' reads standard input."};
  app.require_subcommand(1);
  std::string source, output = "-", format = "jsonl", state_filter, title, study_name;
  bool yes = false;

  auto* studies = app.add_subcommand("studies",
                                     "List the studies a storage URL holds: name, direction, trials, space hash");
  studies->add_option("url", source, "The storage URL")->required();

  auto* del = app.add_subcommand("delete", "Delete a study and its trials from a storage URL");
  del->add_option("url", source, "The storage URL")->required();
  del->add_option("--study", study_name, "The study to delete")->required();
  del->add_flag("--yes", yes, "Confirm: nothing is deleted without it");
  std::size_t limit = 0;

  auto* show = app.add_subcommand("show", "Summary of a study: its space, trial counts by state and the best trial");
  show->add_option("study", source, "The study: a storage URL or a JSON Lines export")->required();
  show->add_option("--study", study_name, "The study's name, with a storage URL");

  auto* trials = app.add_subcommand("trials",
                                    "The trial table: one column per parameter, state, value, metrics, time, memory");
  trials->add_option("study", source, "The study: a storage URL or a JSON Lines export")->required();
  trials->add_option("--study", study_name, "The study's name, with a storage URL");
  trials->add_option("--state", state_filter, "Only trials in this state (complete, pruned, failed, ...)");
  trials->add_option("--limit", limit, "At most this many rows (0: all)");

  auto* best = app.add_subcommand(
      "best", "The best complete trial: number, value and parameters; with several objectives, the Pareto front");
  best->add_option("study", source, "The study: a storage URL or a JSON Lines export")->required();
  best->add_option("--study", study_name, "The study's name, with a storage URL");

  auto* space = app.add_subcommand("space", "The study's search space as a table, or as JSON with --json");
  space->add_option("study", source, "The study: a storage URL or a JSON Lines export")->required();
  space->add_option("--study", study_name, "The study's name, with a storage URL");
  bool space_json = false;
  space->add_flag("--json", space_json, "Print the space description as JSON");

  auto* exp = app.add_subcommand("export", "Write the study as JSON Lines or CSV");
  exp->add_option("study", source, "The study: a storage URL or a JSON Lines export")->required();
  exp->add_option("--study", study_name, "The study's name, with a storage URL");
  exp->add_option("--format", format, "jsonl or csv")->check(CLI::IsMember({"jsonl", "csv"}));
  exp->add_option("-o,--output", output, "Output file ('-': standard output)");

  auto* report = app.add_subcommand("report", "Write a self-contained HTML report with plots");
  report->add_option("study", source, "The study: a storage URL or a JSON Lines export")->required();
  report->add_option("--study", study_name, "The study's name, with a storage URL");
  report->add_option("-o,--output", output, "Output HTML file")->required();
  report->add_option("--title", title, "Page title (default: the study's name)");

  auto* serve = app.add_subcommand(
      "serve", "Serve the studies of a storage URL over HTTP: a page per study that updates while trials finish");
  tt::cli::serve_options serve_options;
  serve->add_option("url", serve_options.url, "The storage URL (opened read-only)")->required();
  serve->add_option("--host", serve_options.host, "The address to listen on (default: loopback only)");
  serve->add_option("--port", serve_options.port, "The port (0: a free one, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve->add_option("--interval", serve_options.interval_ms, "How often a study page asks for changes, in ms")
      ->check(CLI::Range(100, 3'600'000))
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) {
    try {
      require_url(serve_options.url);
      return tt::cli::serve(serve_options);
    } catch (const std::exception& e) {
      std::cerr << "typetune: error: " << printable(e.what()) << '\n';
      return 1;
    }
  }
  // The text commands' output is gathered and written through printable(): a study's name,
  // attributes, parameter names and messages come from files anyone may have written. An export
  // to standard output and the report are not text for a terminal and are written as they are.
  std::ostringstream text;
  const bool as_text = !exp->parsed() && !report->parsed();
  auto* const terminal = std::cout.rdbuf();
  if (as_text) std::cout.rdbuf(text.rdbuf());
  const auto flush_text = [&] {
    if (!as_text) return;
    std::cout.rdbuf(terminal);
    std::cout << printable(text.str()) << std::flush;
    text.str({});
  };
  try {
    if (studies->parsed()) {
      require_url(source);
      const auto list = open_existing(source, use::read_once)->list_studies();
      std::cout << "study  direction  trials  space\n";
      for (const auto& s : list) {
        // Several objectives: each one's direction, joined by '/'.
        std::string dir(tt::to_string(s.info.dir));
        for (const auto& o : s.info.extra_objectives) dir += "/" + std::string(tt::to_string(o.dir));
        std::cout << s.info.name << "  " << dir << "  " << s.trial_count << "  " << s.space_hash << '\n';
      }
      if (list.empty()) std::cerr << "typetune: " << printable(source) << " holds no study\n";
      flush_text();
      return 0;
    }
    if (del->parsed()) {
      require_url(source);
      if (!yes) throw cli_error("deleting study '" + study_name + "' needs --yes; nothing was deleted");
      // Read first, write only when there is something to delete: a command that changes nothing
      // writes nothing (an open for writing sets the journal mode, and would fill an empty file
      // with the schema), and a file that is not a typetune database is named as such.
      const auto missing = [&] {
        return cli_error("no study named '" + study_name + "' in " + source + "; nothing was deleted");
      };
      if (!open_existing(source, use::read_once)->find_study(study_name)) throw missing();
      if (!open_existing(source, use::write)->delete_study(study_name)) throw missing();
      std::cout << "deleted study " << study_name << '\n';
      flush_text();
      return 0;
    }
    const auto study = load(source, study_name);
    if (show->parsed()) {
      std::cout << "study " << study.study.name << " (" << tt::to_string(study.study.dir) << "), "
                << study.trials.size() << " trials\n";
      std::map<tt::trial_state, std::size_t> by_state;
      for (const auto& t : study.trials) ++by_state[t.state];
      for (const auto& [st, n] : by_state) std::cout << "  " << tt::to_string(st) << ": " << n << '\n';
      if (!study.study.attributes.empty()) {
        std::cout << "attributes:\n";
        for (const auto& [key, value] : study.study.attributes) std::cout << "  " << key << ": " << value << '\n';
      }
      const auto goals = tt::objectives_of(study.study);
      if (goals.several() || goals.constrained()) std::cout << "objectives: " << goals.to_text() << '\n';
      if (goals.several()) {
        const auto front = tt::pareto_front_trials(study);
        std::cout << "Pareto front: " << front.size() << " trials (typetune best lists them)\n";
      } else if (const auto* b = tt::best_complete_trial(study)) {
        std::cout << "best: trial " << b->number << " value " << tt::cli::short_number(*b->value) << "  "
                  << study.study.space.format(b->params) << '\n';
      }
      std::cout << study.study.space.to_text();
    } else if (trials->parsed()) {
      std::optional<tt::trial_state> only;
      if (!state_filter.empty()) {
        only = tt::trial_state_from(state_filter);
        if (!only)
          throw cli_error("unknown state '" + state_filter +
                          "' (complete, pruned, failed, diverged, running, out_of_memory, interrupted)");
      }
      std::vector<const tt::trial_record*> rows;
      for (const auto& t : study.trials)
        if ((!only || t.state == *only) && (limit == 0 || rows.size() < limit)) rows.push_back(&t);
      print_table(std::cout, study, rows);
    } else if (best->parsed() && !study.study.extra_objectives.empty()) {
      // Several objectives: the Pareto front, as the trial table.
      const auto front = tt::pareto_front_trials(study);
      if (front.empty())
        throw cli_error("no trial of study '" + study.study.name + "' has completed" +
                        (study.study.constraints.empty() ? "" : " feasibly"));
      std::cout << "Pareto front of " << tt::objectives_of(study.study).to_text() << ": " << front.size()
                << " trials\n";
      print_table(std::cout, study, front);
    } else if (best->parsed()) {
      const auto* b = tt::best_complete_trial(study);
      if (b == nullptr)
        throw cli_error("no trial of study '" + study.study.name + "' has completed" +
                        (study.study.constraints.empty() ? "" : " feasibly"));
      std::cout << "trial " << b->number << " value " << tt::cli::short_number(*b->value) << '\n';
      for (std::size_t i = 0; i < study.study.space.size(); ++i)
        if (b->params.is_active(i))
          std::cout << "  " << study.study.space.params[i].path << " = "
                    << study.study.space.params[i].format(b->params.values[i]) << '\n';
      for (const auto& [name, v] : b->metrics) std::cout << "  [" << name << "] " << tt::cli::short_number(v) << '\n';
    } else if (space->parsed()) {
      std::cout << (space_json ? study.study.space.to_json() + "\n" : study.study.space.to_text());
    } else if (exp->parsed()) {
      write_output(output, [&](std::ostream& out) {
        if (format == "csv") tt::write_csv(out, study);
        else tt::write_jsonl(out, study);
      });
    } else if (report->parsed()) {
      tt::report_options options;
      options.title = title;
      write_output(output, [&](std::ostream& out) { tt::write_html_report(out, study, options); });
      std::cerr << "typetune: wrote " << printable(output) << " (" << study.trials.size() << " trials)\n";
    }
  } catch (const std::exception& e) {
    flush_text();
    std::cerr << "typetune: error: " << printable(e.what()) << '\n';
    return 1;
  }
  flush_text();
  return 0;
}
