// static_assert(tt::fits(space, build)) and then study.optimize, with a repeat whose field is a
// single struct, not a std::vector of them: one error, from fits.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::repeat_field_is_not_a_vector<typetune::fixed_string<7>\{"hidden"\}, mlp_params, dense_layer>
// EXPECT: error: static assertion failed: typetune: a repeat's field must be a std::vector of a reflected struct, one field per item parameter
#include <cstdint>

#include <typetune/study.hpp>
#include <typetune/spaces.hpp>

namespace tt = typetune;

struct dense_layer {
  int units;
  double dropout;
};
struct mlp_params {
  dense_layer hidden;
};
TYPETUNE_REFLECT(dense_layer, units, dropout);
TYPETUNE_REFLECT(mlp_params, hidden);

inline constexpr auto space = tt::space(tt::repeat<"hidden">(tt::count(1, 2),
                                                             tt::int_<"units">(50, 100, tt::step{25}),
                                                             tt::choice<"dropout">(0.0, 0.1, 0.2)));

double build(const mlp_params& p) { return p.hidden.units * (1 - p.hidden.dropout); }
static_assert(tt::fits(space, build));

int main() {
  auto study = tt::study(space, tt::minimize{"val_loss"});
  study.optimize([](const mlp_params& p) { return build(p); });
}
