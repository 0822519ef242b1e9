// The check of a builder's parameter struct against a space: every field supplied, every
// parameter consumed, every type fitting, every branch a variant of its options.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/detail/reflect.hpp"
#include "typetune/space/branch.hpp"
#include "typetune/space/choice.hpp"
#include "typetune/space/constant.hpp"
#include "typetune/space/int_param.hpp"
#include "typetune/space/real_param.hpp"
#include "typetune/space/repeat.hpp"
#include "typetune/space/space.hpp"
#include "typetune/space/when.hpp"

namespace typetune {

// Declared here so that checking a space needs neither <vector> nor params_of.hpp.
template <class... Nodes>
class record;
template <fixed_string Name, class Record>
struct alternative;

namespace detail {

template <class T>
struct vector_item { static constexpr bool is_vector = false; };
template <class T>
  requires requires(T& v, const T& c) {
    typename T::value_type;
    v.resize(std::size_t{1});
    v.clear();
    v[0];
    c.size();
  }
struct vector_item<T> { static constexpr bool is_vector = true; using type = typename T::value_type; };

template <class T>
struct variant_alternatives { static constexpr bool is_variant = false; };
template <class... A>
struct variant_alternatives<std::variant<A...>> {
  static constexpr bool is_variant = true;
  static constexpr std::size_t size = sizeof...(A);
  template <std::size_t I>
  using at = nth_t<I, A...>;
};

template <class Struct, class... Nodes>
consteval auto scope_error();

// Whether a field of type Field can hold every value of a choice or constant of type Value.
template <class Field, class Value>
inline constexpr bool holds_values_of =
    family_of<Field>() == family_of<Value>() &&
    (family_of<Value>() == value_family::string ? std::is_constructible_v<Field, std::string_view>
                                                : std::is_convertible_v<Value, Field>) &&
    (family_of<Value>() != value_family::enumeration || std::is_same_v<Field, Value>);

template <class Option, class Alternative>
struct option_check;
template <fixed_string Name, class Declared, class... Children, class Alternative>
struct option_check<option_node<Name, Declared, Children...>, Alternative> {
  static consteval auto error() {
    if constexpr (!std::is_void_v<Declared> && !std::is_same_v<Declared, Alternative>)
      return error::variant_alternative_does_not_match_option<Name, Alternative, Declared>{};
    else if constexpr (sizeof...(Children) == 0 && std::is_empty_v<Alternative>)
      return error::ok{};  // an option without parameters: std::monostate or any empty tag struct
    else if constexpr (std::is_same_v<Alternative, alternative<Name, record<Children...>>>)
      return error::ok{};
    else
      return scope_error<Alternative, Children...>();
  }
};

template <class Node, class Field, class Struct>
struct node_check;
template <fixed_string N, class T, class Field, class Struct>
struct node_check<int_param<N, T>, Field, Struct> {
  static consteval auto error() {
    if constexpr (std::is_integral_v<Field> && !std::is_same_v<Field, bool>) return error::ok{};
    else return error::field_type_does_not_fit<N, Struct, Field>{};
  }
};
template <fixed_string N, class T, bool Q, class Field, class Struct>
struct node_check<real_param<N, T, Q>, Field, Struct> {
  static consteval auto error() {
    if constexpr (std::is_floating_point_v<Field>) return error::ok{};
    else return error::field_type_does_not_fit<N, Struct, Field>{};
  }
};
template <fixed_string N, class T, std::size_t K, class Field, class Struct>
struct node_check<choice_param<N, T, K>, Field, Struct> {
  static consteval auto error() {
    // An empty choice was reported as the space was built: it says nothing about the field.
    if constexpr (K == 0 || holds_values_of<Field, T>) return error::ok{};
    else return error::field_type_does_not_fit<N, Struct, Field>{};
  }
};
template <fixed_string N, class T, class Field, class Struct>
struct node_check<constant_param<N, T>, Field, Struct> {
  static consteval auto error() {
    if constexpr (holds_values_of<Field, T>) return error::ok{};
    else return error::field_type_does_not_fit<N, Struct, Field>{};
  }
};
template <fixed_string N, class... Items, class Field, class Struct>
struct node_check<repeat_node<N, Items...>, Field, Struct> {
  static consteval auto error() {
    if constexpr (sizeof...(Items) == 0) return error::ok{};  // reported as the space was built
    else if constexpr (!vector_item<Field>::is_vector) return error::repeat_field_is_not_a_vector<N, Struct, Field>{};
    else return scope_error<typename vector_item<Field>::type, Items...>();
  }
};
template <fixed_string N, class... Options, class Field, class Struct>
struct node_check<branch_node<N, Options...>, Field, Struct> {
  template <std::size_t... I>
  static consteval auto each(std::index_sequence<I...>) {
    return first_error_t<decltype(option_check<Options, typename variant_alternatives<Field>::template at<I>>::error())...>{};
  }
  static consteval auto error() {
    if constexpr (sizeof...(Options) == 0) {
      return error::ok{};  // reported as the space was built
    } else if constexpr (!variant_alternatives<Field>::is_variant) {
      return error::branch_field_is_not_a_variant_of_its_options<N, Struct, Field>{};
    } else if constexpr (variant_alternatives<Field>::size != sizeof...(Options)) {
      return error::branch_field_is_not_a_variant_of_its_options<N, Struct, Field>{};
    } else {
      return each(std::index_sequence_for<Options...>{});
    }
  }
};

template <class T>
struct optional_value { static constexpr bool is_optional = false; };
template <class T>
  requires requires(T& o, const T& c) {
    typename T::value_type;
    o.emplace();
    o.reset();
    c.has_value();
    *c;
  }
struct optional_value<T> { static constexpr bool is_optional = true; using type = typename T::value_type; };

// A child of when(...): a std::optional field whose value fits the child.
template <class Child, class Struct, class Field = field_t<Struct, field_index<Struct>(Child::name.view())>>
consteval auto conditional_child_error() {
  if constexpr (!optional_value<Field>::is_optional) return error::conditional_field_is_not_optional<Child::name, Struct, Field>{};
  else return node_check<Child, typename optional_value<Field>::type, Struct>::error();
}
template <class Parent, class... Children, class Field, class Struct>
struct node_check<when_node<Parent, Children...>, Field, Struct> {
  static consteval auto error() {
    return first_error_t<decltype(node_check<Parent, Field, Struct>::error()),
                         decltype(conditional_child_error<Children, Struct>())...>{};
  }
};

template <class Struct, class Node>
consteval auto node_type_error() {
  return node_check<Node, field_t<Struct, field_index<Struct>(Node::name.view())>, Struct>::error();
}

template <std::size_t FieldCount, std::size_t NodeCount>
consteval std::size_t first_unmatched(const std::string_view* from, const std::string_view* in) {
  for (std::size_t i = 0; i < FieldCount; ++i) {
    bool found = false;
    for (std::size_t k = 0; k < NodeCount; ++k) found = found || from[i] == in[k];
    if (!found) return i;
  }
  return FieldCount;
}

// The names a scope's fields answer to: each node's, and the children of its when(...).
template <class Node>
struct names_of_node {
  static constexpr std::size_t count = 1;
  static constexpr std::string_view at[] = {Node::name.view()};
};
template <class Parent, class... Children>
struct names_of_node<when_node<Parent, Children...>> {
  static constexpr std::size_t count = 1 + sizeof...(Children);
  static constexpr std::string_view at[] = {Parent::name.view(), Children::name.view()...};
};
template <class... Nodes>
struct scope_names {
  static constexpr std::size_t count = (std::size_t{0} + ... + names_of_node<Nodes>::count);
  static constexpr auto all = [] {
    std::array<std::string_view, count + 1> out{};
    std::size_t i = 0;
    ([&] {
       for (const auto name : names_of_node<Nodes>::at) out[i++] = name;
     }(),
     ...);
    return out;
  }();
};
template <class... Nodes>
inline constexpr const std::string_view* node_names_of = scope_names<Nodes...>::all.data();
template <class... Nodes>
inline constexpr std::size_t node_names_count = scope_names<Nodes...>::count;

template <class Struct, class... Nodes>
consteval auto struct_scope_error() {
  constexpr const std::string_view* node_names = node_names_of<Nodes...>;
  constexpr std::size_t names = node_names_count<Nodes...>;
  constexpr std::size_t fields = field_count<Struct>;
  // Misspelt and missing fields first (they name what the user wrote), then parameters nothing
  // consumes, then type mismatches.
  constexpr std::size_t unmatched_field = first_unmatched<fields, names>(field_names<Struct>, node_names);
  constexpr std::size_t unconsumed = first_unmatched<names, fields>(node_names, field_names<Struct>);
  if constexpr (unmatched_field < fields) {
    return error::field_has_no_parameter<field_name<Struct, unmatched_field>, Struct>{};
  } else if constexpr (unconsumed < names) {
    return error::parameter_has_no_field<to_fixed_string<node_names[unconsumed].size()>(node_names[unconsumed]), Struct>{};
  } else {
    return first_error_t<decltype(node_type_error<Struct, Nodes>())...>{};
  }
}

template <class Struct, class... Nodes>
consteval auto scope_error() {
  if constexpr (std::is_same_v<Struct, record<Nodes...>>) return error::ok{};
  else if constexpr (!is_reflected<Struct>) return error::not_a_reflected_struct<Struct>{};
  else return struct_scope_error<Struct, Nodes...>();
}

template <class Space, class Params>
struct space_check;
template <class... Nodes, class Params>
struct space_check<space_t<Nodes...>, Params> {
  using type = decltype(scope_error<Params, Nodes...>());
};

// The parameter type a builder takes: its first argument, without reference or const.
template <class F>
struct first_argument : first_argument<decltype(&F::operator())> {};
template <class R, class A, class... Rest>
struct first_argument<R(A, Rest...)> { using type = std::remove_cvref_t<A>; };
template <class R, class A, class... Rest>
struct first_argument<R (*)(A, Rest...)> : first_argument<R(A, Rest...)> {};
template <class R, class A, class... Rest>
struct first_argument<R (&)(A, Rest...)> : first_argument<R(A, Rest...)> {};
template <class R, class C, class A, class... Rest>
struct first_argument<R (C::*)(A, Rest...) const> : first_argument<R(A, Rest...)> {};
template <class R, class C, class A, class... Rest>
struct first_argument<R (C::*)(A, Rest...)> : first_argument<R(A, Rest...)> {};

// Values against fields: a range or a choice whose values the field cannot hold (int_(0, 300)
// into a signed char, a real bound beyond a float). Types cannot say this, so it is found by
// walking the space's value in fits()'s constant evaluation, and raised as bounds are. Each
// scope is one call of scope_values<Struct, Nodes>::check, which raises for its own parameters
// and calls the same for its repeats' items and its branches' options directly: every call
// still running when the error is raised adds a line to g++'s "in 'constexpr' expansion"
// chain, so the walk nests as few as it can.
template <class Struct, class Nodes, class Indices = void>
struct scope_values;

template <class T>
inline constexpr bool is_alternative = false;
template <fixed_string Name, class Record>
inline constexpr bool is_alternative<alternative<Name, Record>> = true;

template <class Field, class Value>
constexpr bool field_holds_value(const Value& v) {
  if constexpr (family_of<Value>() == value_family::integer) return holds_integer<Field>(v);
  else if constexpr (family_of<Value>() == value_family::real) return holds_real<Field>(static_cast<double>(v));
  else return true;
}

// Whether Field holds every value of a plain parameter (repeats and branches: their scopes are
// checked on their own).
template <class Field, class Node>
constexpr bool field_holds_values(const Node& node) {
  if constexpr (Node::category == node_category::integer) {
    return holds_integer<Field>(node.low) && holds_integer<Field>(node.high);
  } else if constexpr (Node::category == node_category::real) {
    return holds_real<Field>(node.low) && holds_real<Field>(node.high);
  } else if constexpr (Node::category == node_category::choice) {
    bool holds = true;
    for (const auto& v : node.values) holds = holds && field_holds_value<Field>(v);
    return holds;
  } else if constexpr (Node::category == node_category::constant) {
    return field_holds_value<Field>(node.value);
  } else {
    return true;
  }
}

// A repeat's items with the struct each item decodes into.
template <class Field, class Node>
struct items_of;
template <class Field, fixed_string N, class... Items>
struct items_of<Field, repeat_node<N, Items...>> {
  using item = typename vector_item<Field>::type;
  using items = boost::hana::tuple<Items...>;
  template <std::size_t I, class Nodes>
  static constexpr const items& of(const Nodes& nodes) { return boost::hana::at_c<I>(nodes).items; }
};

// A branch's options with the variant they decode into.
template <class Field, class Node, class Indices = void>
struct options_of;
template <class Field, fixed_string N, class... Options>
struct options_of<Field, branch_node<N, Options...>, void>
    : options_of<Field, branch_node<N, Options...>, std::index_sequence_for<Options...>> {};
template <class Field, fixed_string N, class... Options, std::size_t... K>
struct options_of<Field, branch_node<N, Options...>, std::index_sequence<K...>> {
  using options = boost::hana::tuple<Options...>;
  template <std::size_t I, class Nodes>
  static constexpr const options& of(const Nodes& nodes) { return boost::hana::at_c<I>(nodes).options; }
  static consteval void check(const options& all) {
    (scope_values<typename variant_alternatives<Field>::template at<K>, decltype(Options::children)>::check(
         boost::hana::at_c<K>(all).children),
     ...);
  }
};

// What the walk names instead for the other nodes: no items, no options.
struct no_scopes {
  using item = void;
  using items = boost::hana::tuple<>;
  using options = boost::hana::tuple<>;
  static constexpr boost::hana::tuple<> none{};
  template <std::size_t I, class Nodes>
  static constexpr const boost::hana::tuple<>& of(const Nodes&) { return none; }
  static consteval void check(const boost::hana::tuple<>&) {}
};

template <class Struct, class Node>
using field_of_t = field_t<Struct, field_index<Struct>(Node::name.view())>;

// Whether every value of T is one Field holds. Then a parameter of value type T needs no check
// against the field (its bounds were checked against T as it was built), and costs the walk
// nothing: most fields are as wide as their parameters' types.
template <class Field, class T>
consteval bool holds_every_value_of() {
  if constexpr (family_of<T>() == value_family::integer && family_of<Field>() == value_family::integer) {
    return holds_integer<Field>(std::numeric_limits<T>::min()) && holds_integer<Field>(std::numeric_limits<T>::max());
  } else if constexpr (family_of<T>() == value_family::real && family_of<Field>() == value_family::real) {
    return static_cast<long double>(std::numeric_limits<Field>::max()) >= std::numeric_limits<T>::max() &&
           static_cast<long double>(std::numeric_limits<Field>::min()) <= std::numeric_limits<T>::min();
  } else {
    return true;
  }
}
template <class Field, class Node>
consteval bool needs_value_check() {
  if constexpr (requires { typename Node::value_type; }) return !holds_every_value_of<Field, typename Node::value_type>();
  else return false;
}

// The check of one parameter's values, instantiated only for the parameters that need one; and
// what the walk names instead of an error where there is nothing to raise.
template <bool Needed>
struct value_check {
  template <class Field, class Node>
  static constexpr bool holds(const Node&) { return true; }
};
template <>
struct value_check<true> {
  template <class Field, class Node>
  static constexpr bool holds(const Node& node) { return field_holds_values<Field>(node); }
};
struct no_mistake {
  static constexpr void raise() {}
};
template <bool Needed, fixed_string Parameter, class Struct, class Field>
using bounds_mistake_t =
    std::conditional_t<Needed, error::bounds_do_not_fit_field_type<Parameter, Struct, Field>, no_mistake>;

// Nested scopes, named only for repeats and branches.
template <class Field, class Node>
using repeat_items_t = std::conditional_t<Node::category == node_category::repeat, items_of<Field, Node>, no_scopes>;
template <class Field, class Node>
using branch_options_t = std::conditional_t<Node::category == node_category::branch, options_of<Field, Node>, no_scopes>;
template <class Node>
inline constexpr bool has_scopes = Node::category == node_category::repeat || Node::category == node_category::branch;

template <class Struct, class... Nodes>
struct scope_values<Struct, boost::hana::tuple<Nodes...>, void>
    : scope_values<Struct, boost::hana::tuple<Nodes...>, std::index_sequence_for<Nodes...>> {};

template <class Struct, class... Nodes, std::size_t... I>
struct scope_values<Struct, boost::hana::tuple<Nodes...>, std::index_sequence<I...>> {
  static consteval void check(const boost::hana::tuple<Nodes...>& nodes) {
    // A params_of record holds each parameter in its own value type, checked as it was built;
    // an option without parameters has an empty alternative.
    if constexpr (sizeof...(Nodes) > 0 && !std::is_same_v<Struct, record<Nodes...>> && !is_alternative<Struct> &&
                  !std::is_empty_v<Struct>) {
      constexpr bool needed[] = {needs_value_check<field_of_t<Struct, Nodes>, Nodes>()...};
      if constexpr ((needed[I] || ...)) {
        // (The raise on one line: g++ quotes every line of the failing call.)
        ((value_check<needed[I]>::template holds<field_of_t<Struct, Nodes>>(boost::hana::at_c<I>(nodes))
              ? void()
              : bounds_mistake_t<needed[I], Nodes::name, Struct, field_of_t<Struct, Nodes>>::raise()),
         ...);
      }
      if constexpr ((has_scopes<Nodes> || ...)) {
        (scope_values<typename repeat_items_t<field_of_t<Struct, Nodes>, Nodes>::item,
                      typename repeat_items_t<field_of_t<Struct, Nodes>, Nodes>::items>::
             check(repeat_items_t<field_of_t<Struct, Nodes>, Nodes>::template of<I>(nodes)),
         ...);
        (branch_options_t<field_of_t<Struct, Nodes>, Nodes>::check(
             branch_options_t<field_of_t<Struct, Nodes>, Nodes>::template of<I>(nodes)),
         ...);
      }
    }
  }
};

}  // namespace detail

// Which mistake a parameter type has against a space: error::ok or an error type that names it.
// Tests ask this without failing their build; fits() turns it into a compile error.
template <class Space, class Params>
using check_t = typename detail::space_check<std::remove_cvref_t<Space>, Params>::type;

template <class Builder>
using builder_params_t = typename detail::first_argument<std::remove_cvref_t<Builder>>::type;

// static_assert(tt::fits<mlp_params>(mlp_space)): fails to compile, naming the parameter and
// the field, unless the struct fits the space: its types, and then the values its bounds and
// choices hold against its fields' types. (Both overloads raise directly rather than through
// a shared helper: each level adds a line to g++'s "required from" chain.)
template <class Params, class Space>
consteval bool fits(const Space& space) {
  using mistake = check_t<Space, Params>;
  if constexpr (!error::is_ok<mistake>) return error::raise_unless_ok<mistake>();
  else detail::scope_values<Params, decltype(space.nodes)>::check(space.nodes);
  return true;
}

// static_assert(tt::fits(mlp_space, build)): the same, with the struct deduced from the
// builder's first argument.
template <class Space, class Builder>
consteval bool fits(const Space& space, const Builder&) {
  using mistake = check_t<Space, builder_params_t<Builder>>;
  if constexpr (!error::is_ok<mistake>) return error::raise_unless_ok<mistake>();
  else detail::scope_values<builder_params_t<Builder>, decltype(space.nodes)>::check(space.nodes);
  return true;
}

}  // namespace typetune
