// What changed between two descriptions of a space, parameter by parameter (matched by path),
// and whether trials recorded under the first stay valid under the second; moving them across.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "typetune/desc/space_desc.hpp"

namespace typetune {

enum class space_change_kind : std::uint8_t {
  added,          // a path only the new space has
  removed,        // a path only the old space has
  kind,           // int, real, choice or constant
  role,           // plain, branch or count
  value_type,     // the C++ type family the builder reads
  range,          // low or high
  step,
  scale,          // linear or log
  choices,        // choice values (or a constant's value)
  condition,      // when the parameter is active
  default_value,
  order,          // the same parameters in another order
};

[[nodiscard]] std::string_view to_string(space_change_kind k);  // "added", "range", ...

struct space_change {
  space_change_kind kind = space_change_kind::added;
  std::string path;
  // Every trial recorded under the old space is also a legal trial of the new one (after
  // migrate_assignment): a range widened on the same step grid, a choice value added, a
  // parameter added with a default (or one that no old trial could have made active), a new
  // default, a new order.
  bool compatible = false;
  std::string text;  // "parameter 'lr': range [0.0001, 0.1] -> [1e-05, 0.1] (widened)"
};

struct space_diff {
  std::vector<space_change> changes;  // in the new space's order; removed ones last

  [[nodiscard]] bool empty() const noexcept { return changes.empty(); }
  [[nodiscard]] bool compatible() const noexcept;  // true when empty
  // One line per change, incompatible ones marked: "  parameter 'lr': scale log -> linear".
  [[nodiscard]] std::string to_text() const;
};

[[nodiscard]] space_diff diff_spaces(const space_desc& before, const space_desc& after);

// An assignment of `before` as an assignment of `after`: values carried over by path (choices by
// value, not by index), parameters the new space makes active and the old one lacked take their
// default. Throws assignment_error naming the parameter when the result does not fit `after`.
[[nodiscard]] assignment migrate_assignment(const assignment& a, const space_desc& before, const space_desc& after);

}  // namespace typetune
