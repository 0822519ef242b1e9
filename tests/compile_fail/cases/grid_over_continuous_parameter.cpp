// Grid search over a space with a continuous real (no step): names the parameter.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::grid_over_continuous_parameter<typetune::fixed_string<14>\{"learning_rate"\}>::raise<>'
// EXPECT: error: static assertion failed: typetune: grid search needs a finite space, and this real parameter is continuous: give it a tt::step\{x\}, or use another sampler
#include <typetune/check/grid.hpp>

namespace tt = typetune;

constexpr auto space = tt::space(tt::int_<"units">(16, 64, tt::step{16}),
                                 tt::real<"dropout">(0.0, 0.5, tt::step{0.1}),
                                 tt::real<"learning_rate">(1e-4, 1e-1, tt::log));
static_assert(tt::require_grid(space));
