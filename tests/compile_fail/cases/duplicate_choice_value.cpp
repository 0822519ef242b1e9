// A choice that lists one value twice.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::duplicate_choice_value<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"list each value of a choice once.*Parameter = typetune::fixed_string<8>\{"filters"\}
#include <typetune/space/choice.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::choice<"filters">(32, 64, 32));
