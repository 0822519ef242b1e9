// A repeat whose count may be negative.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::repeat_count_must_be_at_least_zero<Repeat>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"give a count of zero or more: tt::count\(low, high\) with 0 <= low <= high.*Repeat = typetune::fixed_string<7>\{"hidden"\}
#include <typetune/space/int_param.hpp>
#include <typetune/space/repeat.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::repeat<"hidden">(tt::count(-1, 2), tt::int_<"units">(16, 64)));
