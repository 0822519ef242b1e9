// A real parameter whose low bound is above its high bound.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: in 'constexpr' expansion of 'typetune::real<fixed_string<3>\{"lr"\}>
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::low_is_greater_than_high<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"give the low bound first: \(low, high\) with low <= high.*Parameter = typetune::fixed_string<3>\{"lr"\}
#include <typetune/space/real_param.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::real<"lr">(1e-2, 1e-4));
