// An empty choice whose struct is then checked: the empty choice is the one error (the field's
// type is not blamed for it as well).
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::empty_choice<typetune::fixed_string<8>\{"dropout"\}>
// EXPECT: error: static assertion failed: typetune: a choice needs at least one value: tt::choice<"name">\(a, b, ...\)
#include <typetune/spaces.hpp>

namespace tt = typetune;

struct layer_params {
  int units;
  double dropout;
};
TYPETUNE_REFLECT(layer_params, units, dropout);

inline constexpr auto space = tt::space(tt::int_<"units">(50, 100, tt::step{25}), tt::choice<"dropout">());
double build(const layer_params& p) { return p.units * (1 - p.dropout); }
static_assert(tt::fits(space, build));
