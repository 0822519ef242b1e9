// tt::budget given to the study instead of to optimize(): not an option of the study; the error
// names the type and lists the options a study takes.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::not_a_study_option<typetune::budget>::raise<>'
// EXPECT: error: static assertion failed: typetune: not an option of tt::study: it takes objectives \(tt::minimize, tt::maximize\), constraints \(tt::constraint\), a sampler
// EXPECT: \(tt::budget goes to optimize\(\)\)
#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

int main() { auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::budget{.trials = 50}); }
