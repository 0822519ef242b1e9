// Self-check: two mistakes, two errors, each matching the expected text, in few lines; the
// case asks for ONE error, so the harness must report a failure.
// ONE-ERROR
// MAX-LINES: 40
// EXPECT: low_is_greater_than_high<Parameter>::raise.*Parameter = typetune::fixed_string<3>\{"lr"\}
#include <typetune/space/real_param.hpp>

constexpr auto lr = typetune::real<"lr">(1e-2, 1e-4);
constexpr auto momentum = typetune::real<"momentum">(0.99, 0.5);
