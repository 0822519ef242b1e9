// int_<"width", signed char>(0, 300): the parameter's own value type cannot hold its high bound.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::bounds_do_not_fit_value_type<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"narrow the bounds, or give the parameter a wider value type
// EXPECT: Parameter = typetune::fixed_string<6>\{"width"\}\]
#include <typetune/space/int_param.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::int_<"width", signed char>(0, 300));
