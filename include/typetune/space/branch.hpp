// A conditional branch: a choice whose options carry their own parameters,
// tt::branch<"optimizer">(tt::option<"adam", adam>(...), tt::option<"sgd", sgd>(...)).
// In a builder's struct it is a std::variant with one alternative per option.
#pragma once

#include <boost/hana/tuple.hpp>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/node.hpp"

namespace typetune {

// One option of a branch. Struct, when given, is the variant alternative that receives the
// option's parameters; `void` means "whatever alternative stands at this position".
template <fixed_string Name, class Struct, class... Children>
struct option_node {
  static constexpr auto name = Name;
  using struct_type = Struct;
  boost::hana::tuple<Children...> children;
};

template <fixed_string Name, class Struct = void, class... Children>
consteval option_node<Name, Struct, Children...> option(Children... children) {
  static_assert((space_node<Children> && ...), "typetune: an option takes parameters");
  error::raise_unless_ok<decltype(detail::scope_names_error<Children...>())>();
  return {boost::hana::make_tuple(children...)};
}

template <class T>
inline constexpr bool is_option = false;
template <fixed_string Name, class Struct, class... Children>
inline constexpr bool is_option<option_node<Name, Struct, Children...>> = true;

template <fixed_string Name, class... Options>
struct branch_node {
  static constexpr auto name = Name;
  static constexpr node_category category = node_category::branch;
  static constexpr std::size_t size = sizeof...(Options);
  boost::hana::tuple<Options...> options;
  bool has_default = false;
  std::size_t default_index = 0;
};

template <fixed_string Name, class... Options>
consteval branch_node<Name, Options...> branch(Options... options) {
  static_assert((is_option<Options> && ...), "typetune: a branch takes tt::option<\"name\">(...) values");
  if constexpr (sizeof...(Options) == 0) error::raise_unless_ok<error::branch_without_options<Name>>();
  else error::raise_unless_ok<decltype(detail::scope_names_error<Options...>())>();
  return {boost::hana::make_tuple(options...)};
}

}  // namespace typetune
