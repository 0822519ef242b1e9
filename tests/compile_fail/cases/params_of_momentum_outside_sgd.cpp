// The struct-free view of the MLP space: `momentum` is not a parameter of the adam option, so
// asking the adam alternative for it does not compile.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::unknown_parameter_name<typetune::fixed_string<9>\{"momentum"\}, typetune::error::scope_with<typetune::fixed_string<14>\{"learning_rate"\}> >::raise<>'
// EXPECT: error: static assertion failed: typetune: no parameter of this name in the scope searched \(scope_with<...> lists its names\): fix the name
#include "mlp_space.hpp"

using params = typetune::params_of<fashion_mlp::space>;

double momentum(const params& p) {
  if (const auto* adam = typetune::get_if<"adam">(p.get<"optimizer">())) return adam->get<"momentum">();
  return 0.0;
}
