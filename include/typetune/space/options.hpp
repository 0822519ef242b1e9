// Options a parameter takes after its bounds: a step (tt::step{25}) and a log scale (tt::log).
// Kept as distinct types so that a quantized real is a different type from a continuous one.
#pragma once

#include <type_traits>

namespace typetune {

template <class T>
struct step {
  T value;
};
template <class T>
step(T) -> step<T>;

struct log_scale {
  explicit constexpr log_scale() = default;
};
inline constexpr log_scale log{};

namespace detail {
template <class T>
inline constexpr bool is_step = false;
template <class T>
inline constexpr bool is_step<step<T>> = true;
// False only for a step that is not an integer (which an int_ parameter cannot take).
template <class T>
inline constexpr bool integral_or_not_step = true;
template <class T>
inline constexpr bool integral_or_not_step<step<T>> = std::is_integral_v<T>;

// The options after a parameter's bounds, read by a function that depends only on the options'
// types, so that it is instantiated once per combination, not once per parameter name.
struct scale_options {
  double step = 0;
  bool has_step = false;
  bool log = false;
};
template <class... Options>
consteval scale_options read_options(Options... options) {
  scale_options out;
  ([&out](auto option) {
    using O = decltype(option);
    if constexpr (std::is_same_v<O, log_scale>) out.log = true;
    else if constexpr (is_step<O>) {
      out.step = static_cast<double>(option.value);
      out.has_step = true;
    }
    else static_assert(is_step<O>, "typetune: a parameter takes tt::step{x} and tt::log after its bounds");
  }(options), ...);
  return out;
}
}  // namespace detail

}  // namespace typetune
