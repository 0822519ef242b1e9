// A typed printer of parameters: "dense_bot=200, hidden=[{units=75, dropout=0.1}],
// optimizer=sgd{learning_rate=0.01, momentum=0.9}", for reflected structs and params_of records,
// through operator<<, tt::to_string and, where {fmt} is installed, fmt::format("{}", p).
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <boost/hana/at.hpp>

#include "typetune/detail/reflect.hpp"
#include "typetune/params_of.hpp"
#include "typetune/reflect.hpp"

namespace typetune {
namespace detail {

// The unqualified name of a type, as the compiler spells it ("sgd" for model::sgd): a variant
// alternative is shown by the name of its struct.
template <class T>
constexpr std::string_view type_name() {
#if defined(__clang__) || defined(__GNUC__)
  std::string_view f = __PRETTY_FUNCTION__;
  const auto start = f.find("T = ") + 4;
  auto end = f.find_first_of(";]", start);
  f = f.substr(start, end - start);
  // Strip the namespaces (only those before the first '<', so template arguments stay whole).
  const auto angle = f.find('<');
  const auto colons = f.rfind("::", angle);
  return colons == std::string_view::npos ? f : f.substr(colons + 2);
#else
  return "option";
#endif
}

template <class T>
struct is_record : std::false_type {};
template <class... N>
struct is_record<record<N...>> : std::true_type {};
template <class T>
struct is_alternative_of_record : std::false_type {};
template <fixed_string Name, class R>
struct is_alternative_of_record<alternative<Name, R>> : std::true_type {};
template <class T>
struct is_std_variant : std::false_type {};
template <class... A>
struct is_std_variant<std::variant<A...>> : std::true_type {};
template <class T>
struct is_std_optional : std::false_type {};
template <class T>
struct is_std_optional<std::optional<T>> : std::true_type {};

template <class T>
concept printable_params = is_reflected<T> || is_record<T>::value;

class params_writer {
 public:
  explicit params_writer(std::ostream& out) : out_(out) {}

  // The fields of a struct or record, "a=1, b=2", without braces (the caller adds them).
  template <class S>
  void fields(const S& s) {
    if constexpr (is_record<S>::value) {
      record_fields(s);
    } else {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((out_ << (I == 0 ? "" : ", ") << field_names<S>[I] << '=', value(field<I>(s))), ...);
      }(std::make_index_sequence<field_count<S>>{});
    }
  }

  template <class V>
  void value(const V& v) {
    if constexpr (std::is_same_v<V, bool>) {
      out_ << (v ? "true" : "false");
    } else if constexpr (std::is_enum_v<V>) {
      out_ << static_cast<long long>(v);
    } else if constexpr (std::is_same_v<V, char> || std::is_same_v<V, signed char> || std::is_same_v<V, unsigned char>) {
      out_ << static_cast<int>(v);
    } else if constexpr (std::is_floating_point_v<V>) {
      char buf[32];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
      out_ << std::string_view(buf, ec == std::errc{} ? static_cast<std::size_t>(end - buf) : 0);
    } else if constexpr (std::is_arithmetic_v<V> || std::is_convertible_v<const V&, std::string_view>) {
      out_ << v;
    } else if constexpr (is_std_optional<V>::value) {
      if (v) value(*v);
      else out_ << "none";
    } else if constexpr (is_std_variant<V>::value) {
      std::visit([this](const auto& alt) { alternative_value(alt); }, v);
    } else if constexpr (is_record<V>::value || is_reflected<V>) {
      out_ << '{';
      fields(v);
      out_ << '}';
    } else if constexpr (requires { v.size(); v.begin(); }) {
      out_ << '[';
      bool first = true;
      for (const auto& item : v) {
        out_ << (first ? "" : ", ");
        first = false;
        value(item);
      }
      out_ << ']';
    } else {
      out_ << v;
    }
  }

 private:
  template <class... N>
  void record_fields(const record<N...>& r) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((out_ << (I == 0 ? "" : ", ") << N::name.view() << '=', value(boost::hana::at_c<I>(r.values))), ...);
    }(std::index_sequence_for<N...>{});
  }

  // An option: its name, then its parameters in braces when it has any.
  template <class A>
  void alternative_value(const A& alt) {
    if constexpr (is_alternative_of_record<A>::value) {
      out_ << A::name.view();
      if constexpr (!std::is_same_v<decltype(alt.params), record<>>) value(alt.params);
    } else if constexpr (std::is_same_v<A, std::monostate> || (std::is_empty_v<A> && !is_reflected<A>)) {
      out_ << type_name<A>();
    } else {
      out_ << type_name<A>();
      value(alt);
    }
  }

  std::ostream& out_;
};

// What TYPETUNE_REFLECT's operator<< calls (declared in reflect.hpp, so that it needs this
// header only where it is used).
template <class S, class Char>
struct params_printer {
  static std::basic_ostream<Char>& print(std::basic_ostream<Char>& out, const S& params) {
    params_writer(out).fields(params);
    return out;
  }
};

}  // namespace detail

// The parameters as one line: "dense_bot=200, hidden=[{units=75, dropout=0.1}], optimizer=sgd{...}".
template <detail::printable_params P>
[[nodiscard]] std::string to_string(const P& params) {
  std::ostringstream out;
  detail::params_writer(out).fields(params);
  return out.str();
}

// std::cout << p for a params_of record (reflected structs get theirs from TYPETUNE_REFLECT;
// a Hana-adapted struct prints with tt::to_string).
template <class... N>
std::ostream& operator<<(std::ostream& out, const record<N...>& params) {
  detail::params_writer(out).fields(params);
  return out;
}

}  // namespace typetune

#if defined(__has_include)
#if __has_include(<fmt/format.h>) && !defined(TYPETUNE_NO_FMT)
#include <fmt/format.h>

// fmt::format("{}", params) for reflected structs and params_of records.
template <class P>
  requires typetune::detail::printable_params<P>
struct fmt::formatter<P, char> : fmt::formatter<std::string_view, char> {
  template <class Context>
  auto format(const P& params, Context& ctx) const {
    const std::string text = typetune::to_string(params);
    return fmt::formatter<std::string_view, char>::format(std::string_view(text), ctx);
  }
};
#endif
#endif
