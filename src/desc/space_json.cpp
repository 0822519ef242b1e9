// The JSON form of a space description, both ways, and the rules a description must keep
// (check()), which from_json enforces on everything it reads. The schema is documented in
// docs/space-json.md.
#include <cmath>
#include <string>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "typetune/desc/space_desc.hpp"

namespace typetune {
namespace {

using nlohmann::json;

constexpr int format_version = 1;
constexpr double exact_integer_limit = 9007199254740992.0;  // 2^53

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw description_error("typetune: space description: " + where + ": " + what);
}

std::string where_param(std::size_t i, const std::string& path) {
  return path.empty() ? "parameter #" + std::to_string(i) : "parameter '" + path + "'";
}

json choice_to_json(const choice_value& c) {
  return std::visit([](const auto& v) { return json(v); }, c);
}

bool choice_fits(value_type type, const choice_value& c) {
  switch (type) {
    case value_type::boolean: return std::holds_alternative<bool>(c);
    case value_type::integer:
    case value_type::enumeration: return std::holds_alternative<std::int64_t>(c);
    case value_type::real: return std::holds_alternative<double>(c);
    case value_type::string: return std::holds_alternative<std::string>(c);
  }
  return false;
}

// A JSON value as a choice of the given type; nullopt when the JSON type does not fit.
std::optional<choice_value> choice_from_json(value_type type, const json& j) {
  switch (type) {
    case value_type::boolean:
      if (j.is_boolean()) return choice_value{j.get<bool>()};
      break;
    case value_type::integer:
    case value_type::enumeration:
      if (j.is_number_integer()) return choice_value{j.get<std::int64_t>()};
      break;
    case value_type::real:
      if (j.is_number()) return choice_value{j.get<double>()};
      break;
    case value_type::string:
      if (j.is_string()) return choice_value{j.get<std::string>()};
      break;
  }
  return std::nullopt;
}

std::optional<std::size_t> index_of_choice(const param_desc& p, const choice_value& c) {
  for (std::size_t k = 0; k < p.choices.size(); ++k)
    if (p.choices[k] == c) return k;
  return std::nullopt;
}

// A parameter's value as JSON: numbers for integers and reals, the choice itself otherwise.
json value_to_json(const param_desc& p, const param_value& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  const auto i = std::get<std::int64_t>(v);
  if ((p.kind == param_kind::categorical || p.kind == param_kind::constant) && i >= 0 &&
      static_cast<std::size_t>(i) < p.choices.size())
    return choice_to_json(p.choices[static_cast<std::size_t>(i)]);
  return i;
}

template <class E, std::size_t N>
E enum_from(const json& j, const char* field, const std::string& where, const E (&values)[N]) {
  if (!j.contains(field)) fail(where, std::string("missing field '") + field + "'");
  if (!j[field].is_string()) fail(where, std::string("field '") + field + "' must be a string");
  const auto text = j[field].get<std::string>();
  std::string known;
  for (E e : values) {
    if (to_string(e) == text) return e;
    known += (known.empty() ? "" : ", ") + std::string(to_string(e));
  }
  fail(where, std::string("field '") + field + "' is '" + text + "', not one of: " + known);
}

const json& field(const json& j, const char* name, const std::string& where) {
  const auto it = j.find(name);
  if (it == j.end()) fail(where, std::string("missing field '") + name + "'");
  return *it;
}

double number_field(const json& j, const char* name, const std::string& where) {
  const auto& v = field(j, name, where);
  if (!v.is_number()) fail(where, std::string("field '") + name + "' must be a number");
  return v.get<double>();
}

double integer_field(const json& j, const char* name, const std::string& where) {
  const auto& v = field(j, name, where);
  if (!v.is_number_integer()) fail(where, std::string("field '") + name + "' must be an integer");
  const auto x = v.is_number_unsigned() ? static_cast<double>(v.get<std::uint64_t>()) : static_cast<double>(v.get<std::int64_t>());
  if (std::abs(x) > exact_integer_limit)
    fail(where, std::string("field '") + name + "' is beyond +-2^53, where integers are not exact");
  return x;
}

}  // namespace

