// An int_ range whose builder field is a double: the type does not fit.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::field_type_does_not_fit<typetune::fixed_string<6>\{"units"\}, layer_params, double>::raise<>'
// EXPECT: error: static assertion failed: typetune: a builder field's type does not fit its parameter's values: int_ needs an integer field, real a floating-point one
#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct layer_params {
  double units;
};
BOOST_HANA_ADAPT_STRUCT(layer_params, units);

constexpr auto space = tt::space(tt::int_<"units">(50, 100, tt::step{25}));
static_assert(tt::fits<layer_params>(space));
