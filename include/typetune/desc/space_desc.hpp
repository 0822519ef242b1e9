// The runtime description of a search space: a flat list of parameters in parent-before-child
// order, with kinds, bounds, scales, choices and activation conditions. Samplers, storage and
// docs work on this alone, so they are compiled once and know nothing of the user's types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace typetune {

// What a sampler draws for a parameter.
enum class param_kind : std::uint8_t {
  integer,      // low..high (inclusive), step >= 1, optional log scale
  real,         // low..high (inclusive), optional step (then finite), optional log scale
  categorical,  // an index into `choices`
  constant,     // one fixed value, never sampled (its index is always 0)
};

// What a parameter means in the space's structure.
enum class param_role : std::uint8_t {
  plain,
  branch,  // a categorical whose options carry their own parameters
  count,   // an integer that sets how many items of a repeat are active
};

// The C++ type family of a parameter's values, kept so that a value read back at run time is
// decoded to the type the builder declared (an int is never a float that happens to be whole).
enum class value_type : std::uint8_t { integer, real, boolean, string, enumeration };

// A categorical or constant value as it is shown and stored.
using choice_value = std::variant<std::int64_t, double, bool, std::string>;

// One parameter's value in an assignment: integers, categorical indices and constants are
// `std::int64_t`, reals are `double`; `std::monostate` marks a parameter that is not active.
using param_value = std::variant<std::monostate, std::int64_t, double>;

// When a conditional parameter is active. The parent comes earlier in the description; a
// parameter is active when its parent is active and the rule holds.
struct condition {
  enum class rule : std::uint8_t {
    equals,    // parent (a branch) chose option `value`
    at_least,  // parent (a repeat count) is >= `value`
    one_of,    // parent (a branch or a choice) took one of the option indices in `values`
  };
  std::size_t parent = 0;
  rule kind = rule::equals;
  std::int64_t value = 0;            // equals, at_least
  std::vector<std::int64_t> values;  // one_of: ascending, distinct

  condition() = default;
  constexpr condition(std::size_t parent_index, rule k, std::int64_t v) : parent(parent_index), kind(k), value(v) {}
  // one_of: active when the parent (a categorical) takes one of the indices `of`.
  condition(std::size_t parent_index, std::vector<std::int64_t> of)
      : parent(parent_index), kind(rule::one_of), values(std::move(of)) {}

  // The activation rule, written once: whether a child is active when its parent holds v.
  [[nodiscard]] constexpr bool holds(std::int64_t v) const noexcept {
    switch (kind) {
      case rule::equals: return v == value;
      case rule::at_least: return v >= value;
      case rule::one_of: break;
    }
    for (const auto w : values)
      if (w == v) return true;
    return false;
  }

  friend bool operator==(const condition&, const condition&) = default;
};

struct param_desc {
  std::string path;  // unique: "dense_bot", "hidden[1].units", "optimizer.sgd.momentum"
  std::string name;  // the declared name: "units"
  param_kind kind = param_kind::real;
  param_role role = param_role::plain;
  value_type type = value_type::real;
  double low = 0;   // integer and real bounds, inclusive
  double high = 0;
  double step = 0;  // integers: >= 1; reals: 0 means continuous
  bool log = false;
  std::vector<choice_value> choices;  // categorical options (branch: option names); constant: its value
  std::optional<condition> active_if;
  param_value default_value;  // monostate when the space gives none
  std::size_t depth = 0;      // nesting depth (0 = top level)

  // Number of distinct values, or 0 for a continuous real.
  [[nodiscard]] std::uint64_t cardinality() const;
  // The i-th value of a finite parameter (i < cardinality()), as stored in an assignment.
  [[nodiscard]] param_value value_at(std::uint64_t i) const;
  // Whether v is a legal value for this parameter (right alternative, in bounds, on the step).
  [[nodiscard]] bool admits(const param_value& v) const;
  // A value shown to a person: "0.001", "sgd", "true", "64".
  [[nodiscard]] std::string format(const param_value& v) const;

  friend bool operator==(const param_desc&, const param_desc&) = default;
};

// A full set of values for one trial, indexed like space_desc::params.
struct assignment {
  using values_type = std::vector<param_value>;
  values_type values;

  [[nodiscard]] bool is_active(std::size_t i) const {
    return i < values.size() && !std::holds_alternative<std::monostate>(values[i]);
  }
  friend bool operator==(const assignment&, const assignment&) = default;
};

// Thrown when an assignment does not fit its space (as one read back from storage could).
class assignment_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Thrown when a description itself is malformed: a JSON document that is not one, or a
// description whose parameters break its rules (a child before its parent, low > high, ...).
// The message names the parameter and what is wrong with it.
class description_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Names as the text, JSON and tables show them: "int", "real", "choice", "constant"; "plain",
// "branch", "count"; "integer", "real", "boolean", "string", "enumeration".
[[nodiscard]] std::string_view to_string(param_kind k);
[[nodiscard]] std::string_view to_string(param_role r);
[[nodiscard]] std::string_view to_string(value_type t);
// A condition as people read it, given its parent: "optimizer == sgd", "hidden >= 2",
// "optimizer in {adam, sgd}".
[[nodiscard]] std::string condition_text(const param_desc& parent, const condition& c);
// The shortest text that reads back to the same double ("0.001", "1e-05", "inf").
[[nodiscard]] std::string format_real(double v);

class space_desc {
 public:
  std::vector<param_desc> params;

  [[nodiscard]] std::size_t size() const { return params.size(); }
  [[nodiscard]] std::optional<std::size_t> find(std::string_view path) const;

  // Whether parameter i is active given the values already chosen for its ancestors.
  [[nodiscard]] bool condition_holds(std::size_t i, const assignment& a) const;
  // Direct children (parameters whose condition names i as parent).
  [[nodiscard]] std::vector<std::size_t> children(std::size_t i) const;

  // Throws assignment_error naming the parameter's path unless `a` has exactly the active
  // parameters, each with a legal value.
  void validate(const assignment& a) const;

  // Number of distinct complete configurations (branches summed, repeats summed over counts),
  // or nullopt for a space with a continuous parameter. Saturates at UINT64_MAX.
  [[nodiscard]] std::optional<std::uint64_t> grid_size() const;
  [[nodiscard]] bool is_finite() const { return grid_size().has_value(); }

  // Stable across runs, platforms and compilers; changes whenever anything in the space does.
  [[nodiscard]] std::uint64_t hash() const;
  [[nodiscard]] std::string hash_text() const;  // 16 hex digits

  // Throws description_error naming the parameter unless the description keeps its rules:
  // unique non-empty paths; parents before their children, of the right role; bounds ordered,
  // finite and exact (integers within +-2^53); a positive step; log scales above zero; choices
  // for categoricals and one value for constants; a legal default.
  void check() const;

  // A person-readable table of the parameters.
  [[nodiscard]] std::string to_text() const;
  // The JSON document of the whole description (docs/space-json.md gives its schema), and back:
  // from_json(to_json()) == *this. from_json throws description_error for a document that is
  // not valid JSON, misses or mistypes a field, names an unknown parent or choice, breaks a rule
  // of check(), or carries a hash that differs from the one its parameters give.
  [[nodiscard]] std::string to_json(int indent = 2) const;
  [[nodiscard]] static space_desc from_json(std::string_view text);
  // Shows an assignment as "path=value" pairs of its active parameters.
  [[nodiscard]] std::string format(const assignment& a) const;

  friend bool operator==(const space_desc&, const space_desc&) = default;
};

}  // namespace typetune