void space_desc::check() const {
  std::unordered_set<std::string_view> seen;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& p = params[i];
    const auto where = where_param(i, p.path);
    if (p.path.empty()) fail(where, "empty path");
    if (p.name.empty()) fail(where, "empty name");
    if (!seen.insert(p.path).second) fail(where, "the path appears twice");
    const bool numeric = p.kind == param_kind::integer || p.kind == param_kind::real;
    if (numeric) {
      if (!std::isfinite(p.low) || !std::isfinite(p.high) || !std::isfinite(p.step))
        fail(where, "bounds and step must be finite");
      if (p.low > p.high)
        fail(where, "low " + format_real(p.low) + " is above high " + format_real(p.high));
      if (p.log && p.low <= 0) fail(where, "a log scale needs low > 0, not " + format_real(p.low));
      if (!p.choices.empty()) fail(where, std::string("a ") + std::string(to_string(p.kind)) + " parameter has no choices");
    }
    switch (p.kind) {
      case param_kind::integer:
        if (p.type != value_type::integer) fail(where, "an int parameter must have type 'integer'");
        for (double b : {p.low, p.high, p.step}) {
          if (std::floor(b) != b) fail(where, "int bounds and step must be whole numbers, not " + format_real(b));
          if (std::abs(b) > exact_integer_limit) fail(where, "int bounds beyond +-2^53 are not exact");
        }
        if (p.step < 1) fail(where, "an int step must be at least 1");
        if (std::fmod(p.high - p.low, p.step) != 0)
          fail(where, "step " + format_real(p.step) + " does not divide the range");
        break;
      case param_kind::real:
        if (p.type != value_type::real) fail(where, "a real parameter must have type 'real'");
        if (p.step < 0) fail(where, "a real step must be 0 (continuous) or positive");
        break;
      case param_kind::categorical:
      case param_kind::constant:
        if (p.choices.empty()) fail(where, std::string("a ") + std::string(to_string(p.kind)) + " needs at least one value");
        if (p.kind == param_kind::constant && p.choices.size() != 1) fail(where, "a constant has exactly one value");
        for (const auto& c : p.choices)
          if (!choice_fits(p.type, c))
            fail(where, "a value does not fit the parameter's type '" + std::string(to_string(p.type)) + "'");
        break;
    }
    if (p.role == param_role::branch && p.kind != param_kind::categorical) fail(where, "a branch must be a choice");
    if (p.role == param_role::count && p.kind != param_kind::integer) fail(where, "a repeat count must be an int");
    if (!std::holds_alternative<std::monostate>(p.default_value) && !p.admits(p.default_value))
      fail(where, "the default " + p.format(p.default_value) + " is outside the parameter's range");
    if (p.active_if) {
      const auto& c = *p.active_if;
      if (c.parent >= i) fail(where, "its condition's parent must come before it");
      const auto& parent = params[c.parent];
      if (c.kind == condition::rule::equals) {
        if (parent.role != param_role::branch) fail(where, "the parent '" + parent.path + "' of an 'equals' condition is not a branch");
        if (c.value < 0 || static_cast<std::size_t>(c.value) >= parent.choices.size())
          fail(where, "its condition names option #" + std::to_string(c.value) + " of '" + parent.path + "', which has " +
                          std::to_string(parent.choices.size()));
      } else if (c.kind == condition::rule::at_least) {
        if (parent.role != param_role::count) fail(where, "the parent '" + parent.path + "' of an 'at_least' condition is not a repeat count");
        if (c.value < 1) fail(where, "an 'at_least' condition needs a count of at least 1");
      } else {
        if (parent.kind != param_kind::categorical || parent.role == param_role::count)
          fail(where, "the parent '" + parent.path + "' of a 'one_of' condition is not a branch or a choice");
        if (c.values.empty()) fail(where, "a 'one_of' condition needs at least one of its parent's values");
        for (std::size_t k = 0; k < c.values.size(); ++k) {
          if (c.values[k] < 0 || static_cast<std::size_t>(c.values[k]) >= parent.choices.size())
            fail(where, "its condition names value #" + std::to_string(c.values[k]) + " of '" + parent.path +
                            "', which has " + std::to_string(parent.choices.size()));
          if (k > 0 && c.values[k] <= c.values[k - 1])
            fail(where, "a 'one_of' condition lists its parent's values once each, in the parent's order");
        }
      }
      if (p.depth == 0) fail(where, "a conditional parameter cannot have depth 0");
    }
  }
}

