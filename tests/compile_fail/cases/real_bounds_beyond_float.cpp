// real<"x", float>(1e-300, 1e300, tt::log): the parameter's own value type is float, which
// holds neither bound (they would decode to 0 and inf).
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::bounds_do_not_fit_value_type<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"narrow the bounds, or give the parameter a wider value type
// EXPECT: Parameter = typetune::fixed_string<2>\{"x"\}\]
#include <typetune/space/real_param.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::real<"x", float>(1e-300, 1e300, tt::log));
