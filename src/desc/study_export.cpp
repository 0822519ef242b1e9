// The study export: JSON Lines both ways and a CSV table. Everything read back is checked
// against the study's own space description before it becomes a trial_record.
#include "typetune/desc/study_export.hpp"

#include <cmath>
#include <istream>
#include <ostream>
#include <set>

#include <nlohmann/json.hpp>

#include "typetune/desc/pareto.hpp"

namespace typetune {
namespace {

using nlohmann::json;

constexpr int export_version = 1;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw export_error("typetune: study export: " + where + ": " + what);
}

// JSON has no NaN or infinity: they travel as the strings "nan", "inf" and "-inf".
json real_to_json(double v) { return std::isfinite(v) ? json(v) : json(format_real(v)); }

std::optional<double> real_from_json(const json& j) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (s == "nan") return std::nan("");
    if (s == "inf") return HUGE_VAL;
    if (s == "-inf") return -HUGE_VAL;
  }
  return std::nullopt;
}

json param_value_to_json(const param_desc& p, const param_value& v) {
  if (const auto* d = std::get_if<double>(&v)) return real_to_json(*d);
  const auto i = std::get<std::int64_t>(v);
  if ((p.kind == param_kind::categorical || p.kind == param_kind::constant) && i >= 0 &&
      static_cast<std::size_t>(i) < p.choices.size())
    return std::visit([](const auto& c) { return json(c); }, p.choices[static_cast<std::size_t>(i)]);
  return i;
}

// A value read back for parameter p; the error says what was expected.
param_value param_value_from_json(const param_desc& p, const json& j, const std::string& where) {
  switch (p.kind) {
    case param_kind::integer:
      if (!j.is_number_integer()) fail(where, "parameter '" + p.path + "' must be an integer, not " + j.dump());
      return j.get<std::int64_t>();
    case param_kind::real: {
      const auto v = real_from_json(j);
      if (!v) fail(where, "parameter '" + p.path + "' must be a number, not " + j.dump());
      return *v;
    }
    case param_kind::categorical:
    case param_kind::constant:
      for (std::size_t k = 0; k < p.choices.size(); ++k) {
        const bool same = std::visit(
            [&j](const auto& c) {
              using T = std::decay_t<decltype(c)>;
              if constexpr (std::is_same_v<T, double>) return j.is_number() && j.get<double>() == c;
              else if constexpr (std::is_same_v<T, std::int64_t>)
                return j.is_number_integer() && j.get<std::int64_t>() == c;
              else if constexpr (std::is_same_v<T, bool>) return j.is_boolean() && j.get<bool>() == c;
              else return j.is_string() && j.get<std::string>() == c;
            },
            p.choices[k]);
        if (same) return static_cast<std::int64_t>(k);
      }
      fail(where, "parameter '" + p.path + "' has " + j.dump() + ", which is not one of its choices");
  }
  fail(where, "parameter '" + p.path + "' has an unknown kind");
}

std::uint64_t unsigned_field(const json& j, const char* name, const std::string& where, std::uint64_t fallback) {
  const auto it = j.find(name);
  if (it == j.end()) return fallback;
  if (!it->is_number_unsigned()) fail(where, std::string("field '") + name + "' must be a non-negative integer");
  return it->get<std::uint64_t>();
}

double real_field(const json& j, const char* name, const std::string& where, double fallback) {
  const auto it = j.find(name);
  if (it == j.end()) return fallback;
  const auto v = real_from_json(*it);
  if (!v) fail(where, std::string("field '") + name + "' must be a number");
  return *v;
}

std::string csv_cell(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

}  // namespace

const trial_record* best_complete_trial(const study_export& study) {
  if (!study.study.extra_objectives.empty()) return nullptr;
  const auto goals = objectives_of(study.study);
  const trial_record* best = nullptr;
  const bool maximize = study.study.dir == direction::maximize;
  for (const auto& t : study.trials)
    if (t.state == trial_state::complete && t.value && std::isfinite(*t.value) &&
        (!goals.constrained() || goals.feasible(t)) &&
        (!best || (maximize ? *t.value > *best->value : *t.value < *best->value)))
      best = &t;
  return best;
}

std::vector<const trial_record*> pareto_front_trials(const study_export& study) {
  std::vector<const trial_record*> out;
  const auto numbers = pareto_front(study.trials, objectives_of(study.study));
  std::size_t k = 0;
  for (const auto& t : study.trials) {  // both ordered by number
    while (k < numbers.size() && numbers[k] < t.number) ++k;
    if (k < numbers.size() && numbers[k] == t.number) out.push_back(&t);
  }
  return out;
}

