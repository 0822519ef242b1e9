// Self-check: a struct that fits its space compiles, so the harness must report a failure
// even though the expected text below would match a real diagnostic.
// EXPECT: field_has_no_parameter<typetune::fixed_string<8>\{"momentum"\}
#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct sgd_params {
  double learning_rate;
  double momentum;
};
BOOST_HANA_ADAPT_STRUCT(sgd_params, learning_rate, momentum);

constexpr auto space = tt::space(tt::real<"learning_rate">(1e-4, 1e-1, tt::log),
                                 tt::real<"momentum">(0.0, 0.99));
static_assert(tt::fits<sgd_params>(space));
