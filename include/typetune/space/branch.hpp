// A conditional branch: a choice whose options carry their own parameters,
// tt::branch<"optimizer">(tt::option<"adam", adam>(...), tt::option<"sgd", sgd>(...)).
// In a builder's struct it is a std::variant with one alternative per option.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <boost/hana/tuple.hpp>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/node.hpp"
#include "typetune/space/when.hpp"

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

  [[nodiscard]] static constexpr std::size_t index_of(std::string_view option) {
    constexpr std::string_view names[] = {Options::name.view()...};
    for (std::size_t i = 0; i < sizeof...(Options); ++i)
      if (names[i] == option) return i;
    return sizeof...(Options);
  }
  // The option a sampler starts from: .with_default("sgd").
  [[nodiscard]] consteval branch_node with_default(std::string_view option) const {
    const std::size_t i = index_of(option);
    if (i == size) error::default_value_not_a_choice<Name>::raise();
    branch_node copy = *this;
    copy.has_default = true;
    copy.default_index = i;
    return copy;
  }
  // Parameters shared by several options, with one path each:
  // .when<"adam", "sgd">(tt::real<"learning_rate">(1e-4, 1e-1, tt::log)).
  template <fixed_string... Names, class... Children>
  [[nodiscard]] consteval auto when(Children... children) const {
    std::array<bool, size> active{};
    const std::string_view chosen[] = {Names.view()..., std::string_view{}};
    for (std::size_t k = 0; k < sizeof...(Names); ++k) {
      const std::size_t i = index_of(chosen[k]);
      if (i == size) error::condition_value_not_a_choice<Name>::raise();
      else active[i] = true;
    }
    return detail::make_when(*this, active, children...);
  }
};

template <fixed_string Name, class... Options>
consteval branch_node<Name, Options...> branch(Options... options) {
  static_assert((is_option<Options> && ...), "typetune: a branch takes tt::option<\"name\">(...) values");
  if constexpr (sizeof...(Options) == 0) error::raise_unless_ok<error::branch_without_options<Name>>();
  else error::raise_unless_ok<decltype(detail::scope_names_error<Options...>())>();
  return {boost::hana::make_tuple(options...)};
}

}  // namespace typetune
