// The README's whole pattern (a space, static_assert(tt::fits(space, build)), study.optimize)
// with a bound mistake in the space: the bound is the one error; the checks and the search
// that use the space afterwards add none.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::low_is_greater_than_high<Parameter>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"give the low bound first: \(low, high\) with low <= high
// EXPECT: Parameter = typetune::fixed_string<14>\{"learning_rate"\}\]
#include <typetune/study.hpp>
#include <typetune/spaces.hpp>

namespace tt = typetune;

struct sgd_params {
  double learning_rate;
  double momentum;
};
TYPETUNE_REFLECT(sgd_params, learning_rate, momentum);

inline constexpr auto space =
    tt::space(tt::real<"learning_rate">(1e-1, 1e-3, tt::log), tt::real<"momentum">(0.5, 0.99));

double build(const sgd_params& p) { return p.learning_rate * p.momentum; }
static_assert(tt::fits(space, build));

int main() {
  auto study = tt::study(space, tt::minimize{"val_loss"});
  study.optimize([](const sgd_params& p) { return build(p); });
}
