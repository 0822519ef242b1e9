// study.ask() on a study that was not told its parameter struct: the error says the two ways to
// name it.
// MAX-LINES: 14
// EXPECT: ask\(\) needs the parameter struct: make the study with tt::params<P>\{\} or call study.ask<P>\(\)
#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

int main() {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"});
  auto t = study.ask();
  study.tell(t, 0.5);
}
