// An int64 range beyond 2^53: the runtime description holds bounds as doubles, which would
// round it, so the range is rejected where it is written, naming the parameter and the limit.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::integer_bound_not_exact_in_double<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"keep integer bounds and steps within -9007199254740992..9007199254740992 \(2\^53
// EXPECT: Parameter = typetune::fixed_string<5>\{"seed"\}\]
#include <cstdint>

#include <typetune/space/int_param.hpp>
#include <typetune/space/space.hpp>

namespace tt = typetune;

constexpr std::int64_t two_to_the_53 = std::int64_t{1} << 53;
constexpr auto space = tt::space(tt::int_<"seed", std::int64_t>(0, two_to_the_53 + 1));
