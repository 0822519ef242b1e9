// A log-scale real parameter whose low bound is not above zero.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: in 'constexpr' expansion of 'typetune::real<fixed_string<14>\{"learning_rate"\}>
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::log_scale_needs_low_above_zero<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"a log scale needs a low bound above zero: raise the low bound, or drop tt::log.*Parameter = typetune::fixed_string<14>\{"learning_rate"\}
#include <typetune/space/real_param.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::real<"learning_rate">(0.0, 1e-1, tt::log));
