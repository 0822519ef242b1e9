// An integer parameter whose step does not divide its range: 50..350 in steps of 40.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: in 'constexpr' expansion of 'typetune::int_<fixed_string<10>\{"dense_bot"\}>
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::step_does_not_divide_range<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"make high - low a multiple of the step: change the step or a bound.*Parameter = typetune::fixed_string<10>\{"dense_bot"\}
#include <typetune/space/int_param.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::int_<"dense_bot">(50, 350, tt::step{40}));
