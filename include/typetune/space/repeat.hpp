// A repeat: an integer count that drives a list of per-item parameter groups,
// tt::repeat<"hidden">(tt::count(1, 3), tt::int_<"units">(...), ...). In a builder's struct
// it is a std::vector of a per-item struct whose size is the count.
#pragma once

#include <cstdint>

#include <boost/hana/tuple.hpp>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/node.hpp"

namespace typetune {

struct count_range {
  std::int64_t low = 0;
  std::int64_t high = 0;
};

// How many items a repeat may have, inclusive.
consteval count_range count(std::int64_t low, std::int64_t high) { return {low, high}; }

template <fixed_string Name, class... Items>
struct repeat_node {
  static constexpr auto name = Name;
  static constexpr node_category category = node_category::repeat;
  count_range count;
  boost::hana::tuple<Items...> items;
};

template <fixed_string Name, class... Items>
consteval repeat_node<Name, Items...> repeat(count_range count, Items... items) {
  static_assert((space_node<Items> && ...), "typetune: repeat takes tt::count(low, high) and then parameters");
  if constexpr (sizeof...(Items) == 0) error::raise_unless_ok<error::repeat_without_parameters<Name>>();
  else error::raise_unless_ok<decltype(detail::scope_names_error<Items...>())>();
  if (count.low > count.high) error::low_is_greater_than_high<Name>::raise();
  if (count.low < 0) error::repeat_count_must_be_at_least_zero<Name>::raise();
  return {count, boost::hana::make_tuple(items...)};
}

}  // namespace typetune
