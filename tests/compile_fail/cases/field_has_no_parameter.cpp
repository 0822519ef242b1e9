// A builder field with no parameter in the space: the misspelt field `momentm`.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::field_has_no_parameter<typetune::fixed_string<8>\{"momentm"\}, sgd_params>::raise<>'
// EXPECT: error: static assertion failed: typetune: a builder field has no parameter in the space: add the parameter, or fix the field's name
#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct sgd_params {
  double learning_rate;
  double momentm;
};
BOOST_HANA_ADAPT_STRUCT(sgd_params, learning_rate, momentm);

constexpr auto space = tt::space(tt::real<"learning_rate">(1e-4, 1e-1, tt::log),
                                 tt::real<"momentum">(0.0, 0.99));
static_assert(tt::fits<sgd_params>(space));
