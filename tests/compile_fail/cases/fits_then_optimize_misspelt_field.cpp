// The README's pattern, static_assert(tt::fits(space, build)) and then study.optimize, with a
// misspelt field `momentm`: one error, from fits, and nothing from inside optimize().
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::field_has_no_parameter<typetune::fixed_string<8>\{"momentm"\}, sgd_params>
// EXPECT: error: static assertion failed: typetune: a builder field has no parameter in the space: add the parameter, or fix the field's name
#include <typetune/study.hpp>
#include <typetune/spaces.hpp>

namespace tt = typetune;

struct sgd_params {
  double learning_rate;
  double momentm;
};
TYPETUNE_REFLECT(sgd_params, learning_rate, momentm);

inline constexpr auto space = tt::space(tt::real<"learning_rate">(1e-3, 1e-1, tt::log), tt::real<"momentum">(0.5, 0.99));

double build(const sgd_params& p) { return p.learning_rate * p.momentm; }
static_assert(tt::fits(space, build));

int main() {
  auto study = tt::study(space, tt::minimize{"val_loss"});
  study.optimize([](const sgd_params& p) { return build(p); });
}