std::string trial_to_json(const trial_record& t, const space_desc& space) {
  json j;
  j["number"] = t.number;
  j["state"] = to_string(t.state);
  j["value"] = t.value ? real_to_json(*t.value) : json(nullptr);
  json params = json::object();
  for (std::size_t i = 0; i < space.size() && i < t.params.values.size(); ++i)
    if (t.params.is_active(i)) params[space.params[i].path] = param_value_to_json(space.params[i], t.params.values[i]);
  j["params"] = std::move(params);
  json steps = json::array();
  for (const auto& [step, v] : t.intermediate) steps.push_back(json::array({step, real_to_json(v)}));
  j["intermediate"] = std::move(steps);
  json metrics = json::object();
  for (const auto& [name, v] : t.metrics) metrics[name] = real_to_json(v);
  j["metrics"] = std::move(metrics);
  if (!t.message.empty()) j["message"] = t.message;
  j["duration_s"] = real_to_json(t.duration_s);
  j["seed"] = t.seed;
  if (t.start_time != 0) j["start_time"] = real_to_json(t.start_time);
  if (t.peak_rss_bytes != 0) j["peak_rss_bytes"] = t.peak_rss_bytes;
  if (!t.worker.empty()) j["worker"] = t.worker;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

trial_record trial_from_json(std::string_view line, const space_desc& space) {
  json j;
  try {
    j = json::parse(line);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number too large
    fail("trial", std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object()) fail("trial", "not a JSON object");
  const auto number_it = j.find("number");
  if (number_it == j.end() || !number_it->is_number_unsigned())
    fail("trial", "field 'number' must be a non-negative integer");
  trial_record t;
  t.number = number_it->get<std::uint64_t>();
  const std::string where = "trial " + std::to_string(t.number);
  const auto state_it = j.find("state");
  if (state_it == j.end() || !state_it->is_string()) fail(where, "field 'state' must be a string");
  const auto state = trial_state_from(state_it->get<std::string>());
  if (!state) fail(where, "unknown state '" + state_it->get<std::string>() + "'");
  t.state = *state;
  if (const auto it = j.find("value"); it != j.end() && !it->is_null()) {
    const auto v = real_from_json(*it);
    if (!v) fail(where, "field 'value' must be a number or null");
    t.value = *v;
  }
  const auto params_it = j.find("params");
  if (params_it == j.end() || !params_it->is_object()) fail(where, "field 'params' must be an object");
  t.params.values.assign(space.size(), std::monostate{});
  for (const auto& [path, value] : params_it->items()) {
    const auto i = space.find(path);
    if (!i) fail(where, "unknown parameter '" + path + "' (not in the study's space)");
    t.params.values[*i] = param_value_from_json(space.params[*i], value, where);
  }
  try {
    space.validate(t.params);
  } catch (const assignment_error& e) {
    std::string_view what = e.what();
    if (what.starts_with("typetune: ")) what.remove_prefix(10);
    fail(where, std::string(what));
  }
  if (const auto it = j.find("intermediate"); it != j.end()) {
    if (!it->is_array()) fail(where, "field 'intermediate' must be an array of [step, value] pairs");
    for (const auto& pair : *it) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer())
        fail(where, "field 'intermediate' must be an array of [step, value] pairs");
      const auto v = real_from_json(pair[1]);
      if (!v) fail(where, "an intermediate value must be a number");
      t.intermediate[pair[0].get<std::int64_t>()] = *v;
    }
  }
  if (const auto it = j.find("metrics"); it != j.end()) {
    if (!it->is_object()) fail(where, "field 'metrics' must be an object");
    for (const auto& [name, value] : it->items()) {
      const auto v = real_from_json(value);
      if (!v) fail(where, "metric '" + name + "' must be a number");
      t.metrics[name] = *v;
    }
  }
  if (const auto it = j.find("message"); it != j.end()) {
    if (!it->is_string()) fail(where, "field 'message' must be a string");
    t.message = it->get<std::string>();
  }
  if (const auto it = j.find("worker"); it != j.end()) {
    if (!it->is_string()) fail(where, "field 'worker' must be a string");
    t.worker = it->get<std::string>();
  }
  t.duration_s = real_field(j, "duration_s", where, 0);
  t.start_time = real_field(j, "start_time", where, 0);
  t.seed = unsigned_field(j, "seed", where, 0);
  t.peak_rss_bytes = unsigned_field(j, "peak_rss_bytes", where, 0);
  if (t.duration_s < 0 || !std::isfinite(t.duration_s))
    fail(where, "field 'duration_s' must be a finite non-negative number");
  return t;
}

