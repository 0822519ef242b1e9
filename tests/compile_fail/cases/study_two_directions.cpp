// Two directions (each naming a metric): the later would replace the earlier, so the study
// refuses them, naming both and their role.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::study_option_given_twice<typetune::fixed_string<10>\{"direction"\}, typetune::minimize, typetune::maximize>::raise<>'
// EXPECT: error: static assertion failed: typetune: a study takes one option of each role
#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

int main() {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"}, tt::random{.seed = 2},
                         tt::maximize{"val_accuracy"});
}
