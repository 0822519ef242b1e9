// decode<Params>(space, assignment) turns a sampled assignment into the builder's typed
// struct (or a params_of record); encode does the reverse. Both reject, with the parameter's
// path, anything that does not fit the space: never undefined behaviour on bad input.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/unpack.hpp>

#include "typetune/check/fits.hpp"
#include "typetune/describe.hpp"
#include "typetune/detail/reflect.hpp"
#include "typetune/params_of.hpp"
#include "typetune/desc/space_desc.hpp"

namespace typetune {
namespace detail {

// Number of parameters a node lowers to (as describe() emits them).
template <class Node>
constexpr std::size_t flat_size(const Node& node);

template <class... Nodes>
constexpr std::size_t flat_size_all(const boost::hana::tuple<Nodes...>& nodes) {
  return boost::hana::unpack(nodes, [](const auto&... n) { return (std::size_t{0} + ... + flat_size(n)); });
}

template <class Node>
constexpr std::size_t flat_size(const Node& node) {
  if constexpr (Node::category == node_category::repeat) {
    return 1 + static_cast<std::size_t>(node.count.high) * flat_size_all(node.items);
  } else if constexpr (Node::category == node_category::branch) {
    return boost::hana::unpack(node.options, [](const auto&... option) {
      return (std::size_t{1} + ... + flat_size_all(option.children));
    });
  } else if constexpr (Node::category == node_category::conditional) {
    return flat_size(node.parent) + flat_size_all(node.children);
  } else {
    return 1;
  }
}

// A value problem at flat index `index`; turned into an assignment_error with the path.
struct bad_value {
  std::size_t index;
  std::string what;
};

// A real as it was given ("1.5", "0.001"), not std::to_string's fixed six decimals.
inline std::string shortest(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

// A field that holds fewer digits than the double a real is sampled as (a float).
template <class Field>
inline constexpr bool narrower_than_double = std::numeric_limits<Field>::digits < std::numeric_limits<double>::digits;

// A sampled real as a Field: the nearest Field, moved inside [low, high] when rounding took it
// out (float(0.7) < 0.7), so that encoding the field again is admitted.
template <class Field>
Field narrow_within(double v, double low, double high) {
  Field f = static_cast<Field>(v);
  if constexpr (narrower_than_double<Field>) {
    if (static_cast<double>(f) < low) f = std::nextafter(f, std::numeric_limits<Field>::infinity());
    else if (static_cast<double>(f) > high) f = std::nextafter(f, -std::numeric_limits<Field>::infinity());
  }
  return f;
}

// The double a real field's value encodes to. A quantized real decoded into a float is not on
// the grid as a double: it encodes to the grid value it was decoded from, so that a float
// field survives decode and encode exactly.
template <class Node, class Field>
double on_grid_of(const Node& n, const Field& value) {
  const auto v = static_cast<double>(value);
  if constexpr (Node::quantized && narrower_than_double<Field>) {
    const double grid = std::min(n.high, n.low + std::round((v - n.low) / n.step) * n.step);
    if (narrow_within<Field>(grid, n.low, n.high) == value) return grid;
  }
  return v;
}

template <class T>
inline constexpr bool is_record_v = false;
template <class... N>
inline constexpr bool is_record_v<record<N...>> = true;

template <class Field, class Value>
Field convert_value(const Value& v, std::size_t index) {
  if constexpr (std::is_integral_v<Field> && !std::is_same_v<Field, bool> && std::is_integral_v<Value> &&
                !std::is_same_v<Value, bool>) {
    if (!std::in_range<Field>(v)) throw bad_value{index, "value " + std::to_string(v) + " does not fit the field's type"};
    return static_cast<Field>(v);
  } else if constexpr (std::is_same_v<Value, std::string_view>) {
    return Field(v);
  } else {
    return static_cast<Field>(v);
  }
}

class decoder {
 public:
  explicit decoder(const assignment& a) : a_(a) {}

  template <class... Nodes, class Target>
  void scope(const boost::hana::tuple<Nodes...>& nodes, Target& target) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (node<nth_t<I, Nodes...>, I>(boost::hana::at_c<I>(nodes), target), ...);
    }(std::index_sequence_for<Nodes...>{});
  }

