// A real range whose builder field is an int: the type does not fit.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::field_type_does_not_fit<typetune::fixed_string<8>\{"dropout"\}, layer_params, int>::raise<>'
// EXPECT: error: static assertion failed: typetune: a builder field's type does not fit its parameter's values: int_ needs an integer field, real a floating-point one
#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct layer_params {
  int dropout;
};
BOOST_HANA_ADAPT_STRUCT(layer_params, dropout);

constexpr auto space = tt::space(tt::real<"dropout">(0.0, 0.5));
static_assert(tt::fits<layer_params>(space));
