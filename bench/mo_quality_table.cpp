// typetune's side of the multi-objective quality table: the samplers on the problems of
// bench/mo_problems.hpp over seeds, writing for every (problem, sampler, seed) the objective and
// constraint values of every trial in order, as the JSON lines that bench/mo_quality.py writes
// for Optuna and scores for both (its docstring describes the record).
//
//   mo_quality_table [seeds=30] [sampler ...] [--trials=200] [--first-seed=K] [--only=zdt1,srn,...]
//                    [--out=FILE] [--params]
//   samplers: random sobol nsga2 tpe auto (default: all of them that this build can run)
//   --out     write the records to FILE instead of stdout
//   --params  add each trial's parameters (path -> value) to its record, so that
//             `mo_quality.py check FILE` can evaluate them again with the Python definitions
//
// random and sobol do not read the values, so they run on any study. nsga2 needs
// typetune/engine/nsga2_sampler.hpp; tpe and auto run only once their samplers say that they
// handle several objectives and constraints (sampler::supports_goals); otherwise the name is
// skipped with a note on stderr.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "mo_problems.hpp"
#include "typetune/engine/auto_sampler.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/sobol_sampler.hpp"
#include "typetune/engine/tpe_sampler.hpp"
#if __has_include("typetune/engine/nsga2_sampler.hpp")
#include "typetune/engine/nsga2_sampler.hpp"
#define MO_QUALITY_HAVE_NSGA2 1
#endif

namespace {

using namespace typetune;
using namespace typetune::quality_mo;
using factory = std::function<std::unique_ptr<sampler>()>;

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, sep);)
    if (!part.empty()) out.push_back(part);
  return out;
}

// The factory for a sampler name; null for a name this build does not know.
factory make_factory(const std::string& name) {
  if (name == "random") return [] { return make_random_sampler(); };
  if (name == "sobol") return [] { return make_sobol_sampler(); };
#ifdef MO_QUALITY_HAVE_NSGA2
  if (name == "nsga2") return [] { return make_nsga2_sampler(); };
#endif
  if (name == "tpe") return [] { return make_tpe_sampler(); };
  if (name == "auto") return [] { return make_auto_sampler(); };
  return nullptr;
}

// Whether the sampler can take part: samplers that read the values must handle the goals.
bool usable(const std::string& name, const factory& make) {
  if (name == "random" || name == "sobol") return true;
  return make()->supports_goals();
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The active parameters of a trial as a JSON object: categoricals as their shown text, integers
// and reals as numbers (reals with all their digits).
std::string params_json(const space_desc& space, const assignment& a) {
  std::string out = "{";
  for (std::size_t i = 0; i < space.params.size(); ++i) {
    const auto& p = space.params[i];
    if (!a.is_active(i) || p.kind == param_kind::constant) continue;
    if (out.size() > 1) out += ',';
    out += quoted(p.path);
    out += ':';
    if (p.kind == param_kind::categorical) {
      out += quoted(p.format(a.values[i]));
    } else if (const auto* n = std::get_if<std::int64_t>(&a.values[i])) {
      out += std::to_string(*n);
    } else {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(a.values[i]));
      out += buf;
    }
  }
  return out + "}";
}

