// Two samplers, each with its seed: one of them would silently replace the other (sampler and
// seed), so the study refuses both, naming them and their role.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::study_option_given_twice<typetune::fixed_string<8>\{"sampler"\}, typetune::tpe, typetune::random_search>::raise<>'
// EXPECT: error: static assertion failed: typetune: a study takes one option of each role \(one sampler, one pruner, one scheduler, ...; objectives and constraints aside\), and these two have the same role: keep one
#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

int main() {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::tpe{.seed = 1}, tt::random{.seed = 2});
}
