// A search space: tt::space(node...), a value whose type holds every name, kind and nesting,
// and whose members hold bounds and choices. Declared constexpr, it is checked as it is built.
#pragma once

#include <cstddef>

#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/branch.hpp"
#include "typetune/space/node.hpp"
#include "typetune/space/repeat.hpp"
#include "typetune/space/when.hpp"

namespace typetune {

namespace detail {
template <class Node>
consteval std::size_t declared_count() {
  if constexpr (Node::category == node_category::repeat) {
    return boost::hana::unpack(decltype(Node{}.items){}, [](auto... items) {
      return (std::size_t{1} + ... + declared_count<decltype(items)>());
    });
  } else if constexpr (Node::category == node_category::branch) {
    return boost::hana::unpack(decltype(Node{}.options){}, [](auto... options) {
      return (std::size_t{1} + ... + boost::hana::unpack(decltype(options.children){}, [](auto... children) {
                return (std::size_t{0} + ... + declared_count<decltype(children)>());
              }));
    });
  } else if constexpr (Node::category == node_category::conditional) {
    return boost::hana::unpack(decltype(Node{}.children){}, [](auto... children) {
      return (declared_count<typename Node::parent_type>() + ... + declared_count<decltype(children)>());
    });
  } else {
    return 1;
  }
}
}  // namespace detail

template <class... Nodes>
struct space_t {
  boost::hana::tuple<Nodes...> nodes;

  // Parameters declared, in all scopes (a repeat's item parameters once, its count once).
  [[nodiscard]] static constexpr std::size_t size() { return (std::size_t{0} + ... + detail::declared_count<Nodes>()); }
};

template <class... Nodes>
consteval space_t<Nodes...> space(Nodes... nodes) {
  static_assert((space_node<Nodes> && ...), "typetune: space takes parameters, repeats and branches");
  error::raise_unless_ok<decltype(detail::scope_names_error<Nodes...>())>();
  return {boost::hana::make_tuple(nodes...)};
}

template <class T>
inline constexpr bool is_space = false;
template <class... Nodes>
inline constexpr bool is_space<space_t<Nodes...>> = true;

}  // namespace typetune
