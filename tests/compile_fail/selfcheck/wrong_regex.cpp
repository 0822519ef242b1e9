// Self-check: this fails to compile (the field `momentm` has no parameter), but the expected
// text names another parameter, so the harness must report a failure.
// EXPECT: parameter_has_no_field<typetune::fixed_string<9>\{"momentum"\}
#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct sgd_params {
  double learning_rate;
  double momentm;
};
BOOST_HANA_ADAPT_STRUCT(sgd_params, learning_rate, momentm);

constexpr auto space = tt::space(tt::real<"learning_rate">(1e-4, 1e-1, tt::log));
static_assert(tt::fits<sgd_params>(space));