  // Every parameter of an inactive subtree must be absent.
  void skip(std::size_t n) {
    for (std::size_t end = cursor_ + n; cursor_ < end; ++cursor_)
      if (a_.is_active(cursor_)) throw bad_value{cursor_, "has a value but is not active"};
  }

 private:
  template <class Node, std::size_t Position, class Target>
  void node(const Node& n, Target& target) {
    if constexpr (Node::category == node_category::conditional) {
      // The parent's field, then each child's optional field beside it.
      const std::size_t at = cursor_;
      fill(n.parent, field<field_index<Target>(Node::name.view())>(target));
      const auto chosen = static_cast<std::size_t>(std::get<std::int64_t>(a_.values[at]));
      const bool active = n.active_for[chosen];
      boost::hana::unpack(n.children, [&](const auto&... child) {
        auto one = [&](const auto& c) {
          auto& slot = field<field_index<Target>(std::remove_cvref_t<decltype(c)>::name.view())>(target);
          if (active) fill(c, slot.emplace());
          else {
            slot.reset();
            skip(flat_size(c));
          }
        };
        (one(child), ...);
      });
    } else if constexpr (is_record_v<Target>) {
      fill(n, boost::hana::at_c<Position>(target.values));
    } else {
      fill(n, field<field_index<Target>(Node::name.view())>(target));
    }
  }

  const param_value& take_active() {
    if (cursor_ >= a_.values.size()) throw bad_value{cursor_, "is missing"};
    if (!a_.is_active(cursor_)) throw bad_value{cursor_, "is active but has no value"};
    return a_.values[cursor_++];
  }
  std::int64_t take_int() {
    const auto& v = take_active();
    if (!std::holds_alternative<std::int64_t>(v)) throw bad_value{cursor_ - 1, "has a real where an integer is expected"};
    return std::get<std::int64_t>(v);
  }

  template <class Node, class Field>
  void fill(const Node& n, Field& out) {
    if constexpr (Node::category == node_category::integer) {
      const auto v = take_int();
      if (!n.admits(v)) throw bad_value{cursor_ - 1, "value " + std::to_string(v) + " is outside the space"};
      out = convert_value<Field>(v, cursor_ - 1);
    } else if constexpr (Node::category == node_category::real) {
      const auto& v = take_active();
      if (!std::holds_alternative<double>(v)) throw bad_value{cursor_ - 1, "has an integer where a real is expected"};
      if (!n.admits(std::get<double>(v))) throw bad_value{cursor_ - 1, "value " + shortest(std::get<double>(v)) + " is outside the space"};
      out = narrow_within<Field>(std::get<double>(v), n.low, n.high);
    } else if constexpr (Node::category == node_category::choice) {
      const auto i = take_int();
      if (i < 0 || static_cast<std::size_t>(i) >= Node::size)
        throw bad_value{cursor_ - 1, "choice index " + std::to_string(i) + " is out of range"};
      out = convert_value<Field>(n.values[static_cast<std::size_t>(i)], cursor_ - 1);
    } else if constexpr (Node::category == node_category::constant) {
      if (take_int() != 0) throw bad_value{cursor_ - 1, "a constant's value must be index 0"};
      out = convert_value<Field>(n.value, cursor_ - 1);
    } else if constexpr (Node::category == node_category::repeat) {
      const auto count = take_int();
      if (count < n.count.low || count > n.count.high)
        throw bad_value{cursor_ - 1, "count " + std::to_string(count) + " is outside the space"};
      const std::size_t per_item = flat_size_all(n.items);
      out.clear();
      out.resize(static_cast<std::size_t>(count));
      for (std::int64_t i = 0; i < n.count.high; ++i) {
        if (i < count) scope(n.items, out[static_cast<std::size_t>(i)]);
        else skip(per_item);
      }
    } else {
      const auto chosen = take_int();
      if (chosen < 0 || static_cast<std::size_t>(chosen) >= Node::size)
        throw bad_value{cursor_ - 1, "option index " + std::to_string(chosen) + " is out of range"};
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((static_cast<std::int64_t>(K) == chosen ? fill_option(boost::hana::at_c<K>(n.options), out, std::in_place_index<K>)
                                                  : skip(flat_size_all(boost::hana::at_c<K>(n.options).children))),
         ...);
      }(std::make_index_sequence<Node::size>{});
    }
  }

