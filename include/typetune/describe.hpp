// Lowering: describe(space) turns a typed space into the runtime space_desc that samplers,
// storage and docs use. The walk order here is the order decode/encode follow.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/unpack.hpp>

#include "typetune/space/space.hpp"
#include "typetune/desc/space_desc.hpp"

namespace typetune {
namespace detail {

struct lowering_scope {
  std::string prefix;
  std::size_t depth = 0;
  std::optional<condition> active_if;
};

// Built in place: copying a temporary variant that holds a std::string trips g++ 12's
// -Wmaybe-uninitialized at -O3 in the user's translation unit.
template <class T>
void append_choice(std::vector<choice_value>& out, const T& v) {
  constexpr auto family = family_of<T>();
  if constexpr (family == value_family::boolean) out.emplace_back(std::in_place_type<bool>, static_cast<bool>(v));
  else if constexpr (family == value_family::enumeration || family == value_family::integer)
    out.emplace_back(std::in_place_type<std::int64_t>, static_cast<std::int64_t>(v));
  else if constexpr (family == value_family::real) out.emplace_back(std::in_place_type<double>, static_cast<double>(v));
  else out.emplace_back(std::in_place_type<std::string>, std::string_view(v));
}

template <class T>
constexpr value_type value_type_of() {
  constexpr auto family = family_of<T>();
  if constexpr (family == value_family::boolean) return value_type::boolean;
  else if constexpr (family == value_family::enumeration) return value_type::enumeration;
  else if constexpr (family == value_family::integer) return value_type::integer;
  else if constexpr (family == value_family::real) return value_type::real;
  else return value_type::string;
}

template <class Node>
void lower(const Node& node, const lowering_scope& scope, space_desc& out);

template <class... Nodes>
void lower_all(const boost::hana::tuple<Nodes...>& nodes, const lowering_scope& scope, space_desc& out) {
  boost::hana::unpack(nodes, [&](const auto&... n) { (lower(n, scope, out), ...); });
}

template <class Node>
void lower(const Node& node, const lowering_scope& scope, space_desc& out) {
  if constexpr (Node::category == node_category::conditional) {
    // The parent, then its children in the same scope, each active for the marked values.
    const std::size_t parent = out.params.size();
    lower(node.parent, scope, out);
    std::vector<std::int64_t> values;
    for (std::size_t k = 0; k < Node::size; ++k)
      if (node.active_for[k]) values.push_back(static_cast<std::int64_t>(k));
    lower_all(node.children, lowering_scope{scope.prefix, scope.depth + 1, condition{parent, std::move(values)}}, out);
    return;
  }
  param_desc p;
  p.name = std::string(Node::name.view());
  p.path = scope.prefix + p.name;
  p.active_if = scope.active_if;
  p.depth = scope.depth;
  const std::size_t index = out.params.size();
  if constexpr (Node::category == node_category::integer) {
    p.kind = param_kind::integer;
    p.type = value_type::integer;
    p.low = static_cast<double>(node.low);
    p.high = static_cast<double>(node.high);
    p.step = static_cast<double>(node.step);
    p.log = node.log;
    if (node.has_default) p.default_value = node.default_value;
    out.params.push_back(std::move(p));
  } else if constexpr (Node::category == node_category::real) {
    p.kind = param_kind::real;
    p.type = value_type::real;
    p.low = node.low;
    p.high = node.high;
    p.step = node.step;
    p.log = node.log;
    if (node.has_default) p.default_value = node.default_value;
    out.params.push_back(std::move(p));
  } else if constexpr (Node::category == node_category::choice) {
    p.kind = param_kind::categorical;
    p.type = value_type_of<typename Node::value_type>();
    for (const auto& v : node.values) append_choice(p.choices, v);
    if (node.has_default) p.default_value = static_cast<std::int64_t>(node.default_index);
    out.params.push_back(std::move(p));
  } else if constexpr (Node::category == node_category::constant) {
    p.kind = param_kind::constant;
    p.type = value_type_of<typename Node::value_type>();
    append_choice(p.choices, node.value);
    p.default_value = std::int64_t{0};
    out.params.push_back(std::move(p));
  } else if constexpr (Node::category == node_category::repeat) {
    p.kind = param_kind::integer;
    p.role = param_role::count;
    p.type = value_type::integer;
    p.low = static_cast<double>(node.count.low);
    p.high = static_cast<double>(node.count.high);
    p.step = 1;
    out.params.push_back(std::move(p));
    for (std::int64_t i = 0; i < node.count.high; ++i) {
      lowering_scope item{scope.prefix + std::string(Node::name.view()) + "[" + std::to_string(i) + "].",
                          scope.depth + 1, condition{index, condition::rule::at_least, i + 1}};
      lower_all(node.items, item, out);
    }
  } else if constexpr (Node::category == node_category::branch) {
    p.kind = param_kind::categorical;
    p.role = param_role::branch;
    p.type = value_type::string;
    boost::hana::unpack(node.options, [&](const auto&... option) {
      (p.choices.emplace_back(std::in_place_type<std::string>, std::remove_cvref_t<decltype(option)>::name.view()), ...);
    });
    if (node.has_default) p.default_value = static_cast<std::int64_t>(node.default_index);
    out.params.push_back(std::move(p));
    std::int64_t k = 0;
    boost::hana::unpack(node.options, [&](const auto&... option) {
      auto one = [&](const auto& opt) {
        lowering_scope inner{scope.prefix + std::string(Node::name.view()) + "." +
                                 std::string(std::remove_cvref_t<decltype(opt)>::name.view()) + ".",
                             scope.depth + 1, condition{index, condition::rule::equals, k++}};
        lower_all(opt.children, inner, out);
      };
      (one(option), ...);
    });
  }
}

}  // namespace detail

// The runtime description of a space: every parameter with its path, kind, bounds, scale,
// choices and the condition under which it is active, in parent-before-child order.
template <class... Nodes>
[[nodiscard]] space_desc describe(const space_t<Nodes...>& space) {
  space_desc out;
  detail::lower_all(space.nodes, detail::lowering_scope{}, out);
  return out;
}

}  // namespace typetune
