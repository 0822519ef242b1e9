// An integer parameter whose step is zero.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::step_must_be_positive<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"give a step above zero: tt::step\{x\} with x > 0.*Parameter = typetune::fixed_string<8>\{"filters"\}
#include <typetune/space/int_param.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::int_<"filters">(16, 64, tt::step{0}));
