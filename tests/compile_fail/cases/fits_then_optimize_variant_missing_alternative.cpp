// static_assert(tt::fits(space, build)) and then study.optimize, with a branch's variant that has
// an alternative missing (two options, one alternative): one error, from fits.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::branch_field_is_not_a_variant_of_its_options<typetune::fixed_string<10>\{"optimizer"\}, train_params, std::variant<adam> >
// EXPECT: error: static assertion failed: typetune: a branch's field must be a std::variant with one alternative per option, in the options' order
#include <cstdint>
#include <variant>

#include <typetune/study.hpp>
#include <typetune/spaces.hpp>

namespace tt = typetune;

struct adam { double learning_rate; };
struct sgd { double learning_rate; double momentum; };
struct train_params {
  std::variant<adam> optimizer;
};
TYPETUNE_REFLECT(adam, learning_rate);
TYPETUNE_REFLECT(sgd, learning_rate, momentum);
TYPETUNE_REFLECT(train_params, optimizer);

inline constexpr auto space = tt::space(tt::branch<"optimizer">(
    tt::option<"adam", adam>(tt::real<"learning_rate">(1e-4, 1e-1, tt::log)),
    tt::option<"sgd", sgd>(tt::real<"learning_rate">(1e-4, 1e-1, tt::log), tt::constant<"momentum">(0.9))));

double build(const train_params& p) { return static_cast<double>(p.optimizer.index()); }
static_assert(tt::fits(space, build));

int main() {
  auto study = tt::study(space, tt::minimize{"val_loss"});
  study.optimize([](const train_params& p) { return build(p); });
}
