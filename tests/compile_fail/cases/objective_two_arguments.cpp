// An objective with two parameters (the trial and something else) is not a form optimize()
// knows: the message lists the accepted ones.
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
  study.optimize([](tt::trial<fashion_mlp::mlp_params>& t, int) { return tt::result{"val_loss", t.params().dense_bot * 1.0}; });
}
