// Self-check: the right error text, but only after the window of lines the harness reads
// (ten warnings of three lines each come first), so the harness must report a failure.
// EXPECT: low_is_greater_than_high<.*fixed_string<3>\{"lr"\}
#include <typetune/space/real_param.hpp>
#warning filler 1
#warning filler 2
#warning filler 3
#warning filler 4
#warning filler 5
#warning filler 6
#warning filler 7
#warning filler 8
#warning filler 9
#warning filler 10

constexpr auto lr = typetune::real<"lr">(1e-2, 1e-4);
