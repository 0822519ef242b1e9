// int_<"width">(0, 300) into a signed char field: the types fit (both integers), but 300 does
// not fit a signed char, and the bounds are constants, so it is a compile error naming both.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::bounds_do_not_fit_field_type<Parameter, Struct, Field>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"give the field a wider type, or narrow the bounds
// EXPECT: Parameter = typetune::fixed_string<6>\{"width"\}; Struct = conv_params; Field = signed char\]
#include <typetune/spaces.hpp>

namespace tt = typetune;

struct conv_params {
  signed char width;
  int filters;
};
TYPETUNE_REFLECT(conv_params, width, filters);

inline constexpr auto space = tt::space(tt::int_<"width">(0, 300), tt::choice<"filters">(32, 64));
int build(const conv_params& p) { return p.width * p.filters; }
static_assert(tt::fits(space, build));
