// The runtime space description: value checks, condition evaluation, grid size, a stable hash
// and the text rendering. Everything here is plain runtime code, compiled once; the JSON forms
// are in space_json.cpp.
#include "typetune/desc/space_desc.hpp"

#include "typetune/desc/grid_codec.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

namespace typetune {
namespace {

std::string format_double(double v) { return format_real(v); }

std::string format_choice(const choice_value& c) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) return v;
        else if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>) return format_double(v);
        else return std::to_string(v);
      },
      c);
}

// Number of steps of a stepped range; low + k*step for k in [0, n).
std::uint64_t steps_in(double low, double high, double step) {
  return static_cast<std::uint64_t>(std::floor((high - low) / step + 1e-9)) + 1;
}

bool on_step(double v, double low, double step) {
  const double k = (v - low) / step;
  return std::abs(k - std::round(k)) <= 1e-9 * std::max(1.0, std::abs(k));
}

}  // namespace

// Shortest text that reads back to the same double: the hash and the docs must not depend on
// the stream's precision or locale.
std::string condition_text(const param_desc& parent, const condition& c) {
  switch (c.kind) {
    case condition::rule::equals: return parent.path + " == " + parent.format(param_value{c.value});
    case condition::rule::at_least: return parent.path + " >= " + std::to_string(c.value);
    case condition::rule::one_of: break;
  }
  std::string out = parent.path + " in {";
  for (std::size_t k = 0; k < c.values.size(); ++k) out += (k ? ", " : "") + parent.format(param_value{c.values[k]});
  return out + "}";
}

std::string format_real(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string("nan");
}

std::string_view to_string(param_kind k) {
  switch (k) {
    case param_kind::integer: return "int";
    case param_kind::real: return "real";
    case param_kind::categorical: return "choice";
    case param_kind::constant: return "constant";
  }
  return "?";
}
std::string_view to_string(param_role r) {
  switch (r) {
    case param_role::plain: return "plain";
    case param_role::branch: return "branch";
    case param_role::count: return "count";
  }
  return "?";
}
std::string_view to_string(value_type t) {
  switch (t) {
    case value_type::integer: return "integer";
    case value_type::real: return "real";
    case value_type::boolean: return "boolean";
    case value_type::string: return "string";
    case value_type::enumeration: return "enumeration";
  }
  return "?";
}

std::uint64_t param_desc::cardinality() const {
  switch (kind) {
    case param_kind::integer: return steps_in(low, high, step);
    case param_kind::real: return step > 0 ? steps_in(low, high, step) : 0;
    case param_kind::categorical: return choices.size();
    case param_kind::constant: return 1;
  }
  return 0;
}

param_value param_desc::value_at(std::uint64_t i) const {
  switch (kind) {
    case param_kind::integer:
      return static_cast<std::int64_t>(low) + static_cast<std::int64_t>(i) * static_cast<std::int64_t>(step);
    case param_kind::real: return std::min(high, low + static_cast<double>(i) * step);
    case param_kind::categorical:
    case param_kind::constant: return static_cast<std::int64_t>(i);
  }
  return {};
}

bool param_desc::admits(const param_value& v) const {
  switch (kind) {
    case param_kind::integer: {
      const auto* x = std::get_if<std::int64_t>(&v);
      if (x == nullptr) return false;
      const auto lo = static_cast<std::int64_t>(low), hi = static_cast<std::int64_t>(high);
      const auto st = static_cast<std::int64_t>(step);
      return *x >= lo && *x <= hi && (st <= 1 || (*x - lo) % st == 0);
    }
    case param_kind::real: {
      const auto* x = std::get_if<double>(&v);
      if (x == nullptr || !std::isfinite(*x) || *x < low || *x > high) return false;
      return step <= 0 || on_step(*x, low, step);
    }
    case param_kind::categorical: {
      const auto* x = std::get_if<std::int64_t>(&v);
      return x != nullptr && *x >= 0 && static_cast<std::uint64_t>(*x) < choices.size();
    }
    case param_kind::constant: {
      const auto* x = std::get_if<std::int64_t>(&v);
      return x != nullptr && *x == 0;
    }
  }
  return false;
}

std::string param_desc::format(const param_value& v) const {
  if (std::holds_alternative<std::monostate>(v)) return "-";
  if (const auto* d = std::get_if<double>(&v)) return format_double(*d);
  const auto i = std::get<std::int64_t>(v);
  if ((kind == param_kind::categorical || kind == param_kind::constant) && i >= 0 &&
      static_cast<std::size_t>(i) < choices.size())
    return format_choice(choices[static_cast<std::size_t>(i)]);
  return std::to_string(i);
}

std::optional<std::size_t> space_desc::find(std::string_view path) const {
  for (std::size_t i = 0; i < params.size(); ++i)
    if (params[i].path == path) return i;
  return std::nullopt;
}

bool space_desc::condition_holds(std::size_t i, const assignment& a) const {
  const auto& c = params.at(i).active_if;
  if (!c) return true;
  if (!a.is_active(c->parent)) return false;
  const auto* parent = std::get_if<std::int64_t>(&a.values[c->parent]);
  if (parent == nullptr) return false;
  return c->holds(*parent);
}

