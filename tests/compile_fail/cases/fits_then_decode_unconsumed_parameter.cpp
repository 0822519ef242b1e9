// static_assert(tt::fits(space, build)) and then decode and encode, with a parameter
// `momentum` that no field consumes: one error, from fits.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::parameter_has_no_field<typetune::fixed_string<9>\{"momentum"\}, sgd_params>
// EXPECT: error: static assertion failed: typetune: a space parameter is consumed by no builder field: add the field \(and name it in TYPETUNE_REFLECT\), or remove the parameter
#include <typetune/spaces.hpp>

namespace tt = typetune;

struct sgd_params {
  double learning_rate;
};
TYPETUNE_REFLECT(sgd_params, learning_rate);

inline constexpr auto space = tt::space(tt::real<"learning_rate">(1e-3, 1e-1, tt::log), tt::real<"momentum">(0.5, 0.99));

double build(const sgd_params& p) { return p.learning_rate; }
static_assert(tt::fits(space, build));

int main() {
  const auto p = tt::decode<sgd_params>(space, tt::assignment{{0.01, 0.9}});
  return tt::encode(space, p).values.size() == 2 ? 0 : static_cast<int>(build(p));
}
