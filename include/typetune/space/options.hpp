// Options a parameter takes after its bounds: a step (tt::step{25}) and a log scale (tt::log).
// Kept as distinct types so that a quantized real is a different type from a continuous one.
#pragma once

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
}  // namespace detail

}  // namespace typetune
