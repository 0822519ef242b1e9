// A repeat whose builder field is a single struct, not a std::vector of them.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::repeat_field_is_not_a_vector<typetune::fixed_string<7>\{"hidden"\}, mlp_params, dense_layer>::raise<>'
// EXPECT: error: static assertion failed: typetune: a repeat's field must be a std::vector of a reflected struct, one field per item parameter
#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct dense_layer {
  int units;
  double dropout;
};
struct mlp_params {
  dense_layer hidden;
};
BOOST_HANA_ADAPT_STRUCT(dense_layer, units, dropout);
BOOST_HANA_ADAPT_STRUCT(mlp_params, hidden);

constexpr auto space = tt::space(tt::repeat<"hidden">(tt::count(1, 2),
                                                      tt::int_<"units">(50, 100, tt::step{25}),
                                                      tt::choice<"dropout">(0.0, 0.1, 0.2)));
static_assert(tt::fits<mlp_params>(space));
