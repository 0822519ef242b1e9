// Every mistake the compile-time checks report, each a type that carries the offending name
// (so g++ prints it on the first lines) and its own message: what is wrong and what to do.
#pragma once

#include "typetune/diagnostics/raise.hpp"
#include "typetune/fixed_string.hpp"

namespace typetune::error {

// Mistakes in values (bounds, steps, defaults, choices), found while a parameter is built in a
// constant expression. raise() is deliberately not constexpr: reaching it stops the build, and
// the error line shows its signature, the parameter's name and the advice in what_to_do.

template <fixed_string Parameter>
struct low_is_greater_than_high {
  static void raise(what_to_do<"give the low bound first: (low, high) with low <= high"> = {});
};
template <fixed_string Parameter>
struct log_scale_needs_low_above_zero {
  static void raise(what_to_do<"a log scale needs a low bound above zero: raise the low bound, or drop tt::log"> = {});
};
template <fixed_string Parameter>
struct step_must_be_positive {
  static void raise(what_to_do<"give a step above zero: tt::step{x} with x > 0"> = {});
};
template <fixed_string Parameter>
struct step_does_not_divide_range {
  static void raise(what_to_do<"make high - low a multiple of the step: change the step or a bound"> = {});
};
template <fixed_string Parameter>
struct default_value_outside_range {
  static void raise(what_to_do<"give a default between the bounds (and on the step, if there is one)"> = {});
};
template <fixed_string Parameter>
struct default_value_not_a_choice {
  static void raise(what_to_do<"give one of the listed values as the default"> = {});
};
template <fixed_string Parameter>
struct duplicate_choice_value {
  static void raise(what_to_do<"list each value of a choice once"> = {});
};
template <fixed_string Parameter>
struct condition_without_values {
  static void raise(what_to_do<"name at least one of the parent's values (or options) in when(...)"> = {});
};
template <fixed_string Parameter>
struct condition_value_not_a_choice {
  static void raise(what_to_do<"name values of the parent in when(...): one of its listed values, or an option's "
                               "name"> = {});
};
template <fixed_string Repeat>
struct repeat_count_must_be_at_least_zero {
  static void raise(what_to_do<"give a count of zero or more: tt::count(low, high) with 0 <= low <= high"> = {});
};
// The runtime description holds integer bounds as doubles, which are exact up to 2^53.
template <fixed_string Parameter>
struct integer_bound_not_exact_in_double {
  static void raise(what_to_do<"keep integer bounds and steps within -9007199254740992..9007199254740992 (2^53, "
                               "the largest integers a double holds exactly)"> = {});
};
template <fixed_string Parameter>
struct bounds_do_not_fit_value_type {
  static void raise(what_to_do<"narrow the bounds, or give the parameter a wider value type (its second template "
                               "argument): every value must be representable in it"> = {});
};
template <fixed_string Parameter, class Struct, class Field>
struct bounds_do_not_fit_field_type {
  static void raise(what_to_do<"give the field a wider type, or narrow the bounds: every value must be "
                               "representable in the field"> = {});
};
template <fixed_string Parameter>
struct choice_string_is_not_utf8 {
  static void raise(what_to_do<"write choice and constant strings in UTF-8: they are stored and shown as JSON "
                               "text"> = {});
};

// Mistakes in structure and signatures, found from types alone. A check returns one of these
// (or `ok`), so tests can ask which error a space has without breaking their build;
// raise_unless_ok<E>() instantiates E::raise<>, whose static_assert is the message.

template <fixed_string Parameter>
struct empty_choice {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised, "typetune: a choice needs at least one value: tt::choice<\"name\">(a, b, ...)");
  };
};
template <fixed_string Name>
struct duplicate_name_in_scope {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: two parameters in one scope have the same name: rename one (names differ within the "
                  "space, within an option and within a repeat's item)");
  };
};
template <fixed_string Branch>
struct branch_without_options {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a branch needs at least one option: tt::branch<\"name\">(tt::option<\"a\">(...), ...)");
  };
};
template <fixed_string Repeat>
struct repeat_without_parameters {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a repeat needs at least one parameter per item: tt::repeat<\"name\">(tt::count(1, 3), "
                  "tt::int_<\"units\">(...))");
  };
};
template <fixed_string Field, class Struct>
struct field_has_no_parameter {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a builder field has no parameter in the space: add the parameter, or fix the field's "
                  "name");
  };
};
template <fixed_string Parameter, class Struct>
struct parameter_has_no_field {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a space parameter is consumed by no builder field: add the field (and name it in "
                  "TYPETUNE_REFLECT), or remove the parameter");
  };
};
template <fixed_string Parameter, class Struct, class Field>
struct field_type_does_not_fit {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a builder field's type does not fit its parameter's values: int_ needs an integer "
                  "field, real a floating-point one, a choice or constant a field of its values' kind");
  };
};
template <fixed_string Parameter, class Struct, class Field>
struct conditional_field_is_not_optional {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a parameter that exists only for some values of its parent (when(...)) needs a "
                  "std::optional field beside the parent's field");
  };
};
template <fixed_string Branch, class Struct, class Field>
struct branch_field_is_not_a_variant_of_its_options {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a branch's field must be a std::variant with one alternative per option, in the "
                  "options' order");
  };
};
template <fixed_string Option, class Alternative, class Expected>
struct variant_alternative_does_not_match_option {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a std::variant alternative is not the struct its branch option names: list the "
                  "alternatives in the options' order");
  };
};
template <fixed_string Repeat, class Struct, class Field>
struct repeat_field_is_not_a_vector {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a repeat's field must be a std::vector of a reflected struct, one field per item "
                  "parameter");
  };
};
template <class Struct>
struct not_a_reflected_struct {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: a parameter struct must be reflected: add TYPETUNE_REFLECT(Struct, field...) after "
                  "the struct, in the struct's own namespace or at global scope (or BOOST_HANA_ADAPT_STRUCT)");
  };
};
template <fixed_string Parameter>
struct grid_over_continuous_parameter {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: grid search needs a finite space, and this real parameter is continuous: give it a "
                  "tt::step{x}, or use another sampler");
  };
};

// The names of the scope a lookup searched, so that an unknown name is shown beside them.
template <fixed_string... Names>
struct scope_with {};

template <fixed_string Parameter, class Scope>
struct unknown_parameter_name {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: no parameter of this name in the scope searched (scope_with<...> lists its names): "
                  "fix the name; an option's parameters are read through tt::get_if<\"option\">");
  };
};
template <fixed_string Option, class Scope>
struct unknown_option_name {
  template <bool Raised = false>
  struct raise {
    static_assert(Raised,
                  "typetune: the branch has no option of this name (scope_with<...> lists its options): fix the "
                  "name");
  };
};

}  // namespace typetune::error
