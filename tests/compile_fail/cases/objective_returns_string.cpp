// An objective of the right form that returns something a trial's value cannot be made from (a
// std::string): the error names the concept, tt::objective_for, and what an objective returns.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: static assertion failed: typetune: an objective \(tt::objective_for<F, P>\) returns a double, tt::result\{...\} or tt::pruned
// EXPECT: required by the constraints of 'template<class F, class P> concept typetune::objective_for'
// EXPECT: note: the expression 'returns_outcome<F, P> \[with F = [^;]*; P = fashion_mlp::mlp_params\]' evaluated to 'false'
#include <string>

#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

int main() {
  auto study = tt::study(fashion_mlp::space, tt::minimize{"val_loss"});
  study.optimize([](const fashion_mlp::mlp_params& p) { return std::to_string(p.dense_bot); });
}
