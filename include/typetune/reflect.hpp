// TYPETUNE_REFLECT(Struct, field...): makes a builder's parameter struct visible to the checks
// and the decoder. Use it in the struct's own namespace or at global scope, after the struct.
// (Hana-adapted structs work too.)
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string_view>

#include <boost/preprocessor/seq/enum.hpp>
#include <boost/preprocessor/seq/transform.hpp>
#include <boost/preprocessor/stringize.hpp>
#include <boost/preprocessor/variadic/size.hpp>
#include <boost/preprocessor/variadic/to_seq.hpp>

// A class of the global namespace in every reflection tag, so that argument-dependent lookup
// searches the global namespace too: TYPETUNE_REFLECT written at global scope for a struct of
// a namespace is found as well as one written in the struct's own namespace.
struct typetune_reflection_anchor;

namespace typetune::detail {

template <auto... Members>
struct member_list {};

// What TYPETUNE_REFLECT's function returns: the field names; the member pointers in the type.
template <class Members, std::size_t N>
struct reflection_table {
  using members = Members;
  std::string_view names[N];
};

template <class Struct, class Anchor = ::typetune_reflection_anchor>
struct reflection_tag {};

// Defined in typetune/print.hpp, which the operator<< that TYPETUNE_REFLECT declares needs.
template <class Struct, class Char>
struct params_printer;

}  // namespace typetune::detail

#define TYPETUNE_DETAIL_FIELD_NAME(r, data, field) std::string_view(BOOST_PP_STRINGIZE(field))
#define TYPETUNE_DETAIL_FIELD_POINTER(r, type, field) &type::field

// Up to 63 fields. Cheaper to compile than Hana's adaptation (which the benchmark in
// bench/compile_time measures) and without its limit of 40 fields. It declares a function
// found by argument-dependent lookup (an explicit specialisation inside namespace typetune
// could not be written from the user's namespace), and operator<< (typetune/print.hpp prints);
// the trailing static_assert takes the `;`.
#define TYPETUNE_REFLECT(Struct, ...)                                                                       \
  [[maybe_unused]] constexpr auto typetune_reflection(::typetune::detail::reflection_tag<Struct>) {         \
    return ::typetune::detail::reflection_table<                                                            \
        ::typetune::detail::member_list<BOOST_PP_SEQ_ENUM(BOOST_PP_SEQ_TRANSFORM(                            \
            TYPETUNE_DETAIL_FIELD_POINTER, Struct, BOOST_PP_VARIADIC_TO_SEQ(__VA_ARGS__)))>,                   \
        BOOST_PP_VARIADIC_SIZE(__VA_ARGS__)>{{BOOST_PP_SEQ_ENUM(                                              \
        BOOST_PP_SEQ_TRANSFORM(TYPETUNE_DETAIL_FIELD_NAME, _, BOOST_PP_VARIADIC_TO_SEQ(__VA_ARGS__)))}};       \
  }                                                                                                          \
  template <class Char, class Traits>                                                                        \
  std::basic_ostream<Char, Traits>& operator<<(std::basic_ostream<Char, Traits>& typetune_out_, const Struct& typetune_value_) { \
    return ::typetune::detail::params_printer<Struct, Char>::print(typetune_out_, typetune_value_);   \
  }                                                                                                          \
  static_assert(true)
