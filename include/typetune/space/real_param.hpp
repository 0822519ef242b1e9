// A real parameter: tt::real<"learning_rate">(1e-4, 1e-2, tt::log), or quantized with
// tt::step{0.05} (then finite, so a grid can enumerate it). Bounds are checked as it is built.
#pragma once

#include <type_traits>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/node.hpp"
#include "typetune/space/options.hpp"

namespace typetune {

template <fixed_string Name, class T = double, bool Quantized = false>
struct real_param {
  static_assert(std::is_floating_point_v<T>, "typetune: real<Name, T> needs a floating-point type T");
  using value_type = T;
  static constexpr auto name = Name;
  static constexpr node_category category = node_category::real;
  static constexpr bool quantized = Quantized;

  double low = 0;
  double high = 0;
  double step = 0;  // 0 unless quantized
  bool log = false;
  bool has_default = false;
  double default_value = 0;

  [[nodiscard]] constexpr bool admits(double v) const {
    if (!(v >= low && v <= high)) return false;  // also rejects NaN
    if constexpr (Quantized) {
      const double k = (v - low) / step;
      const double nearest = static_cast<double>(static_cast<long long>(k + 0.5));
      const double diff = k - nearest;
      return (diff < 0 ? -diff : diff) <= 1e-9 * (nearest > 1 ? nearest : 1);
    }
    return true;
  }
  [[nodiscard]] consteval real_param with_default(double v) const {
    if (!admits(v)) error::default_value_outside_range<Name>::raise();
    real_param copy = *this;
    copy.has_default = true;
    copy.default_value = v;
    return copy;
  }
};

template <fixed_string Name, class T = double, class... Options>
consteval auto real(double low, double high, Options... options) {
  const detail::scale_options o = detail::read_options(options...);
  real_param<Name, T, (detail::is_step<Options> || ...)> p{.low = low, .high = high, .step = o.step, .log = o.log};
  if (!(low <= high)) error::low_is_greater_than_high<Name>::raise();
  if (!detail::holds_real<T>(low) || !detail::holds_real<T>(high))
    error::bounds_do_not_fit_value_type<Name>::raise();
  if (p.log && low <= 0) error::log_scale_needs_low_above_zero<Name>::raise();
  if constexpr (decltype(p)::quantized) {
    if (!(p.step > 0)) error::step_must_be_positive<Name>::raise();
    const double k = (high - low) / p.step;
    const double whole = static_cast<double>(static_cast<long long>(k + 0.5));
    if ((k - whole) * (k - whole) > 1e-18 * (whole * whole + 1)) error::step_does_not_divide_range<Name>::raise();
  }
  return p;
}

}  // namespace typetune
