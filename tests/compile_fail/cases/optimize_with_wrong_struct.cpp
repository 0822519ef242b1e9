// A study's objective whose trial struct does not fit the space: optimize() names the field.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::field_has_no_parameter<typetune::fixed_string<8>\{"momentm"\}, wrong_sgd>::raise<>'
// EXPECT: error: static assertion failed: typetune: a builder field has no parameter in the space: add the parameter, or fix the field's name
#include <typetune/study.hpp>

namespace tt = typetune;

struct wrong_sgd {
  double learning_rate;
  double momentm;
};
TYPETUNE_REFLECT(wrong_sgd, learning_rate, momentm);

inline constexpr auto space = tt::space(tt::real<"learning_rate">(1e-3, 1e-1, tt::log), tt::real<"momentum">(0.5, 0.99));

int main() {
  auto study = tt::study(space, tt::minimize{"val_loss"});
  study.optimize([](tt::trial<wrong_sgd>& t) { return tt::result{"val_loss", t.params().momentm}; });
}
