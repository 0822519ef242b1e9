// Two objectives and a pruner: pruning compares one objective's intermediate values, so a study
// with several objectives refuses a pruner (and a scheduler) when it is made, naming both.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::pruner_with_several_objectives<typetune::asha>::raise<>'
// EXPECT: error: static assertion failed: typetune: a study with several objectives \(two or more tt::minimize/tt::maximize\) takes no pruner and no scheduler: they compare one objective's intermediate values
#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

int main() {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::asha{}, tt::random{.seed = 2},
                         tt::minimize{"parameters"});
}
