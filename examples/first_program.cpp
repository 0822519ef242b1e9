// A first program as the README writes one: structs and their reflection in the program's own
// namespace, a choice with a child and a learning rate shared by two optimizers, an objective
// that takes the parameters by const reference, and `auto best` that is the struct.
#include <cmath>
#include <iostream>
#include <optional>
#include <string_view>
#include <variant>

#include <typetune/typetune.hpp>

namespace first_program {

namespace tt = typetune;

// [params]
struct adam {};
struct sgd {
  double momentum;
};
struct model_params {
  int units;
  bool use_dropout;
  std::optional<double> dropout;          // exists only when use_dropout is true
  std::variant<adam, sgd> optimizer;
  std::optional<double> learning_rate;    // one parameter for both optimizers
};
TYPETUNE_REFLECT(sgd, momentum);
TYPETUNE_REFLECT(model_params, units, use_dropout, dropout, optimizer, learning_rate);
// [params]

// [space]
inline constexpr auto space = tt::space(
    tt::int_<"units">(16, 128, tt::step{16}),
    tt::boolean<"use_dropout">().when(true, tt::choice<"dropout">(0.1, 0.2, 0.3)),
    tt::branch<"optimizer">(tt::option<"adam", adam>(),
                            tt::option<"sgd", sgd>(tt::real<"momentum">(0.5, 0.99)))
        .with_default("adam")
        .when<"adam", "sgd">(tt::real<"learning_rate">(1e-4, 1e-1, tt::log)));
// [space]
static_assert(space.size() == 6);

// A stand-in for training: best near 64 units, a 0.1 dropout and a learning rate of 1e-2.
double validation_loss(const model_params& p) {
  double loss = std::abs(p.units - 64) / 64.0 + std::abs(std::log10(p.learning_rate.value_or(1.0)) + 2.0);
  if (p.dropout) loss += *p.dropout - 0.1;
  if (const auto* s = std::get_if<sgd>(&p.optimizer)) loss += (1.0 - s->momentum) * 0.1;
  return loss;
}

int run(bool quick) {
  // [study]
  auto study = tt::study(space, tt::minimize{"val_loss"}, tt::tpe{.seed = 1}, tt::params<model_params>{});
  study.optimize([](const model_params& p) { return validation_loss(p); }, tt::budget{.trials = quick ? 40U : 200U});
  auto best = study.best().params;  // a model_params
  std::cout << "best: " << best << '\n';
  // [study]
  return best.units > 0 && best.learning_rate.has_value() ? 0 : 1;
}

}  // namespace first_program

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string_view(argv[1]) == "--quick";
  return first_program::run(quick);
}
