// A categorical parameter over ints, reals, strings, booleans or enums:
// tt::choice<"dropout">(0.0, 0.1, 0.2). A choice yields its value, never its index.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <type_traits>

#include "typetune/detail/utf8.hpp"
#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/node.hpp"
#include "typetune/space/when.hpp"

namespace typetune {

template <fixed_string Name, class T, std::size_t N>
struct choice_param {
  using value_type = T;
  static constexpr auto name = Name;
  static constexpr node_category category = node_category::choice;
  static constexpr std::size_t size = N;

  std::array<T, N> values{};
  bool has_default = false;
  std::size_t default_index = 0;

  [[nodiscard]] constexpr std::size_t index_of(const T& v) const {
    for (std::size_t i = 0; i < N; ++i)
      if (values[i] == v) return i;
    return N;
  }
  // Children active when the choice takes one of `values`: .when({true}, tt::real<"rate">(...)).
  template <class... Children>
  [[nodiscard]] consteval auto when(std::initializer_list<T> values, Children... children) const {
    std::array<bool, N> active{};
    for (const auto& v : values) {
      const std::size_t i = index_of(v);
      if (i == N) error::condition_value_not_a_choice<Name>::raise();
      else active[i] = true;
    }
    return detail::make_when(*this, active, children...);
  }
  template <class... Children>
  [[nodiscard]] consteval auto when(T value, Children... children) const {
    return when({value}, children...);
  }
  [[nodiscard]] consteval choice_param with_default(T v) const {
    const std::size_t i = index_of(v);
    if (i == N) error::default_value_not_a_choice<Name>::raise();
    choice_param copy = *this;
    copy.has_default = true;
    copy.default_index = i;
    return copy;
  }
};

template <fixed_string Name, class... V>
consteval auto choice(V... values) {
  if constexpr (sizeof...(V) == 0) {
    error::raise_unless_ok<error::empty_choice<Name>>();
    return choice_param<Name, int, 0>{};
  } else {
    using T = std::common_type_t<detail::stored_value_t<V>...>;
    static_assert(detail::family_of<T>() != detail::value_family::other,
                  "typetune: a choice holds ints, reals, strings, booleans or enums");
    choice_param<Name, T, sizeof...(V)> p{.values = {static_cast<T>(values)...}};
    for (std::size_t i = 0; i < sizeof...(V); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (p.values[i] == p.values[j]) error::duplicate_choice_value<Name>::raise();
    if constexpr (detail::family_of<T>() == detail::value_family::string) {
      for (const auto& v : p.values)
        if (!detail::is_utf8(v)) error::choice_string_is_not_utf8<Name>::raise();
    }
    return p;
  }
}

// A yes/no parameter: a choice of false and true.
template <fixed_string Name>
consteval auto boolean() {
  return choice<Name>(false, true);
}

}  // namespace typetune
