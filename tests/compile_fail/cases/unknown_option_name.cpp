// The struct-free typed view: asking a branch for an option it does not have (a misspelt
// `adamw`) names the branch's options.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::unknown_option_name<typetune::fixed_string<6>\{"adamw"\}, typetune::error::scope_with<typetune::fixed_string<5>\{"adam"\}, typetune::fixed_string<4>\{"sgd"\}> >::raise<>'
// EXPECT: error: static assertion failed: typetune: the branch has no option of this name \(scope_with<...> lists its options\): fix the name
#include "mlp_space.hpp"

using params = typetune::params_of<fashion_mlp::space>;

double learning_rate(const params& p) {
  if (const auto* adam = typetune::get_if<"adamw">(p.get<"optimizer">())) return adam->get<"learning_rate">();
  return 0.0;
}