  template <class Option, class Variant, std::size_t K>
  void fill_option(const Option& option, Variant& out, std::in_place_index_t<K>) {
    auto& alt = out.template emplace<K>();
    using alt_t = std::remove_cvref_t<decltype(alt)>;
    if constexpr (std::is_same_v<alt_t, std::monostate>) {
      // an option without parameters
    } else if constexpr (requires { alt.params; }) {
      scope(option.children, alt.params);
    } else {
      scope(option.children, alt);
    }
  }

 public:
  std::size_t cursor_ = 0;

 private:
  const assignment& a_;
};

class encoder {
 public:
  assignment out;

  template <class... Nodes, class Source>
  void scope(const boost::hana::tuple<Nodes...>& nodes, const Source& source) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (node<nth_t<I, Nodes...>, I>(boost::hana::at_c<I>(nodes), source), ...);
    }(std::index_sequence_for<Nodes...>{});
  }
  void pad(std::size_t n) { out.values.resize(out.values.size() + n); }

 private:
  template <class Node, std::size_t Position, class Source>
  void node(const Node& n, const Source& source) {
    if constexpr (Node::category == node_category::conditional) {
      const std::size_t at = here();
      put(n.parent, field<field_index<Source>(Node::name.view())>(source));
      const bool active = n.active_for[static_cast<std::size_t>(std::get<std::int64_t>(out.values[at]))];
      boost::hana::unpack(n.children, [&](const auto&... child) {
        auto one = [&](const auto& c) {
          const auto& slot = field<field_index<Source>(std::remove_cvref_t<decltype(c)>::name.view())>(source);
          if (active != slot.has_value())
            throw bad_value{here(), active ? "is active (its parent's value has it) but its field is empty"
                                           : "is not active (its parent's value has none) but its field holds a value"};
          if (active) put(c, *slot);
          else pad(flat_size(c));
        };
        (one(child), ...);
      });
    } else if constexpr (is_record_v<Source>) {
      put(n, boost::hana::at_c<Position>(source.values));
    } else {
      put(n, field<field_index<Source>(Node::name.view())>(source));
    }
  }

  std::size_t here() const { return out.values.size(); }

  template <class Node, class Field>
  void put(const Node& n, const Field& value) {
    if constexpr (Node::category == node_category::integer) {
      if (!std::in_range<std::int64_t>(value) || !n.admits(static_cast<std::int64_t>(value)))
        throw bad_value{here(), "value " + std::to_string(value) + " is outside the space"};
      out.values.emplace_back(static_cast<std::int64_t>(value));
    } else if constexpr (Node::category == node_category::real) {
      const double v = on_grid_of(n, value);
      if (!n.admits(v)) throw bad_value{here(), "value " + shortest(v) + " is outside the space"};
      out.values.emplace_back(v);
    } else if constexpr (Node::category == node_category::choice) {
      std::size_t i = 0;
      while (i < Node::size && !(convert_value<Field>(n.values[i], here()) == value)) ++i;
      if (i == Node::size) throw bad_value{here(), "value is not one of the choices"};
      out.values.emplace_back(static_cast<std::int64_t>(i));
    } else if constexpr (Node::category == node_category::constant) {
      if (!(convert_value<Field>(n.value, here()) == value)) throw bad_value{here(), "differs from the space's constant"};
      out.values.emplace_back(std::int64_t{0});
    } else if constexpr (Node::category == node_category::repeat) {
      const auto count = static_cast<std::int64_t>(value.size());
      if (count < n.count.low || count > n.count.high)
        throw bad_value{here(), "has " + std::to_string(count) + " items, outside the space's count"};
      out.values.emplace_back(count);
      const std::size_t per_item = flat_size_all(n.items);
      for (std::int64_t i = 0; i < n.count.high; ++i) {
        if (i < count) scope(n.items, value[static_cast<std::size_t>(i)]);
        else pad(per_item);
      }
    } else {
      if (value.valueless_by_exception()) throw bad_value{here(), "holds no option"};
      const auto chosen = value.index();
      out.values.emplace_back(static_cast<std::int64_t>(chosen));
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((K == chosen ? put_option(boost::hana::at_c<K>(n.options), std::get<K>(value))
                      : pad(flat_size_all(boost::hana::at_c<K>(n.options).children))),
         ...);
      }(std::make_index_sequence<Node::size>{});
    }
  }

  template <class Option, class Alternative>
  void put_option(const Option& option, const Alternative& alt) {
    if constexpr (std::is_same_v<Alternative, std::monostate>) {
    } else if constexpr (requires { alt.params; }) {
      scope(option.children, alt.params);
    } else {
      scope(option.children, alt);
    }
  }
};

