// Conditional parameters: children of a choice or a branch that exist only for some of its
// values, with one path each: tt::boolean<"dropout">().when({true}, tt::real<"rate">(0.1, 0.5)),
// tt::branch<"optimizer">(...).when<"adam", "sgd">(tt::real<"learning_rate">(...)). In the
// builder's struct a child is a std::optional sibling of its parent's field.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <string_view>

#include <boost/hana/tuple.hpp>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/node.hpp"

namespace typetune {

// Parent (a choice or a branch) and the children active when it takes one of the values
// marked in active_for.
template <class Parent, class... Children>
struct when_node {
  static constexpr auto name = Parent::name;
  static constexpr node_category category = node_category::conditional;
  static constexpr std::size_t size = Parent::size;
  using parent_type = Parent;

  Parent parent;
  std::array<bool, Parent::size> active_for{};
  boost::hana::tuple<Children...> children;
};

namespace detail {
template <class Parent, class... Children>
consteval when_node<Parent, Children...> make_when(const Parent& parent, const std::array<bool, Parent::size>& active_for,
                                                   Children... children) {
  static_assert(sizeof...(Children) > 0, "typetune: when(...) takes the values and then at least one parameter");
  static_assert(((space_node<Children> && Children::category != node_category::conditional) && ...),
                "typetune: when(...) takes parameters, repeats and branches after its values");
  error::raise_unless_ok<decltype(scope_names_error<Parent, Children...>())>();
  bool any = false;
  for (const bool b : active_for) any = any || b;
  if (!any) error::condition_without_values<Parent::name>::raise();
  return {parent, active_for, boost::hana::make_tuple(children...)};
}
}  // namespace detail

}  // namespace typetune