std::vector<std::size_t> space_desc::children(std::size_t i) const {
  std::vector<std::size_t> out;
  for (std::size_t j = i + 1; j < params.size(); ++j)
    if (params[j].active_if && params[j].active_if->parent == i) out.push_back(j);
  return out;
}

void space_desc::validate(const assignment& a) const {
  if (a.values.size() != params.size())
    throw assignment_error("typetune: assignment has " + std::to_string(a.values.size()) +
                           " values but the space has " + std::to_string(params.size()) + " parameters");
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& p = params[i];
    const bool should = condition_holds(i, a);
    if (should && !a.is_active(i))
      throw assignment_error("typetune: parameter '" + p.path + "' is active but has no value");
    if (!should && a.is_active(i))
      throw assignment_error("typetune: parameter '" + p.path + "' has a value but is not active");
    if (should && !p.admits(a.values[i])) {
      const auto& v = a.values[i];
      const std::string shown = std::holds_alternative<double>(v) ? format_double(std::get<double>(v))
                                                                  : std::to_string(std::get<std::int64_t>(v));
      const bool wrong_type = (p.kind == param_kind::real) != std::holds_alternative<double>(v);
      throw assignment_error("typetune: parameter '" + p.path + "' " +
                             (wrong_type ? "has a value of the wrong type (" + std::string(to_string(p.kind)) +
                                               " expected): " + shown
                                         : "has a value outside the space: " + shown));
    }
  }
}

std::optional<std::uint64_t> space_desc::grid_size() const { return grid_codec(*this).size(); }

std::uint64_t space_desc::hash() const {
  // FNV-1a over a canonical rendering: independent of struct layout, compiler and platform.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char ch : s) { h ^= ch; h *= 1099511628211ull; }
    h ^= 0xff; h *= 1099511628211ull;  // field separator
  };
  for (const auto& p : params) {
    mix(p.path); mix(p.name); mix(to_string(p.kind)); mix(to_string(p.role)); mix(to_string(p.type));
    mix(format_double(p.low)); mix(format_double(p.high)); mix(format_double(p.step));
    mix(p.log ? "log" : "linear");
    mix(std::to_string(p.choices.size()));
    for (const auto& c : p.choices) { mix(std::to_string(c.index())); mix(format_choice(c)); }
    if (p.active_if) {
      mix(std::to_string(p.active_if->parent));
      if (p.active_if->kind == condition::rule::one_of) {
        mix("in");
        mix(std::to_string(p.active_if->values.size()));
        for (const auto k : p.active_if->values) mix(std::to_string(k));
      } else {
        mix(p.active_if->kind == condition::rule::equals ? "==" : ">=");
        mix(std::to_string(p.active_if->value));
      }
    } else {
      mix("always");
    }
    mix(p.format(p.default_value));
  }
  return h;
}

namespace {
std::string describe_condition(const space_desc& s, const condition& c) {
  const auto& parent = s.params[c.parent];
  return condition_text(parent, c);
}

std::string describe_domain(const param_desc& p) {
  std::ostringstream out;
  switch (p.kind) {
    case param_kind::integer:
    case param_kind::real:
      out << '[' << format_double(p.low) << ", " << format_double(p.high) << ']';
      if (p.step > 0 && !(p.kind == param_kind::integer && p.step == 1)) out << " step " << format_double(p.step);
      if (p.log) out << " log";
      break;
    case param_kind::categorical:
    case param_kind::constant: {
      out << '{';
      for (std::size_t i = 0; i < p.choices.size(); ++i) out << (i ? ", " : "") << format_choice(p.choices[i]);
      out << '}';
      break;
    }
  }
  return out.str();
}
}  // namespace

std::string space_desc::hash_text() const {
  char buf[17];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, hash(), 16);
  return std::string(static_cast<std::size_t>(16 - (end - buf)), '0') + std::string(buf, end);
}

std::string space_desc::to_text() const {
  std::ostringstream out;
  std::size_t width = 4;
  for (const auto& p : params) width = std::max(width, p.depth * 2 + p.path.size());
  for (const auto& p : params) {
    out << std::string(p.depth * 2, ' ') << p.path << std::string(width + 2 - p.depth * 2 - p.path.size(), ' ');
    out << to_string(p.kind);
    if (p.role != param_role::plain) out << '/' << to_string(p.role);
    out << ' ' << describe_domain(p);
    if (p.kind != param_kind::constant && !std::holds_alternative<std::monostate>(p.default_value))
      out << " default " << p.format(p.default_value);
    if (p.active_if) out << "  if " << describe_condition(*this, *p.active_if);
    out << '\n';
  }
  const auto grid = grid_size();
  out << params.size() << " parameters, " << (grid ? "finite: " + std::to_string(*grid) + " configurations" : std::string("continuous"))
      << ", hash " << hash_text() << '\n';
  return out.str();
}

std::string space_desc::format(const assignment& a) const {
  std::string out;
  for (std::size_t i = 0; i < params.size() && i < a.values.size(); ++i) {
    if (!a.is_active(i)) continue;
    if (!out.empty()) out += ", ";
    out += params[i].path + "=" + params[i].format(a.values[i]);
  }
  return out;
}

}  // namespace typetune
