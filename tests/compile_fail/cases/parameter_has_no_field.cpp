// A space parameter that no builder field consumes: `momentum` has no field in sgd_params.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::parameter_has_no_field<typetune::fixed_string<9>\{"momentum"\}, sgd_params>::raise<>'
// EXPECT: error: static assertion failed: typetune: a space parameter is consumed by no builder field: add the field \(and name it in TYPETUNE_REFLECT\), or remove the parameter
#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct sgd_params {
  double learning_rate;
};
BOOST_HANA_ADAPT_STRUCT(sgd_params, learning_rate);

constexpr auto space = tt::space(tt::real<"learning_rate">(1e-4, 1e-1, tt::log),
                                 tt::real<"momentum">(0.0, 0.99));
static_assert(tt::fits<sgd_params>(space));
