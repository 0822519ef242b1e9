// A default value outside its parameter's range.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::default_value_outside_range<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"give a default between the bounds.*Parameter = typetune::fixed_string<10>\{"dense_bot"\}
#include <typetune/space/int_param.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::int_<"dense_bot">(50, 350, tt::step{50}).with_default(400));
