// A repeat with a count and no parameter per item, checked against a struct afterwards: one
// error, the repeat's.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::repeat_without_parameters<typetune::fixed_string<7>\{"hidden"\}>::raise<>'
// EXPECT: error: static assertion failed: typetune: a repeat needs at least one parameter per item: tt::repeat<"name">\(tt::count\(1, 3\), tt::int_<"units">\(...\)\)
#include <vector>

#include <typetune/spaces.hpp>

namespace tt = typetune;

struct layer { int units; };
struct mlp_params {
  std::vector<layer> hidden;
};
TYPETUNE_REFLECT(layer, units);
TYPETUNE_REFLECT(mlp_params, hidden);

inline constexpr auto space = tt::space(tt::repeat<"hidden">(tt::count(1, 3)));
static_assert(tt::fits<mlp_params>(space));
