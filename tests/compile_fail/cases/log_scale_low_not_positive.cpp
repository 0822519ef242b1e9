// A log-scale real parameter whose low bound is not above zero.
// EXPECT: in 'constexpr' expansion of 'typetune::real<fixed_string<14>\{"learning_rate"\}>
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::log_scale_needs_low_above_zero<Parameter>::raise\(\).*Parameter = typetune::fixed_string<14>\{"learning_rate"\}
#include <typetune/space/real_param.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::real<"learning_rate">(0.0, 1e-1, tt::log));