std::string space_desc::to_json(int indent) const {
  json doc;
  doc["format"] = "typetune-space";
  doc["version"] = format_version;
  // Hex text: JSON readers that hold numbers as doubles would round a 64-bit integer.
  doc["hash"] = hash_text();
  doc["parameter_count"] = params.size();
  const auto grid = grid_size();
  doc["finite"] = grid.has_value();
  if (grid) doc["grid_size"] = *grid;
  json list = json::array();
  for (const auto& p : params) {
    json j{{"path", p.path},           {"name", p.name},   {"kind", to_string(p.kind)},
           {"role", to_string(p.role)}, {"type", to_string(p.type)}, {"depth", p.depth}};
    if (p.kind == param_kind::integer) {
      j["low"] = static_cast<std::int64_t>(p.low);
      j["high"] = static_cast<std::int64_t>(p.high);
      j["step"] = static_cast<std::int64_t>(p.step);
      j["log"] = p.log;
    } else if (p.kind == param_kind::real) {
      j["low"] = p.low;
      j["high"] = p.high;
      j["step"] = p.step;
      j["log"] = p.log;
    } else {
      json choices = json::array();
      for (const auto& c : p.choices) choices.push_back(choice_to_json(c));
      j["choices"] = std::move(choices);
    }
    if (!std::holds_alternative<std::monostate>(p.default_value)) j["default"] = value_to_json(p, p.default_value);
    if (p.active_if) {
      const auto& parent = params[p.active_if->parent];
      if (p.active_if->kind == condition::rule::equals)
        j["active_if"] = {{"parent", parent.path}, {"rule", "equals"},
                          {"value", value_to_json(parent, param_value{p.active_if->value})}};
      else if (p.active_if->kind == condition::rule::at_least)
        j["active_if"] = {{"parent", parent.path}, {"rule", "at_least"}, {"value", p.active_if->value}};
      else {
        json values = json::array();
        for (const auto k : p.active_if->values) values.push_back(value_to_json(parent, param_value{k}));
        j["active_if"] = {{"parent", parent.path}, {"rule", "one_of"}, {"values", std::move(values)}};
      }
    }
    list.push_back(std::move(j));
  }
  doc["params"] = std::move(list);
  // Strings the space was built from are the user's: replace bytes that are not UTF-8 rather
  // than fail (the DSL rejects them at compile time; a hand-built description may not).
  return doc.dump(indent, ' ', false, json::error_handler_t::replace);
}