std::string objective_name(const study_info& info) {
  for (const char* key : {"objective", "metric"}) {
    const auto it = info.attributes.find(key);
    if (it != info.attributes.end() && !it->second.empty()) return it->second;
  }
  return {};
}

objective_set objectives_of(const study_info& info) {
  objective_set out;
  out.objectives.push_back({objective_name(info), info.dir});
  out.objectives.insert(out.objectives.end(), info.extra_objectives.begin(), info.extra_objectives.end());
  out.constraints = info.constraints;
  return out;
}

namespace {

// The objectives (the first one included) and constraints of a study with more than one
// objective or with constraints, as the header and the storage keep them; null otherwise.
json goals_to_json(const study_info& info) {
  if (info.extra_objectives.empty() && info.constraints.empty()) return nullptr;
  json goals = json::object();
  json& objectives = goals["objectives"] = json::array();
  for (const auto& o : objectives_of(info).objectives)
    objectives.push_back({{"name", o.name}, {"direction", to_string(o.dir)}});
  json& constraints = goals["constraints"] = json::array();
  for (const auto& c : info.constraints) constraints.push_back({{"name", c.name}, {"max", real_to_json(c.max)}});
  return goals;
}

// Reads what goals_to_json wrote into info (whose direction and objective attribute are already
// read, and must agree with the first objective). `where` names the place for errors.
void goals_from_json(const json& goals, study_info& info, const std::string& where) {
  if (!goals.is_object()) fail(where, "the objectives must be a JSON object");
  const auto objectives = goals.find("objectives");
  if (objectives == goals.end() || !objectives->is_array() || objectives->empty())
    fail(where, "field 'objectives' must be a non-empty array");
  info.extra_objectives.clear();
  info.constraints.clear();
  for (std::size_t i = 0; i < objectives->size(); ++i) {
    const auto& o = (*objectives)[i];
    const std::string at = "objective " + std::to_string(i + 1);
    if (!o.is_object()) fail(where, at + " must be an object with 'name' and 'direction'");
    const auto name = o.find("name");
    if (name == o.end() || !name->is_string() || name->get<std::string>().empty())
      fail(where, at + ": field 'name' must be a non-empty string");
    const auto dir_text = o.find("direction");
    const auto dir = dir_text != o.end() && dir_text->is_string() ? direction_from(dir_text->get<std::string>())
                                                                  : std::nullopt;
    if (!dir)
      fail(where, at + " ('" + name->get<std::string>() + "'): field 'direction' must be \"minimize\" or \"maximize\"");
    if (i == 0) {
      const auto first = objective_name(info);
      if (*dir != info.dir || (!first.empty() && first != name->get<std::string>()))
        fail(where, "the first objective ('" + name->get<std::string>() + "', " + std::string(to_string(*dir)) +
                        ") is not the study's objective ('" + first + "', " + std::string(to_string(info.dir)) + ")");
      continue;
    }
    info.extra_objectives.push_back({name->get<std::string>(), *dir});
  }
  if (const auto constraints = goals.find("constraints"); constraints != goals.end()) {
    if (!constraints->is_array()) fail(where, "field 'constraints' must be an array");
    for (std::size_t i = 0; i < constraints->size(); ++i) {
      const auto& c = (*constraints)[i];
      const std::string at = "constraint " + std::to_string(i + 1);
      const auto name = c.is_object() ? c.find("name") : c.end();
      if (!c.is_object() || name == c.end() || !name->is_string() || name->get<std::string>().empty())
        fail(where, at + ": field 'name' must be a non-empty string");
      const auto max = c.find("max");
      const auto bound = max != c.end() ? real_from_json(*max) : std::nullopt;
      if (!bound || std::isnan(*bound))
        fail(where, at + " ('" + name->get<std::string>() + "'): field 'max' must be a number");
      info.constraints.push_back({name->get<std::string>(), *bound});
    }
  }
}

}  // namespace

std::string goals_json(const study_info& info) {
  const auto goals = goals_to_json(info);
  return goals.is_null() ? std::string() : goals.dump(-1, ' ', false, json::error_handler_t::replace);
}

void read_goals_json(std::string_view text, study_info& info) {
  if (text.empty()) {
    info.extra_objectives.clear();
    info.constraints.clear();
    return;
  }
  json goals;
  try {
    goals = json::parse(text);
  } catch (const json::exception& e) { fail("objectives", std::string("not valid JSON (") + e.what() + ")"); }
  goals_from_json(goals, info, "objectives");
}

