// The typed MLP builder: `momentum` exists only in the sgd alternative, so reading it from
// the adam alternative does not compile.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: error: 'const struct fashion_mlp::adam' has no member named 'momentum'
#include "mlp_space.hpp"

static_assert(typetune::fits<fashion_mlp::mlp_params>(fashion_mlp::space));

double momentum(const fashion_mlp::mlp_params& p) {
  return std::get<fashion_mlp::adam>(p.optimizer).momentum;
}
