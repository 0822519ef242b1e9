// An integer parameter: tt::int_<"units">(50, 100, tt::step{25}), optionally tt::log. Its
// values have the C++ type T (int unless given), and its bounds are checked as it is built.
#pragma once

#include <cstdint>
#include <type_traits>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/node.hpp"
#include "typetune/space/options.hpp"

namespace typetune {

namespace detail {
// The runtime description holds integer bounds as doubles: exact within +-2^53 only.
inline constexpr std::int64_t exact_double_limit = std::int64_t{1} << 53;
constexpr bool exact_in_double(std::int64_t v) { return v >= -exact_double_limit && v <= exact_double_limit; }
}  // namespace detail

template <fixed_string Name, class T = int>
struct int_param {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>, "typetune: int_<Name, T> needs an integer type T");
  using value_type = T;
  static constexpr auto name = Name;
  static constexpr node_category category = node_category::integer;

  std::int64_t low = 0;
  std::int64_t high = 0;
  std::int64_t step = 1;
  bool log = false;
  bool has_default = false;
  std::int64_t default_value = 0;

  [[nodiscard]] constexpr bool admits(std::int64_t v) const {
    return v >= low && v <= high && (v - low) % step == 0;
  }
  [[nodiscard]] consteval int_param with_default(std::int64_t v) const {
    if (!admits(v)) error::default_value_outside_range<Name>::raise();
    int_param copy = *this;
    copy.has_default = true;
    copy.default_value = v;
    return copy;
  }
};

template <fixed_string Name, class T = int, class... Options>
consteval int_param<Name, T> int_(std::int64_t low, std::int64_t high, Options... options) {
  static_assert((detail::integral_or_not_step<Options> && ...),
                "typetune: an int_ parameter's step must be an integer");
  const detail::scale_options o = detail::read_options(options...);
  int_param<Name, T> p{.low = low, .high = high, .step = o.has_step ? static_cast<std::int64_t>(o.step) : 1, .log = o.log};
  if (low > high) error::low_is_greater_than_high<Name>::raise();
  if (!detail::exact_in_double(low) || !detail::exact_in_double(high) || !detail::exact_in_double(p.step))
    error::integer_bound_not_exact_in_double<Name>::raise();
  if (!detail::holds_integer<T>(low) || !detail::holds_integer<T>(high)) error::bounds_do_not_fit_value_type<Name>::raise();
  if (p.step <= 0) error::step_must_be_positive<Name>::raise();
  if ((high - low) % p.step != 0) error::step_does_not_divide_range<Name>::raise();
  if (p.log && low <= 0) error::log_scale_needs_low_above_zero<Name>::raise();
  return p;
}

}  // namespace typetune
