// Self-check: one error with the expected text, but after more lines of output than the case
// allows (three warnings come first), so the harness must report a failure.
// MAX-LINES: 12
// EXPECT: low_is_greater_than_high<Parameter>::raise.*Parameter = typetune::fixed_string<3>\{"lr"\}
#include <typetune/space/real_param.hpp>
#warning filler 1
#warning filler 2
#warning filler 3

constexpr auto lr = typetune::real<"lr">(1e-2, 1e-4);
