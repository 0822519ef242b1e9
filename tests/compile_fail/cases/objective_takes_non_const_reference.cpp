// A study told its struct, with an objective that takes the struct by non-const reference (the
// parameters are read-only): the error names the concept's part that failed, and the forms.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: static assertion failed: typetune: an objective \(tt::objective_for<F, P>\) takes one argument, tt::trial<P>& or const P& \(P: the study's struct\)
// EXPECT: required by the constraints of 'template<class F, class P> concept typetune::objective_for'
// EXPECT: note: the expression 'takes_trial_or_params<F, P> \[with F = [^;]*; P = fashion_mlp::mlp_params\]' evaluated to 'false'
#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

int main() {
  auto study = tt::study(fashion_mlp::space, tt::params<fashion_mlp::mlp_params>{}, tt::minimize{"val_loss"});
  study.optimize([](fashion_mlp::mlp_params& p) { return p.dense_bot * 1.0; });
}
