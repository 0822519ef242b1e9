// What every node of a space has in common: its category, how many parameters it declares
// and how many it lowers to, and the value-category rules shared by choices and constants.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/fixed_string.hpp"

namespace typetune {

// conditional: a choice or branch with children active for some of its values (space/when.hpp).
enum class node_category : std::uint8_t { integer, real, choice, constant, repeat, branch, conditional };

template <class T>
concept space_node = requires {
  { T::category } -> std::convertible_to<node_category>;
  T::name;
};

namespace detail {

// The family of a choice's or constant's value type: a field fits a value only within one family,
// so a choice of reals never lands in an int and a string never in a double.
enum class value_family : std::uint8_t { integer, real, boolean, string, enumeration, other };

template <class T>
consteval value_family family_of() {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, bool>) return value_family::boolean;
  else if constexpr (std::is_enum_v<U>) return value_family::enumeration;
  else if constexpr (std::is_integral_v<U>) return value_family::integer;
  else if constexpr (std::is_floating_point_v<U>) return value_family::real;
  else if constexpr (std::is_convertible_v<U, std::string_view>) return value_family::string;
  else return value_family::other;
}

// How a literal given to choice<>/constant<> is stored: string literals as string_view (their
// storage is static), everything else as it was written.
template <class T>
using stored_value_t = std::conditional_t<std::is_convertible_v<std::decay_t<T>, std::string_view> &&
                                              !std::is_arithmetic_v<std::decay_t<T>>,
                                          std::string_view, std::decay_t<T>>;

// Whether an integer field of type Field holds v (char fields included, which std::in_range
// does not take).
template <class Field, class V>
constexpr bool holds_integer(V v) {
  using wide_field = std::conditional_t<std::is_signed_v<Field>, long long, unsigned long long>;
  using wide_value = std::conditional_t<std::is_signed_v<V>, long long, unsigned long long>;
  return std::cmp_greater_equal(static_cast<wide_value>(v), static_cast<wide_field>(std::numeric_limits<Field>::min())) &&
         std::cmp_less_equal(static_cast<wide_value>(v), static_cast<wide_field>(std::numeric_limits<Field>::max()));
}

// Whether a floating-point type T holds v finite and, unless v is zero, as a normal number
// (not flushed towards zero).
template <class T>
constexpr bool holds_real(double v) {
  const double magnitude = v < 0 ? -v : v;
  return magnitude <= static_cast<double>(std::numeric_limits<T>::max()) &&
         (v == 0 || magnitude >= static_cast<double>(std::numeric_limits<T>::min()));
}

// Index of the first duplicate among names, or names.size() when all differ.
template <std::size_t N>
consteval std::size_t first_duplicate(const std::string_view (&names)[N]) {
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (names[i] == names[j]) return i;
  return N;
}

// The I-th type of a pack, without std::tuple (whose header a space-only build need not pay for):
// overload resolution picks it in one step instead of a recursion over the pack.
template <std::size_t I, class T>
struct indexed_type { using type = T; };
template <class Seq, class... Ts>
struct indexed_types;
template <std::size_t... I, class... Ts>
struct indexed_types<std::index_sequence<I...>, Ts...> : indexed_type<I, Ts>... {};
template <std::size_t I, class T>
indexed_type<I, T> select_indexed(const indexed_type<I, T>&);
template <std::size_t I, class... Ts>
using nth_t = typename decltype(select_indexed<I>(indexed_types<std::index_sequence_for<Ts...>, Ts...>{}))::type;

// The first of E... that is not `ok` (or `ok`), found with one constant-evaluated loop rather
// than a recursion that would instantiate one template per element, each carrying the pack.
template <class... E>
consteval std::size_t first_not_ok_index() {
  constexpr bool ok[] = {error::is_ok<E>..., true};
  std::size_t i = 0;
  while (i < sizeof...(E) && ok[i]) ++i;
  return i;
}
template <std::size_t I, class... E>
struct pick_error { using type = nth_t<I, E...>; };
template <class... E>
struct pick_error<sizeof...(E), E...> { using type = error::ok; };
template <class... E>
using first_error_t = typename pick_error<first_not_ok_index<E...>(), E...>::type;

// A repeat's field: a sequence the decoder can resize and index (std::vector, std::deque, ...),
// recognised by its interface so that the check need not include <vector>.
// `ok`, or duplicate_name_in_scope naming the first name declared twice among Nodes.
template <class... Nodes>
consteval auto scope_names_error() {
  if constexpr (sizeof...(Nodes) < 2) {
    return error::ok{};
  } else {
    constexpr std::string_view names[] = {Nodes::name.view()...};
    constexpr std::size_t dup = first_duplicate(names);
    if constexpr (dup == sizeof...(Nodes)) return error::ok{};
    else return error::duplicate_name_in_scope<nth_t<dup, Nodes...>::name>{};
  }
}

}  // namespace detail
}  // namespace typetune
