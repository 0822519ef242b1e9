// Every mistake the compile-time checks can report, each a type that carries the offending
// name, so that g++ prints it on the first lines of the error.
#pragma once

#include "typetune/fixed_string.hpp"

namespace typetune::error {

// Bound and value mistakes, found while a parameter is constructed in a constant expression:
// their `raise()` is deliberately not constexpr, so reaching it stops the build.
template <fixed_string Parameter>
struct low_is_greater_than_high { static void raise(); };
template <fixed_string Parameter>
struct log_scale_needs_low_above_zero { static void raise(); };
template <fixed_string Parameter>
struct step_must_be_positive { static void raise(); };
template <fixed_string Parameter>
struct step_does_not_divide_range { static void raise(); };
template <fixed_string Parameter>
struct default_value_outside_range { static void raise(); };
template <fixed_string Parameter>
struct default_value_not_a_choice { static void raise(); };
template <fixed_string Parameter>
struct duplicate_choice_value { static void raise(); };
template <fixed_string Repeat>
struct repeat_count_must_be_at_least_zero { static void raise(); };

// Structure and signature mistakes, found from types alone. A check returns one of these (or
// `ok`), so tests can ask which error a space has without breaking their build; `reject<E>`
// turns one into a compile error whose first lines name the parameter and the field.
struct ok {};
template <fixed_string Parameter>
struct empty_choice {};
template <fixed_string Name>
struct duplicate_name_in_scope {};
template <fixed_string Branch>
struct branch_without_options {};
template <fixed_string Repeat>
struct repeat_without_parameters {};
template <fixed_string Field, class Struct>
struct field_has_no_parameter {};
template <fixed_string Parameter, class Struct>
struct parameter_has_no_field {};
template <fixed_string Parameter, class Struct, class Field>
struct field_type_does_not_fit {};
template <fixed_string Branch, class Struct, class Field>
struct branch_field_is_not_a_variant_of_its_options {};
template <fixed_string Option, class Alternative, class Expected>
struct variant_alternative_does_not_match_option {};
template <fixed_string Repeat, class Struct, class Field>
struct repeat_field_is_not_a_vector {};
template <class Struct>
struct not_a_reflected_struct {};
template <fixed_string Parameter>
struct grid_over_continuous_parameter {};
template <fixed_string Parameter>
struct unknown_parameter_name {};

template <class E>
inline constexpr bool is_ok = false;
template <>
inline constexpr bool is_ok<ok> = true;

template <class...>
inline constexpr bool always_false = false;

// Instantiated only for an error: its static_assert is the diagnostic.
template <class E>
struct reject {
  static_assert(is_ok<E>, "typetune: this space or parameter struct has a mistake; see the type above");
};
template <fixed_string P>
struct reject<empty_choice<P>> {
  static_assert(always_false<reject>, "typetune: a choice needs at least one value");
};
template <fixed_string N>
struct reject<duplicate_name_in_scope<N>> {
  static_assert(always_false<reject>, "typetune: two parameters in one scope have the same name");
};
template <fixed_string B>
struct reject<branch_without_options<B>> {
  static_assert(always_false<reject>, "typetune: a branch needs at least one option");
};
template <fixed_string R>
struct reject<repeat_without_parameters<R>> {
  static_assert(always_false<reject>, "typetune: a repeat needs at least one parameter per item");
};
template <fixed_string F, class S>
struct reject<field_has_no_parameter<F, S>> {
  static_assert(always_false<reject>, "typetune: a builder field has no parameter in the space (add one, or fix the field's name)");
};
template <fixed_string P, class S>
struct reject<parameter_has_no_field<P, S>> {
  static_assert(always_false<reject>, "typetune: a space parameter is consumed by no builder field (add the field, or remove the parameter)");
};
template <fixed_string P, class S, class F>
struct reject<field_type_does_not_fit<P, S, F>> {
  static_assert(always_false<reject>, "typetune: a builder field's type does not fit its parameter's values");
};
template <fixed_string B, class S, class F>
struct reject<branch_field_is_not_a_variant_of_its_options<B, S, F>> {
  static_assert(always_false<reject>, "typetune: a branch's field must be a std::variant with one alternative per option");
};
template <fixed_string O, class A, class E>
struct reject<variant_alternative_does_not_match_option<O, A, E>> {
  static_assert(always_false<reject>, "typetune: a std::variant alternative is not the struct its branch option names");
};
template <fixed_string R, class S, class F>
struct reject<repeat_field_is_not_a_vector<R, S, F>> {
  static_assert(always_false<reject>, "typetune: a repeat's field must be a std::vector of a reflected struct");
};
template <class S>
struct reject<not_a_reflected_struct<S>> {
  static_assert(always_false<reject>, "typetune: a parameter struct must be reflected (BOOST_HANA_ADAPT_STRUCT or BOOST_HANA_DEFINE_STRUCT)");
};
template <fixed_string P>
struct reject<grid_over_continuous_parameter<P>> {
  static_assert(always_false<reject>, "typetune: grid search needs a finite space, and this real parameter is continuous (give it a step, or use another sampler)");
};
template <fixed_string P>
struct reject<unknown_parameter_name<P>> {
  static_assert(always_false<reject>, "typetune: no parameter of this name in this scope");
};

// Raises E as a compile error (and nothing else) unless it is `ok`; true when it is.
template <class E>
consteval bool raise_unless_ok() {
  if constexpr (is_ok<E>) {
    return true;
  } else {
    [[maybe_unused]] reject<E> diagnostic;
    return true;  // the build already failed; returning true stops a second, redundant error
  }
}

}  // namespace typetune::error