std::string run_json(const mo_problem& p, const std::string& sampler_name, std::uint64_t seed,
                     const std::vector<trial_record>& trials, double seconds, double cpu_seconds, bool with_params) {
  std::string out = "{\"problem\":";
  out += quoted(p.name);
  out += ",\"origin\":\"typetune\",\"sampler\":";
  out += quoted(sampler_name);
  out += ",\"seed\":";
  out += std::to_string(seed);
  out += ",\"columns\":[";
  std::vector<std::string> columns;
  for (const auto& o : p.objectives) columns.push_back(o.name);
  for (const auto& c : p.constraints) columns.push_back(c.name);
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (k) out += ',';
    out += quoted(columns[k]);
  }
  out += "],\"values\":[";
  const auto rows = values_of(p, trials);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i) out += ',';
    if (rows[i].empty()) {
      out += "null";
      continue;
    }
    out += '[';
    for (std::size_t k = 0; k < rows[i].size(); ++k) {
      if (k) out += ',';
      out += number(rows[i][k]);
    }
    out += ']';
  }
  out += "],\"seconds\":";
  out += number(seconds);
  out += ",\"cpu_seconds\":";
  out += number(cpu_seconds);
  if (with_params) {
    out += ",\"params\":[";
    for (std::size_t i = 0; i < trials.size(); ++i) {
      if (i) out += ',';
      out += params_json(p.space, trials[i].params);
    }
    out += ']';
  }
  out += "}\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t seeds = 30, n_trials = 200;
  std::uint64_t first_seed = 0;
  std::vector<std::string> names, only;
  std::string out_path;
  bool with_params = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--trials=", 0) == 0) n_trials = std::strtoul(arg.c_str() + 9, nullptr, 10);
    else if (arg.rfind("--first-seed=", 0) == 0) first_seed = std::strtoull(arg.c_str() + 13, nullptr, 10);
    else if (arg.rfind("--only=", 0) == 0) only = split(arg.substr(7), ',');
    else if (arg.rfind("--out=", 0) == 0) out_path = arg.substr(6);
    else if (arg == "--params") with_params = true;
    else if (i == 1 && !arg.empty() && arg.find_first_not_of("0123456789") == std::string::npos)
      seeds = std::strtoul(arg.c_str(), nullptr, 10);
    else if (arg.rfind("--", 0) == 0) {
      std::fprintf(stderr, "unknown option %s\n", arg.c_str());
      return 2;
    } else names.push_back(arg);
  }
  const bool chosen = !names.empty();
  if (!chosen) names = {"random", "sobol", "nsga2", "tpe", "auto"};

  std::vector<std::pair<std::string, factory>> samplers;
  for (const auto& name : names) {
    auto make = make_factory(name);
    if (!make) {
      if (chosen) {
        std::fprintf(stderr, "unknown or unavailable sampler %s\n", name.c_str());
        return 2;
      }
      std::fprintf(stderr, "skipping %s: not in this build\n", name.c_str());
      continue;
    }
    if (!usable(name, make)) {
      std::fprintf(stderr, "skipping %s: it does not handle several objectives or constraints yet\n", name.c_str());
      continue;
    }
    samplers.emplace_back(name, std::move(make));
  }

  std::vector<mo_problem> problems;
  for (auto& p : all_mo_problems()) {
    bool keep = only.empty();
    for (const auto& o : only) keep = keep || o == p.name;
    if (keep) problems.push_back(std::move(p));
  }
  if (problems.empty()) {
    std::fprintf(stderr, "no problem named in --only (problems: zdt1 zdt2 zdt3 dtlz2 ml srn)\n");
    return 2;
  }

  std::FILE* out = stdout;
  if (!out_path.empty()) {
    out = std::fopen(out_path.c_str(), "w");
    if (!out) {
      std::perror(out_path.c_str());
      return 1;
    }
  }
  for (const auto& p : problems) {
    for (const auto& [name, make] : samplers) {
      for (std::uint64_t seed = first_seed; seed < first_seed + seeds; ++seed) {
        auto s = make();
        const auto wall = std::chrono::steady_clock::now();
        const std::clock_t cpu = std::clock();
        const auto trials = run_mo(*s, p, seed, n_trials);
        const double cpu_s = static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC;
        const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
        const std::string line = run_json(p, name, seed, trials, wall_s, cpu_s, with_params);
        std::fputs(line.c_str(), out);
        std::fflush(out);
      }
      std::fprintf(stderr, "%s %s: %zu seeds\n", p.name.c_str(), name.c_str(), seeds);
    }
  }
  if (out != stdout) std::fclose(out);
  return 0;
}
