// Field names and types of a struct reflected with Boost.Hana (BOOST_HANA_ADAPT_STRUCT or
// BOOST_HANA_DEFINE_STRUCT), as constants the checks and the decoder can index by name.
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
#include <boost/hana/length.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>

#include "typetune/fixed_string.hpp"

namespace typetune::detail {

template <class S>
inline constexpr bool is_reflected = boost::hana::Struct<S>::value;

template <class S>
inline constexpr std::size_t field_count =
    decltype(boost::hana::length(boost::hana::accessors<S>()))::value;

template <class S, std::size_t I>
using field_key_t = std::remove_cvref_t<decltype(boost::hana::first(boost::hana::at_c<I>(boost::hana::accessors<S>())))>;

template <class S, std::size_t I>
using field_t = std::remove_cvref_t<decltype(boost::hana::second(boost::hana::at_c<I>(boost::hana::accessors<S>()))(
    std::declval<S&>()))>;

template <char... C>
consteval auto to_fixed_string(boost::hana::string<C...>) {
  const char text[] = {C..., '\0'};
  return fixed_string<sizeof...(C) + 1>(text);
}

// The I-th field's name as a fixed_string, for diagnostics.
template <class S, std::size_t I>
inline constexpr auto field_name = to_fixed_string(field_key_t<S, I>{});

template <class S, std::size_t... I>
consteval std::size_t field_index_impl(std::string_view name, std::index_sequence<I...>) {
  std::size_t found = sizeof...(I);
  ((field_name<S, I>.view() == name && found == sizeof...(I) ? (found = I, 0) : 0), ...);
  return found;
}

// Index of the field called `name`, or field_count<S> when there is none.
template <class S>
consteval std::size_t field_index(std::string_view name) {
  return field_index_impl<S>(name, std::make_index_sequence<field_count<S>>{});
}

template <std::size_t I, class S>
constexpr decltype(auto) field(S& s) {
  return boost::hana::second(boost::hana::at_c<I>(boost::hana::accessors<std::remove_const_t<S>>()))(s);
}

}  // namespace typetune::detail
