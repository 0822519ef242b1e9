// Compile-time facts about a space's size: whether it is finite (no continuous real), the
// first continuous parameter (for the grid-search diagnostic) and its grid size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include <boost/hana/unpack.hpp>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/branch.hpp"
#include "typetune/space/choice.hpp"
#include "typetune/space/constant.hpp"
#include "typetune/space/int_param.hpp"
#include "typetune/space/real_param.hpp"
#include "typetune/space/repeat.hpp"
#include "typetune/space/space.hpp"
#include "typetune/space/when.hpp"

namespace typetune {
namespace detail {

template <class Node>
struct continuous_error { using type = error::ok; };
template <fixed_string N, class T>
struct continuous_error<real_param<N, T, false>> { using type = error::grid_over_continuous_parameter<N>; };
template <fixed_string N, class... Items>
struct continuous_error<repeat_node<N, Items...>> {
  using type = first_error_t<typename continuous_error<Items>::type...>;
};
template <fixed_string N, class S, class... Children>
struct continuous_error<option_node<N, S, Children...>> {
  using type = first_error_t<typename continuous_error<Children>::type...>;
};
template <fixed_string N, class... Options>
struct continuous_error<branch_node<N, Options...>> {
  using type = first_error_t<typename continuous_error<Options>::type...>;
};
template <class Parent, class... Children>
struct continuous_error<when_node<Parent, Children...>> {
  using type = first_error_t<typename continuous_error<Parent>::type, typename continuous_error<Children>::type...>;
};
template <class... Nodes>
struct continuous_error<space_t<Nodes...>> {
  using type = first_error_t<typename continuous_error<Nodes>::type...>;
};

inline constexpr std::uint64_t saturated = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t mul_saturating(std::uint64_t a, std::uint64_t b) {
  return (a != 0 && b > saturated / a) ? saturated : a * b;
}
constexpr std::uint64_t add_saturating(std::uint64_t a, std::uint64_t b) {
  return a > saturated - b ? saturated : a + b;
}

template <class Node>
constexpr std::uint64_t configurations(const Node& node);

template <class... Nodes>
constexpr std::uint64_t product_of(const boost::hana::tuple<Nodes...>& nodes) {
  return boost::hana::unpack(nodes, [](const auto&... n) {
    std::uint64_t total = 1;
    ((total = mul_saturating(total, configurations(n))), ...);
    return total;
  });
}

template <class Node>
constexpr std::uint64_t configurations(const Node& node) {
  if constexpr (Node::category == node_category::integer) {
    return static_cast<std::uint64_t>((node.high - node.low) / node.step) + 1;
  } else if constexpr (Node::category == node_category::real) {
    if constexpr (Node::quantized) return static_cast<std::uint64_t>((node.high - node.low) / node.step + 0.5) + 1;
    else return 0;
  } else if constexpr (Node::category == node_category::choice) {
    return Node::size;
  } else if constexpr (Node::category == node_category::constant) {
    return 1;
  } else if constexpr (Node::category == node_category::repeat) {
    const std::uint64_t item = product_of(node.items);
    std::uint64_t total = 0, power = 1;
    for (std::int64_t c = 0; c <= node.count.high; ++c) {
      if (c >= node.count.low) total = add_saturating(total, power);
      power = mul_saturating(power, item);
    }
    return total;
  } else if constexpr (Node::category == node_category::branch) {
    return boost::hana::unpack(node.options, [](const auto&... option) {
      std::uint64_t total = 0;
      ((total = add_saturating(total, product_of(option.children))), ...);
      return total;
    });
  } else {
    // Each value of the parent: its own subtree (a branch option's), times the children's
    // configurations where they are active.
    const std::uint64_t children = product_of(node.children);
    std::uint64_t total = 0;
    for (std::size_t k = 0; k < Node::size; ++k) {
      std::uint64_t own = 1;
      if constexpr (Node::parent_type::category == node_category::branch) {
        boost::hana::unpack(node.parent.options, [&](const auto&... option) {
          std::size_t i = 0;
          ((own = (i++ == k ? product_of(option.children) : own)), ...);
        });
      }
      total = add_saturating(total, node.active_for[k] ? mul_saturating(own, children) : own);
    }
    return total;
  }
}

}  // namespace detail

// Which mistake a grid search over Space would be: error::ok, or grid_over_continuous_parameter
// naming the first continuous real (for tests that ask without failing their build).
template <class Space>
using grid_check_t = typename detail::continuous_error<std::remove_cvref_t<Space>>::type;

// True when every parameter takes finitely many values (no continuous real).
template <class Space>
inline constexpr bool is_finite_v = error::is_ok<grid_check_t<Space>>;

template <class Space>
consteval bool is_finite(const Space&) { return is_finite_v<Space>; }

// Compile error naming the first continuous parameter unless the space can be enumerated.
template <class Space>
consteval bool require_grid(const Space&) {
  return error::raise_unless_ok<grid_check_t<Space>>();
}

// Number of configurations a grid enumerates (branches summed, repeats summed over counts);
// saturates at UINT64_MAX. Only for finite spaces.
template <class... Nodes>
constexpr std::uint64_t grid_size(const space_t<Nodes...>& space) {
  static_assert(error::raise_unless_ok<typename detail::continuous_error<space_t<Nodes...>>::type>());
  return detail::product_of(space.nodes);
}

}  // namespace typetune
