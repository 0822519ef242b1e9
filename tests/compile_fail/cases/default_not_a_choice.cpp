// A choice's default that is not one of its values.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::default_value_not_a_choice<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"give one of the listed values as the default.*Parameter = typetune::fixed_string<8>\{"dropout"\}
#include <typetune/space/choice.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::choice<"dropout">(0.0, 0.1, 0.2).with_default(0.5));