std::string study_header_json(const study_info& info) {
  json j;
  j["format"] = "typetune-study";
  j["version"] = export_version;
  j["study"] = info.name;
  j["direction"] = to_string(info.dir);
  j["attributes"] = info.attributes;
  if (auto goals = goals_to_json(info); !goals.is_null()) {
    j["objectives"] = std::move(goals["objectives"]);
    j["constraints"] = std::move(goals["constraints"]);
  }
  j["space"] = json::parse(info.space.to_json(-1));
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

study_info study_header_from_json(std::string_view line) {
  json j;
  try {
    j = json::parse(line);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number too large
    fail("header", std::string("not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object() || j.value("format", std::string()) != "typetune-study")
    fail("header", "not a typetune study export (the first line has no \"format\": \"typetune-study\")");
  const auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer()) fail("header", "field 'version' must be an integer");
  if (version->get<std::int64_t>() > export_version)
    fail("header", "version " + std::to_string(version->get<std::int64_t>()) + " is newer than this typetune reads (" +
                       std::to_string(export_version) + "); upgrade typetune");
  study_info info;
  const auto name = j.find("study");
  if (name == j.end() || !name->is_string()) fail("header", "field 'study' must be a string");
  info.name = name->get<std::string>();
  const auto dir = j.find("direction");
  const auto parsed = dir != j.end() && dir->is_string() ? direction_from(dir->get<std::string>()) : std::nullopt;
  if (!parsed) fail("header", "field 'direction' must be \"minimize\" or \"maximize\"");
  info.dir = *parsed;
  if (const auto it = j.find("attributes"); it != j.end()) {
    if (!it->is_object()) fail("header", "field 'attributes' must be an object of strings");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) fail("header", "attribute '" + k + "' must be a string");
      info.attributes[k] = v.get<std::string>();
    }
  }
  if (j.contains("objectives") || j.contains("constraints")) {
    json goals = json::object();
    goals["objectives"] = j.contains("objectives")
                              ? j["objectives"]
                              : json::array({{{"name", objective_name(info)}, {"direction", to_string(info.dir)}}});
    if (j.contains("constraints")) goals["constraints"] = j["constraints"];
    goals_from_json(goals, info, "header");
  }
  const auto space = j.find("space");
  if (space == j.end()) fail("header", "missing field 'space'");
  try {
    info.space = space_desc::from_json(space->dump());
  } catch (const description_error& e) {
    std::string_view what = e.what();
    if (what.starts_with("typetune: ")) what.remove_prefix(10);
    fail("header", std::string(what));
  }
  return info;
}

void write_jsonl(std::ostream& out, const study_export& study) {
  out << study_header_json(study.study) << '\n';
  for (const auto& t : study.trials) out << trial_to_json(t, study.study.space) << '\n';
}

study_export read_jsonl(std::istream& in) {
  study_export out;
  std::string line;
  std::size_t line_no = 0;
  bool header = false;
  std::set<std::uint64_t> numbers;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    try {
      if (!header) {
        out.study = study_header_from_json(line);
        header = true;
        continue;
      }
      auto t = trial_from_json(line, out.study.space);
      if (!numbers.insert(t.number).second) fail("trial " + std::to_string(t.number), "the number appears twice");
      out.trials.push_back(std::move(t));
    } catch (const export_error& e) { throw export_error("line " + std::to_string(line_no) + ": " + e.what()); }
  }
  if (!header) throw export_error("typetune: study export: empty input (no header line)");
  return out;
}

void write_csv(std::ostream& out, const study_export& study) {
  const auto& space = study.study.space;
  std::set<std::string> metric_names;
  for (const auto& t : study.trials)
    for (const auto& [name, v] : t.metrics) metric_names.insert(name);
  out << "number,state,value";
  for (const auto& p : space.params) out << ',' << csv_cell(p.path);
  for (const auto& m : metric_names) out << ',' << csv_cell(m);
  out << ",duration_s,start_time,peak_rss_bytes,worker,message\n";
  for (const auto& t : study.trials) {
    out << t.number << ',' << to_string(t.state) << ',' << (t.value ? format_real(*t.value) : "");
    for (std::size_t i = 0; i < space.size(); ++i)
      out << ',' << (t.params.is_active(i) ? csv_cell(space.params[i].format(t.params.values[i])) : "");
    for (const auto& m : metric_names) {
      const auto it = t.metrics.find(m);
      out << ',' << (it == t.metrics.end() ? "" : format_real(it->second));
    }
    out << ',' << format_real(t.duration_s) << ',' << (t.start_time != 0 ? format_real(t.start_time) : "") << ','
        << (t.peak_rss_bytes ? std::to_string(t.peak_rss_bytes) : "") << ',' << csv_cell(t.worker) << ','
        << csv_cell(t.message) << '\n';
  }
}

}  // namespace typetune
