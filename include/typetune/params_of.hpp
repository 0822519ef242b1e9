// Typed parameters without a struct: tt::params_of<my_space> is a record in which
// p.get<"units">() has the parameter's own C++ type and an unknown name does not compile.
#pragma once

#include <cstddef>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include "typetune/diagnostics/errors.hpp"
#include "typetune/space/branch.hpp"
#include "typetune/space/choice.hpp"
#include "typetune/space/constant.hpp"
#include "typetune/space/int_param.hpp"
#include "typetune/space/real_param.hpp"
#include "typetune/space/repeat.hpp"
#include "typetune/space/space.hpp"

namespace typetune {

template <class... Nodes>
class record;

// One alternative of a branch in a record: the option's name and its parameters.
template <fixed_string Name, class Record>
struct alternative {
  static constexpr auto name = Name;
  Record params;
  friend bool operator==(const alternative&, const alternative&) = default;
};

namespace detail {
template <class Node>
struct record_value;  // the C++ type a node's value has in a record
template <fixed_string N, class T>
struct record_value<int_param<N, T>> { using type = T; };
template <fixed_string N, class T, bool Q>
struct record_value<real_param<N, T, Q>> { using type = T; };
template <fixed_string N, class T, std::size_t K>
struct record_value<choice_param<N, T, K>> { using type = T; };
template <fixed_string N, class T>
struct record_value<constant_param<N, T>> { using type = T; };
template <fixed_string N, class... Items>
struct record_value<repeat_node<N, Items...>> { using type = std::vector<record<Items...>>; };
template <fixed_string N, class... Options>
struct record_value<branch_node<N, Options...>> { using type = std::variant<typename record_value<Options>::type...>; };
template <fixed_string N, class S, class... Children>
struct record_value<option_node<N, S, Children...>> { using type = alternative<N, record<Children...>>; };

// What get<"unknown">() and get_if<"unknown">() give once the error is raised: something that
// converts to any value and answers get<>() again, so that the user's surrounding code adds no
// second error.
struct unknown_name {
  template <class T>
  constexpr operator T() const {  // NOLINT: implicit by design
    return T{};
  }
  template <fixed_string>
  [[nodiscard]] constexpr const unknown_name& get() const { return *this; }
};
inline constexpr unknown_name after_unknown_name{};

template <fixed_string Name, class... Nodes>
consteval std::size_t index_of_name() {
  constexpr std::string_view names[] = {Nodes::name.view()..., std::string_view{}};
  for (std::size_t i = 0; i < sizeof...(Nodes); ++i)
    if (names[i] == Name.view()) return i;
  return sizeof...(Nodes);
}
}  // namespace detail

template <class... Nodes>
class record {
 public:
  boost::hana::tuple<typename detail::record_value<Nodes>::type...> values;

  // The value of the parameter called Name. An unknown name is one error, naming the scope's
  // parameters (raised here rather than in a helper: each level adds a line to g++'s output).
  template <fixed_string Name>
  [[nodiscard]] constexpr const auto& get() const {
    constexpr std::size_t i = detail::index_of_name<Name, Nodes...>();
    if constexpr (i == sizeof...(Nodes)) {
      static_cast<void>(error::raise_unless_ok<error::unknown_parameter_name<Name, error::scope_with<Nodes::name...>>>());
      return detail::after_unknown_name;
    } else {
      return boost::hana::at_c<i>(values);
    }
  }
  template <fixed_string Name>
  [[nodiscard]] constexpr auto& get() {
    constexpr std::size_t i = detail::index_of_name<Name, Nodes...>();
    if constexpr (i == sizeof...(Nodes)) {
      static_cast<void>(error::raise_unless_ok<error::unknown_parameter_name<Name, error::scope_with<Nodes::name...>>>());
      return detail::after_unknown_name;
    } else {
      return boost::hana::at_c<i>(values);
    }
  }
  friend bool operator==(const record& a, const record& b) { return a.values == b.values; }
};

namespace detail {
template <class Space>
struct record_of;
template <class... Nodes>
struct record_of<space_t<Nodes...>> { using type = record<Nodes...>; };

template <fixed_string Name, class... Alternatives>
consteval std::size_t alternative_index() {
  constexpr std::string_view names[] = {Alternatives::name.view()...};
  for (std::size_t i = 0; i < sizeof...(Alternatives); ++i)
    if (names[i] == Name.view()) return i;
  return sizeof...(Alternatives);
}
}  // namespace detail

// The typed record of a space declared constexpr: tt::params_of<mlp_space>.
template <const auto& Space>
using params_of = typename detail::record_of<std::remove_cvref_t<decltype(Space)>>::type;

// The parameters of option `Name` if the branch chose it, else nullptr:
// if (auto* sgd = tt::get_if<"sgd">(p.get<"optimizer">())) use(sgd->get<"momentum">());
template <fixed_string Name, class... Alternatives>
[[nodiscard]] constexpr const auto* get_if(const std::variant<Alternatives...>& branch) {
  constexpr std::size_t i = detail::alternative_index<Name, Alternatives...>();
  if constexpr (i == sizeof...(Alternatives)) {
    static_cast<void>(error::raise_unless_ok<error::unknown_option_name<Name, error::scope_with<Alternatives::name...>>>());
    return &detail::after_unknown_name;
  } else {
    const auto* alt = std::get_if<i>(&branch);
    return alt == nullptr ? nullptr : &alt->params;
  }
}

// The name of the option a branch chose.
template <class... Alternatives>
[[nodiscard]] constexpr std::string_view option_name(const std::variant<Alternatives...>& branch) {
  constexpr std::string_view names[] = {Alternatives::name.view()...};
  return names[branch.index()];
}

}  // namespace typetune
