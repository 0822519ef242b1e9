// A branch with three options whose builder field is a variant of two alternatives.
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::branch_field_is_not_a_variant_of_its_options<typetune::fixed_string<10>\{"optimizer"\}, train_params, std::variant<adam, sgd> >::raise<>'
// EXPECT: error: static assertion failed: typetune: a branch's field must be a std::variant with one alternative per option, in the options' order
#include <variant>

#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct adam { double learning_rate; };
struct sgd { double learning_rate; };
struct rmsprop { double learning_rate; };
struct train_params {
  std::variant<adam, sgd> optimizer;
};
BOOST_HANA_ADAPT_STRUCT(adam, learning_rate);
BOOST_HANA_ADAPT_STRUCT(sgd, learning_rate);
BOOST_HANA_ADAPT_STRUCT(rmsprop, learning_rate);
BOOST_HANA_ADAPT_STRUCT(train_params, optimizer);

constexpr auto space = tt::space(tt::branch<"optimizer">(
    tt::option<"adam", adam>(tt::real<"learning_rate">(1e-4, 1e-1, tt::log)),
    tt::option<"sgd", sgd>(tt::real<"learning_rate">(1e-4, 1e-1, tt::log)),
    tt::option<"rmsprop", rmsprop>(tt::real<"learning_rate">(1e-4, 1e-1, tt::log))));
static_assert(tt::fits<train_params>(space));