// Stands for a value in code that is compiled only after a compile error has been raised
// (never defined: nothing reaches it, and it asks nothing of T).
template <class T>
T after_compile_error();

template <class Space>
[[noreturn]] void rethrow_with_path(const Space& space, const bad_value& e) {
  const space_desc desc = describe(space);
  const std::string path = e.index < desc.params.size() ? desc.params[e.index].path : "#" + std::to_string(e.index);
  throw assignment_error("typetune: parameter '" + path + "' " + e.what);
}

}  // namespace detail

// The typed parameters of an assignment. Params is the builder's reflected struct or
// params_of<space>; it is checked against the space at compile time.
template <class Params, class... Nodes>
[[nodiscard]] Params decode(const space_t<Nodes...>& space, const assignment& a) {
  // A struct that does not fit is one error here (none, after a failed fits()), and nothing of
  // the decoder is compiled for it.
  if constexpr (!error::is_ok<check_t<space_t<Nodes...>, Params>>) {
    static_cast<void>(error::raise_unless_ok<check_t<space_t<Nodes...>, Params>>());
    return detail::after_compile_error<Params>();
  } else {
    const std::size_t expected = detail::flat_size_all(space.nodes);
    if (a.values.size() != expected)
      throw assignment_error("typetune: assignment has " + std::to_string(a.values.size()) +
                             " values but the space has " + std::to_string(expected) + " parameters");
    Params out{};
    detail::decoder d(a);
    try {
      d.scope(space.nodes, out);
    } catch (const detail::bad_value& e) {
      detail::rethrow_with_path(space, e);
    }
    return out;
  }
}

// The assignment that gives `params` (the inverse of decode).
template <class Params, class... Nodes>
[[nodiscard]] assignment encode(const space_t<Nodes...>& space, const Params& params) {
  if constexpr (!error::is_ok<check_t<space_t<Nodes...>, Params>>) {
    static_cast<void>(error::raise_unless_ok<check_t<space_t<Nodes...>, Params>>());
    return {};
  } else {
    detail::encoder e;
    e.out.values.reserve(detail::flat_size_all(space.nodes));
    try {
      e.scope(space.nodes, params);
    } catch (const detail::bad_value& err) {
      detail::rethrow_with_path(space, err);
    }
    return std::move(e.out);
  }
}

}  // namespace typetune
