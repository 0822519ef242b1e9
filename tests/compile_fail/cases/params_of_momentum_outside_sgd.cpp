// The struct-free view of the MLP space: `momentum` is not a parameter of the adam option, so
// asking the adam alternative for it does not compile.
// EXPECT: In instantiation of 'struct typetune::error::reject<typetune::error::unknown_parameter_name<typetune::fixed_string<9>\{"momentum"\}> >'
// EXPECT: error: static assertion failed: typetune: no parameter of this name in this scope
#include "mlp_space.hpp"

using params = typetune::params_of<fashion_mlp::space>;

double momentum(const params& p) {
  if (const auto* adam = typetune::get_if<"adam">(p.get<"optimizer">())) return adam->get<"momentum">();
  return 0.0;
}
