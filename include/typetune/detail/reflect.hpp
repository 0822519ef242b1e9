// Field names and types of a builder's parameter struct, as constants the checks and the
// decoder index by name. A struct is reflected by TYPETUNE_REFLECT or by Hana's adaptation.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/hana/accessors.hpp>
#include <boost/hana/adapt_struct.hpp>
#include <boost/hana/at.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/unpack.hpp>

#include "typetune/fixed_string.hpp"
#include "typetune/reflect.hpp"
#include "typetune/space/node.hpp"

namespace typetune::detail {

template <class... T>
struct type_list {};

// TYPETUNE_REFLECT's side: a function found by argument-dependent lookup in the struct's
// namespace (or the global one), whose return type holds the member pointers.
template <class S>
concept has_own_reflection = requires { typetune_reflection(reflection_tag<S>{}); };

template <class S>
inline constexpr auto own_table = typetune_reflection(reflection_tag<S>{});

template <auto Member>
struct member_holder {
  static constexpr auto value = Member;
};
template <class M>
struct member_type;
template <class C, class T>
struct member_type<T C::*> { using type = T; };

template <class S, class Members = typename decltype(own_table<S>)::members>
struct own_reflection;
template <class S, auto... M>
struct own_reflection<S, member_list<M...>> {
  static constexpr std::size_t count = sizeof...(M);
  template <std::size_t I>
  using field = std::remove_cvref_t<typename member_type<std::remove_cv_t<decltype(nth_t<I, member_holder<M>...>::value)>>::type>;
  template <std::size_t I>
  static constexpr auto pointer = nth_t<I, member_holder<M>...>::value;
  static constexpr const std::string_view* names = own_table<S>.names;
};

// Hana's side: one unpack of the accessors per struct (at_c/first/second per field would cost
// an overload resolution each, and dominated compile time).
template <class... Keys>
struct key_names {
  static constexpr std::string_view at[sizeof...(Keys) + 1] = {boost::hana::to<char const*>(Keys{})..., ""};
};
template <class Keys, class Fields>
struct hana_fields;
template <class... Keys, class... Fields>
struct hana_fields<type_list<Keys...>, type_list<Fields...>> {
  static constexpr std::size_t count = sizeof...(Keys);
  template <std::size_t I>
  using field = nth_t<I, Fields...>;
  static constexpr const std::string_view* names = key_names<Keys...>::at;
};
template <class S>
struct hana_reflection {
  using type = decltype(boost::hana::unpack(boost::hana::accessors<S>(), [](auto... pairs) {
    return hana_fields<type_list<std::remove_cvref_t<decltype(boost::hana::first(pairs))>...>,
                       type_list<std::remove_cvref_t<decltype(boost::hana::second(pairs)(std::declval<S&>()))>...>>{};
  }));
};

template <class S>
inline constexpr bool is_reflected = has_own_reflection<S> || boost::hana::Struct<S>::value;

template <class S>
struct reflection_of { using type = typename hana_reflection<S>::type; };
template <class S>
  requires has_own_reflection<S>
struct reflection_of<S> { using type = own_reflection<S>; };
template <class S>
using reflection = typename reflection_of<S>::type;

template <class S>
inline constexpr std::size_t field_count = reflection<S>::count;

template <class S, std::size_t I>
using field_t = typename reflection<S>::template field<I>;

// All field names of S, in declaration order.
template <class S>
inline constexpr const std::string_view* field_names = reflection<S>::names;

template <std::size_t N>
consteval fixed_string<N + 1> to_fixed_string(std::string_view text) {
  char buffer[N + 1]{};
  for (std::size_t i = 0; i < N; ++i) buffer[i] = text[i];
  return fixed_string<N + 1>(buffer);
}

// The I-th field's name as a fixed_string, for diagnostics.
template <class S, std::size_t I>
inline constexpr auto field_name = to_fixed_string<field_names<S>[I].size()>(field_names<S>[I]);

// Index of the field called `name`, or field_count<S> when there is none.
template <class S>
consteval std::size_t field_index(std::string_view name) {
  std::size_t i = 0;
  while (i < field_count<S> && field_names<S>[i] != name) ++i;
  return i;
}

template <std::size_t I, class S>
constexpr decltype(auto) field(S& s) {
  using plain = std::remove_const_t<S>;
  if constexpr (has_own_reflection<plain>) return (s.*(own_reflection<plain>::template pointer<I>));
  else return boost::hana::second(boost::hana::at_c<I>(boost::hana::accessors<plain>()))(s);
}

}  // namespace typetune::detail
