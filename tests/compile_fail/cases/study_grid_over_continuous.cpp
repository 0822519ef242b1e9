// Asking a study for a grid over a space with a continuous real names that parameter.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::grid_over_continuous_parameter<typetune::fixed_string<9>\{"momentum"\}>::raise<>'
// EXPECT: error: static assertion failed: typetune: grid search needs a finite space, and this real parameter is continuous: give it a tt::step\{x\}, or use another sampler
#include <typetune/study.hpp>

namespace tt = typetune;

inline constexpr auto space = tt::space(tt::choice<"learning_rate">(1e-3, 1e-2), tt::real<"momentum">(0.5, 0.99));

int main() { auto study = tt::study(space, tt::minimize{"val_loss"}, tt::grid{}); }
