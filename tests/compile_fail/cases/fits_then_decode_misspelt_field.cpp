// static_assert(tt::fits(space, build)) and then decode and encode of the same struct, with a
// misspelt field `momentm`: one error, from fits, and nothing from inside the decoder.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::field_has_no_parameter<typetune::fixed_string<8>\{"momentm"\}, sgd_params>
// EXPECT: error: static assertion failed: typetune: a builder field has no parameter in the space: add the parameter, or fix the field's name
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
  const auto p = tt::decode<sgd_params>(space, tt::assignment{{0.01, 0.9}});
  return tt::encode(space, p).values.size() == 2 ? 0 : static_cast<int>(build(p));
}
