// TYPETUNE_REFLECT(Struct, field...): makes a builder's parameter struct visible to the checks
// and the decoder. Use it at global scope, after the struct. (Hana-adapted structs work too.)
#pragma once

#include <string_view>

#include <boost/preprocessor/seq/enum.hpp>
#include <boost/preprocessor/seq/transform.hpp>
#include <boost/preprocessor/stringize.hpp>
#include <boost/preprocessor/variadic/to_seq.hpp>

namespace typetune {

// Specialised by TYPETUNE_REFLECT; holds the field names and member pointers of a struct.
template <class Struct>
struct reflect;

namespace detail {
template <auto... Members>
struct member_list {};
}  // namespace detail

}  // namespace typetune

#define TYPETUNE_DETAIL_FIELD_NAME(r, data, field) BOOST_PP_STRINGIZE(field)
#define TYPETUNE_DETAIL_FIELD_POINTER(r, type, field) &type::field

// Up to 63 fields. Cheaper to compile than Hana's adaptation (which the benchmark in
// bench/compile_time measures) and without its limit of 40 fields.
#define TYPETUNE_REFLECT(Struct, ...)                                                                  \
  template <>                                                                                          \
  struct typetune::reflect<Struct> {                                                                   \
    static constexpr std::string_view names[] = {BOOST_PP_SEQ_ENUM(                                   \
        BOOST_PP_SEQ_TRANSFORM(TYPETUNE_DETAIL_FIELD_NAME, _, BOOST_PP_VARIADIC_TO_SEQ(__VA_ARGS__)))}; \
    using members = ::typetune::detail::member_list<BOOST_PP_SEQ_ENUM(                                 \
        BOOST_PP_SEQ_TRANSFORM(TYPETUNE_DETAIL_FIELD_POINTER, Struct, BOOST_PP_VARIADIC_TO_SEQ(__VA_ARGS__)))>; \
  }
