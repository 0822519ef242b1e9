// Differences between two space descriptions and the migration of assignments across them (see
// typetune/desc/space_diff.hpp).
#include "typetune/desc/space_diff.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace typetune {
namespace {

std::string quoted(std::string_view path) {
  std::string text = "'";
  text += path;
  text += '\'';
  return text;
}

std::string show_choice(const param_desc& p, std::size_t i) {
  return p.format(param_value(static_cast<std::int64_t>(i)));
}

std::string show_choices(const param_desc& p) {
  std::string text = "{";
  for (std::size_t i = 0; i < p.choices.size(); ++i) {
    if (i > 0) text += ", ";
    text += show_choice(p, i);
  }
  return text + "}";
}

std::optional<std::size_t> choice_index(const param_desc& p, const choice_value& v) {
  const auto it = std::find(p.choices.begin(), p.choices.end(), v);
  if (it == p.choices.end()) return std::nullopt;
  return static_cast<std::size_t>(it - p.choices.begin());
}

// A condition as a person reads it, with the parent named by path and a branch option by value.
std::string show_condition(const space_desc& s, const param_desc& p) {
  if (!p.active_if) return "always active";
  const auto& c = *p.active_if;
  const auto& parent = s.params[c.parent];
  if (c.kind == condition::rule::equals) {
    const auto i = static_cast<std::size_t>(c.value);
    const auto option = i < parent.choices.size() ? show_choice(parent, i) : std::to_string(c.value);
    return "active when " + quoted(parent.path) + " = " + option;
  }
  if (c.kind == condition::rule::one_of) {
    std::string options;
    for (const auto v : c.values) {
      const auto i = static_cast<std::size_t>(v);
      if (!options.empty()) options.append(", ");
      options.append(i < parent.choices.size() ? show_choice(parent, i) : std::to_string(v));
    }
    return "active when " + quoted(parent.path) + " in {" + options + "}";
  }
  return "active when " + quoted(parent.path) + " >= " + std::to_string(c.value);
}

// Conditions compared by what they mean: the parent's path, and a branch option by its value.
bool same_condition(const space_desc& before, const param_desc& o, const space_desc& after, const param_desc& n) {
  if (o.active_if.has_value() != n.active_if.has_value()) return false;
  if (!o.active_if) return true;
  const auto& co = *o.active_if;
  const auto& cn = *n.active_if;
  const auto& po = before.params[co.parent];
  const auto& pn = after.params[cn.parent];
  if (co.kind != cn.kind || po.path != pn.path) return false;
  if (co.kind == condition::rule::at_least) return co.value == cn.value;
  if (co.kind == condition::rule::one_of) {
    // The same set of options, named by value (their indices may differ).
    auto named = [](const param_desc& parent, const std::vector<std::int64_t>& idx) {
      std::vector<std::string> out;
      for (const auto v : idx) {
        if (static_cast<std::size_t>(v) < parent.choices.size()) {
          out.push_back(parent.format(param_value{v}));
        } else {
          std::string unknown(1, '#');
          unknown.append(std::to_string(v));
          out.push_back(std::move(unknown));
        }
      }
      std::sort(out.begin(), out.end());
      return out;
    };
    return named(po, co.values) == named(pn, cn.values);
  }
  const auto io = static_cast<std::size_t>(co.value);
  const auto in = static_cast<std::size_t>(cn.value);
  if (io >= po.choices.size() || in >= pn.choices.size()) return co.value == cn.value;
  return po.choices[io] == pn.choices[in];
}

// Whether no assignment of `before` can make parameter i of `after` active: somewhere up its
// chain of conditions it needs a branch option or a repeat count the old space did not offer.
bool unreachable_before(const space_desc& before, const space_desc& after, std::size_t i) {
  for (auto c = after.params[i].active_if; c;) {
    const auto& parent = after.params[c->parent];
    const auto old = before.find(parent.path);
    if (!old) return unreachable_before(before, after, c->parent);
    const auto& op = before.params[*old];
    if (c->kind == condition::rule::equals) {
      const auto k = static_cast<std::size_t>(c->value);
      if (k >= parent.choices.size() || !choice_index(op, parent.choices[k])) return true;
    } else if (c->kind == condition::rule::one_of) {
      bool any = false;
      for (const auto v : c->values) {
        const auto k = static_cast<std::size_t>(v);
        any = any || (k < parent.choices.size() && choice_index(op, parent.choices[k]));
      }
      if (!any) return true;
    } else if (static_cast<double>(c->value) > op.high) {
      return true;
    }
    c = parent.active_if;
  }
  return false;
}

std::string show_range(const param_desc& p) {
  std::string text = "[";
  text += format_real(p.low);
  text += ", ";
  text += format_real(p.high);
  text += ']';
  return text;
}

bool on_grid(double v, double origin, double step) {
  if (step <= 0) return true;
  const double k = (v - origin) / step;
  return std::abs(k - std::round(k)) <= 1e-9 * std::max(1.0, std::abs(k));
}

void compare(const space_desc& before, const param_desc& o, const space_desc& after, const param_desc& n,
             std::vector<space_change>& out) {
  const auto add = [&](space_change_kind kind, bool compatible, std::string text) {
    out.push_back({kind, n.path, compatible, "parameter " + quoted(n.path) + ": " + std::move(text)});
  };
  if (o.kind != n.kind) {
    add(space_change_kind::kind, false,
        "kind " + std::string(to_string(o.kind)) + " -> " + std::string(to_string(n.kind)));
    return;  // nothing else compares across kinds
  }
  if (o.role != n.role) {
    add(space_change_kind::role, false,
        "role " + std::string(to_string(o.role)) + " -> " + std::string(to_string(n.role)));
  }
  if (o.type != n.type) {
    add(space_change_kind::value_type, false,
        "value type " + std::string(to_string(o.type)) + " -> " + std::string(to_string(n.type)));
  }
  if (o.kind == param_kind::integer || o.kind == param_kind::real) {
    if (o.log != n.log) {
      add(space_change_kind::scale, false,
          std::string("scale ") + (o.log ? "log" : "linear") + " -> " + (n.log ? "log" : "linear"));
    }
    if (o.step != n.step) {
      add(space_change_kind::step, false, "step " + format_real(o.step) + " -> " + format_real(n.step));
    } else if (o.low != n.low || o.high != n.high) {
      // Widened on the same step grid: every old value is still legal.
      const bool widened = n.low <= o.low && n.high >= o.high && on_grid(o.low, n.low, n.step);
      add(space_change_kind::range, widened,
          "range " + show_range(o) + " -> " + show_range(n) + (widened ? " (widened)" : " (stored values may fall outside)"));
    }
  } else if (o.choices != n.choices) {
    std::vector<std::string> added;
    std::vector<std::string> removed;
    for (std::size_t i = 0; i < n.choices.size(); ++i)
      if (!choice_index(o, n.choices[i])) added.push_back(show_choice(n, i));
    for (std::size_t i = 0; i < o.choices.size(); ++i)
      if (!choice_index(n, o.choices[i])) removed.push_back(show_choice(o, i));
    std::string text = (o.kind == param_kind::constant ? "value " : "choices ") + show_choices(o) + " -> " +
                       show_choices(n);
    if (!removed.empty()) {
      text += " (removed:";
      for (const auto& r : removed) text += " " + r;
      text += ")";
    } else if (!added.empty()) {
      text += " (added:";
      for (const auto& a : added) text += " " + a;
      text += ")";
    } else {
      text += " (reordered)";
    }
    add(space_change_kind::choices, removed.empty(), std::move(text));
  }
  if (!same_condition(before, o, after, n)) {
    add(space_change_kind::condition, false, show_condition(before, o) + " -> " + show_condition(after, n));
  }
  // Defaults of categoricals are indices: compare what they mean.
  const auto shown_default = [](const param_desc& p) {
    return std::holds_alternative<std::monostate>(p.default_value) ? std::string("none") : p.format(p.default_value);
  };
  if (shown_default(o) != shown_default(n)) {
    add(space_change_kind::default_value, true, "default " + shown_default(o) + " -> " + shown_default(n));
  }
}

param_value carry_value(const param_desc& o, const param_desc& n, const param_value& v) {
  if (o.kind != n.kind) return v;  // validate() names the misfit
  if (o.kind != param_kind::categorical && o.kind != param_kind::constant) return v;
  const auto* i = std::get_if<std::int64_t>(&v);
  if (i == nullptr || *i < 0 || static_cast<std::size_t>(*i) >= o.choices.size()) return v;
  const auto k = choice_index(n, o.choices[static_cast<std::size_t>(*i)]);
  if (!k) {
    throw assignment_error("typetune: parameter '" + n.path + "' has " + show_choice(o, static_cast<std::size_t>(*i)) +
                           ", which is no longer one of its choices " + show_choices(n));
  }
  return static_cast<std::int64_t>(*k);
}

}  // namespace

