// An objective that takes neither tt::trial<P>& nor const P& (here an int): optimize() says
// which forms it accepts.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: static assertion failed: typetune: an objective \(tt::objective_for<F, P>\) takes one argument, tt::trial<P>& or const P&
// EXPECT: required by the constraints of 'template<class F, class P> concept typetune::objective_for'
// EXPECT: note: the expression 'is_parameter_struct<P> \[with P = void\]' evaluated to 'false'
#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

int main() {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"});
  study.optimize([](int epochs) { return tt::result{"val_loss", 1.0 / epochs}; });
}