space_desc space_desc::from_json(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number too large
    fail("document", std::string("not valid JSON (") + e.what() + ")");
  }
  if (!doc.is_object()) fail("document", "not a JSON object");
  if (doc.value("format", std::string()) != "typetune-space")
    fail("document", "not a typetune space description (no \"format\": \"typetune-space\")");
  const auto& version = field(doc, "version", "document");
  if (!version.is_number_integer()) fail("document", "field 'version' must be an integer");
  if (version.get<std::int64_t>() > format_version)
    fail("document", "version " + std::to_string(version.get<std::int64_t>()) +
                         " is newer than this typetune reads (" + std::to_string(format_version) + "); upgrade typetune");
  const auto& list = field(doc, "params", "document");
  if (!list.is_array()) fail("document", "field 'params' must be an array");

  static constexpr param_kind kinds[] = {param_kind::integer, param_kind::real, param_kind::categorical, param_kind::constant};
  static constexpr param_role roles[] = {param_role::plain, param_role::branch, param_role::count};
  static constexpr value_type types[] = {value_type::integer, value_type::real, value_type::boolean,
                                         value_type::string, value_type::enumeration};
  space_desc out;
  out.params.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& j = list[i];
    std::string where = "parameter #" + std::to_string(i);
    if (!j.is_object()) fail(where, "not a JSON object");
    param_desc p;
    const auto& path = field(j, "path", where);
    if (!path.is_string()) fail(where, "field 'path' must be a string");
    p.path = path.get<std::string>();
    where = where_param(i, p.path);
    const auto& name = field(j, "name", where);
    if (!name.is_string()) fail(where, "field 'name' must be a string");
    p.name = name.get<std::string>();
    p.kind = enum_from(j, "kind", where, kinds);
    p.role = enum_from(j, "role", where, roles);
    p.type = enum_from(j, "type", where, types);
    const auto& depth = field(j, "depth", where);
    if (!depth.is_number_unsigned() || depth.get<std::uint64_t>() > 1000) fail(where, "field 'depth' must be a small non-negative integer");
    p.depth = depth.get<std::size_t>();
    if (p.kind == param_kind::integer || p.kind == param_kind::real) {
      if (p.kind == param_kind::integer) {
        p.low = integer_field(j, "low", where);
        p.high = integer_field(j, "high", where);
        p.step = integer_field(j, "step", where);
      } else {
        p.low = number_field(j, "low", where);
        p.high = number_field(j, "high", where);
        p.step = number_field(j, "step", where);
      }
      const auto& log = field(j, "log", where);
      if (!log.is_boolean()) fail(where, "field 'log' must be true or false");
      p.log = log.get<bool>();
    } else {
      const auto& choices = field(j, "choices", where);
      if (!choices.is_array()) fail(where, "field 'choices' must be an array");
      for (const auto& c : choices) {
        auto v = choice_from_json(p.type, c);
        if (!v) fail(where, "choice " + c.dump() + " does not fit the parameter's type '" + std::string(to_string(p.type)) + "'");
        p.choices.push_back(std::move(*v));
      }
    }
    if (const auto it = j.find("default"); it != j.end()) {
      const auto& d = *it;
      switch (p.kind) {
        case param_kind::integer:
          if (!d.is_number_integer()) fail(where, "field 'default' must be an integer");
          p.default_value = d.get<std::int64_t>();
          break;
        case param_kind::real:
          if (!d.is_number()) fail(where, "field 'default' must be a number");
          p.default_value = d.get<double>();
          break;
        case param_kind::categorical:
        case param_kind::constant: {
          const auto v = choice_from_json(p.type, d);
          const auto k = v ? index_of_choice(p, *v) : std::nullopt;
          if (!k) fail(where, "the default " + d.dump() + " is not one of its choices");
          p.default_value = static_cast<std::int64_t>(*k);
          break;
        }
      }
    }
    if (const auto it = j.find("active_if"); it != j.end()) {
      const auto& c = *it;
      if (!c.is_object()) fail(where, "field 'active_if' must be an object");
      const auto& parent_path = field(c, "parent", where + ", active_if");
      if (!parent_path.is_string()) fail(where, "the condition's 'parent' must be a path");
      const auto parent = out.find(parent_path.get<std::string>());
      if (!parent) fail(where, "the condition's parent '" + parent_path.get<std::string>() + "' is not an earlier parameter");
      condition cond;
      cond.parent = *parent;
      static constexpr const char* rules[] = {"equals", "at_least", "one_of"};
      const auto& rule = field(c, "rule", where + ", active_if");
      if (rule == rules[0]) {
        cond.kind = condition::rule::equals;
        const auto& parent_desc = out.params[*parent];
        const auto v = choice_from_json(parent_desc.type, field(c, "value", where + ", active_if"));
        const auto k = v ? index_of_choice(parent_desc, *v) : std::nullopt;
        if (!k) fail(where, "the condition's value " + c["value"].dump() + " is not an option of '" + parent_desc.path + "'");
        cond.value = static_cast<std::int64_t>(*k);
      } else if (rule == rules[1]) {
        cond.kind = condition::rule::at_least;
        cond.value = static_cast<std::int64_t>(integer_field(c, "value", where + ", active_if"));
      } else if (rule == rules[2]) {
        cond.kind = condition::rule::one_of;
        const auto& parent_desc = out.params[*parent];
        const auto& values = field(c, "values", where + ", active_if");
        if (!values.is_array()) fail(where, "the condition's 'values' must be an array");
        for (const auto& value : values) {
          const auto v = choice_from_json(parent_desc.type, value);
          const auto k = v ? index_of_choice(parent_desc, *v) : std::nullopt;
          if (!k) fail(where, "the condition's value " + value.dump() + " is not a value of '" + parent_desc.path + "'");
          cond.values.push_back(static_cast<std::int64_t>(*k));
        }
      } else {
        fail(where, "the condition's rule " + rule.dump() + " is not 'equals', 'at_least' or 'one_of'");
      }
      p.active_if = cond;
    }
    out.params.push_back(std::move(p));
  }
  out.check();
  if (const auto it = doc.find("hash"); it != doc.end()) {
    if (!it->is_string()) fail("document", "field 'hash' must be a string of 16 hex digits");
    if (it->get<std::string>() != out.hash_text())
      fail("document", "hash " + it->get<std::string>() + " does not match the parameters' " + out.hash_text() +
                           ": the description was edited or written by another version");
  }
  return out;
}

}  // namespace typetune