std::string_view to_string(space_change_kind k) {
  switch (k) {
    case space_change_kind::added: return "added";
    case space_change_kind::removed: return "removed";
    case space_change_kind::kind: return "kind";
    case space_change_kind::role: return "role";
    case space_change_kind::value_type: return "value type";
    case space_change_kind::range: return "range";
    case space_change_kind::step: return "step";
    case space_change_kind::scale: return "scale";
    case space_change_kind::choices: return "choices";
    case space_change_kind::condition: return "condition";
    case space_change_kind::default_value: return "default";
    case space_change_kind::order: return "order";
  }
  return "?";
}

bool space_diff::compatible() const noexcept {
  return std::all_of(changes.begin(), changes.end(), [](const space_change& c) { return c.compatible; });
}

std::string space_diff::to_text() const {
  std::string text;
  for (const auto& c : changes) {
    text += "  ";
    text += c.text;
    if (!c.compatible) text += " [incompatible]";
    text += '\n';
  }
  return text;
}

space_diff diff_spaces(const space_desc& before, const space_desc& after) {
  space_diff diff;
  bool same_order = before.size() == after.size();
  for (std::size_t j = 0; j < after.size(); ++j) {
    const auto& n = after.params[j];
    const auto i = before.find(n.path);
    if (!i) {
      same_order = false;
      const bool has_default = !std::holds_alternative<std::monostate>(n.default_value);
      const bool unreachable = !has_default && unreachable_before(before, after, j);
      std::string text = "parameter " + quoted(n.path) + " added";
      if (has_default) text += " (default " + n.format(n.default_value) + ")";
      else if (unreachable) text += " (" + show_condition(after, n) + ", which no stored trial chose)";
      else text += " without a default (stored trials have no value for it)";
      diff.changes.push_back({space_change_kind::added, n.path, has_default || unreachable, std::move(text)});
      continue;
    }
    if (*i != j) same_order = false;
    compare(before, before.params[*i], after, n, diff.changes);
  }
  for (const auto& o : before.params) {
    if (!after.find(o.path)) {
      diff.changes.push_back({space_change_kind::removed, o.path, false,
                              "parameter " + quoted(o.path) + " removed (stored trials have values for it)"});
    }
  }
  if (diff.changes.empty() && !same_order) {
    diff.changes.push_back({space_change_kind::order, {}, true, "the parameters are listed in another order"});
  }
  return diff;
}

assignment migrate_assignment(const assignment& a, const space_desc& before, const space_desc& after) {
  assignment out;
  out.values.assign(after.size(), std::monostate{});
  for (std::size_t j = 0; j < after.size(); ++j) {
    if (!after.condition_holds(j, out)) continue;
    const auto& n = after.params[j];
    const auto i = before.find(n.path);
    if (i && a.is_active(*i)) {
      out.values[j] = carry_value(before.params[*i], n, a.values[*i]);
    } else if (!std::holds_alternative<std::monostate>(n.default_value)) {
      out.values[j] = n.default_value;
    } else {
      throw assignment_error("typetune: parameter '" + n.path +
                             "' is active in the new space, but the stored trial has no value for it and it has "
                             "no default");
    }
  }
  after.validate(out);
  return out;
}

}  // namespace typetune
