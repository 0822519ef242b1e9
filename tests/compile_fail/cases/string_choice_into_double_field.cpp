// A choice of strings whose builder field is a double; checked through the builder's
// signature (tt::fits(space, builder)).
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::field_type_does_not_fit<typetune::fixed_string<8>\{"padding"\}, conv_params, double>::raise<>'
// EXPECT: error: static assertion failed: typetune: a builder field's type does not fit its parameter's values: int_ needs an integer field, real a floating-point one
#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct conv_params {
  int filters;
  double padding;
};
BOOST_HANA_ADAPT_STRUCT(conv_params, filters, padding);

constexpr auto space = tt::space(tt::choice<"filters">(32, 64), tt::choice<"padding">("valid", "same"));
constexpr auto build = [](const conv_params& p) { return p.filters; };
static_assert(tt::fits(space, build));
