// A real range of doubles into a float field, inside a repeat's item: 1e-300 and 1e300 are not
// floats (they would decode to 0 and inf), so it is a compile error naming the parameter.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: call to non-'constexpr' function 'static void typetune::error::bounds_do_not_fit_field_type<Parameter, Struct, Field>::raise\(typetune::error::what_to_do<typetune::fixed_string<[0-9]+>\{"give the field a wider type, or narrow the bounds
// EXPECT: Parameter = typetune::fixed_string<6>\{"scale"\}; Struct = layer; Field = float\]
#include <vector>

#include <typetune/spaces.hpp>

namespace tt = typetune;

struct layer {
  float scale;
};
struct net_params {
  std::vector<layer> layers;
};
TYPETUNE_REFLECT(layer, scale);
TYPETUNE_REFLECT(net_params, layers);

inline constexpr auto space =
    tt::space(tt::repeat<"layers">(tt::count(1, 3), tt::real<"scale">(1e-300, 1e300, tt::log)));
static_assert(tt::fits<net_params>(space));
