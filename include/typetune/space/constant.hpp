// A constant: part of the space (documented, recorded, handed to the builder) but never
// searched: tt::constant<"epochs">(10).
#pragma once

#include "typetune/detail/utf8.hpp"
#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/node.hpp"

namespace typetune {

template <fixed_string Name, class T>
struct constant_param {
  using value_type = T;
  static constexpr auto name = Name;
  static constexpr node_category category = node_category::constant;
  T value{};
};

template <fixed_string Name, class V>
consteval auto constant(V value) {
  using T = detail::stored_value_t<V>;
  static_assert(detail::family_of<T>() != detail::value_family::other,
                "typetune: a constant holds an int, a real, a string, a boolean or an enum");
  const constant_param<Name, T> p{static_cast<T>(value)};
  if constexpr (detail::family_of<T>() == detail::value_family::string) {
    if (!detail::is_utf8(p.value)) error::choice_string_is_not_utf8<Name>::raise();
  }
  return p;
}

}  // namespace typetune
