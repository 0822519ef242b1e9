// What every compile-time mistake shares: `ok`, the test for it, and raise_unless_ok<E>(),
// which turns an error type into exactly one compile error whose text the type itself carries.
#pragma once

#include "typetune/fixed_string.hpp"

namespace typetune::error {

// No mistake. A check returns this or an error type of errors.hpp.
struct ok {};

template <class E>
inline constexpr bool is_ok = false;
template <>
inline constexpr bool is_ok<ok> = true;

template <class...>
inline constexpr bool always_false = false;

// The advice a mistake found in a constant evaluation (a bound, a default, a value) carries in
// the signature of its raise(): g++ prints that signature, so the advice is on the error line.
template <fixed_string Advice>
struct what_to_do {};

// Raises E as one compile error unless it is `ok`: it instantiates E::raise<>, whose
// static_assert holds E's message. Raising the same E again adds nothing (the instantiation
// exists), so a check repeated by optimize() or decode() after a failed fits() stays silent.
template <class E>
consteval bool raise_unless_ok() {
  if constexpr (!is_ok<E>) {
    [[maybe_unused]] typename E::template raise<> diagnostic;
  }
  return true;
}

}  // namespace typetune::error
