// option<"sgd", sgd> matched against a variant whose second alternative is another struct.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::variant_alternative_does_not_match_option<typetune::fixed_string<4>\{"sgd"\}, nesterov, sgd>::raise<>'
// EXPECT: error: static assertion failed: typetune: a std::variant alternative is not the struct its branch option names: list the alternatives in the options' order
#include <variant>

#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct adam { double learning_rate; };
struct sgd { double learning_rate; double momentum; };
struct nesterov { double learning_rate; double momentum; };
struct train_params {
  std::variant<adam, nesterov> optimizer;
};
BOOST_HANA_ADAPT_STRUCT(adam, learning_rate);
BOOST_HANA_ADAPT_STRUCT(sgd, learning_rate, momentum);
BOOST_HANA_ADAPT_STRUCT(nesterov, learning_rate, momentum);
BOOST_HANA_ADAPT_STRUCT(train_params, optimizer);

constexpr auto space = tt::space(tt::branch<"optimizer">(
    tt::option<"adam", adam>(tt::real<"learning_rate">(1e-4, 1e-1, tt::log)),
    tt::option<"sgd", sgd>(tt::real<"learning_rate">(1e-4, 1e-1, tt::log), tt::constant<"momentum">(0.9))));
static_assert(tt::fits<train_params>(space));
