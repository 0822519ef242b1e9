// A constant string that is not UTF-8 (a lone continuation byte): rejected where the space is
// written, naming the parameter.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::choice_string_is_not_utf8<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"write choice and constant strings in UTF-8
// EXPECT: Parameter = typetune::fixed_string<5>\{"loss"\}\]
#include <typetune/space/constant.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::constant<"loss">("cross\x80" "entropy"));
