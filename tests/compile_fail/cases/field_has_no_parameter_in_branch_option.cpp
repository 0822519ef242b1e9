// A misspelt field inside a branch alternative: sgd's `momentm` has no parameter in the sgd
// option, found through the builder's signature (tt::fits(space, builder)).
// ONE-ERROR
// MAX-LINES: 12
// EXPECT: In instantiation of 'struct typetune::error::field_has_no_parameter<typetune::fixed_string<8>\{"momentm"\}, sgd>::raise<>'
// EXPECT: error: static assertion failed: typetune: a builder field has no parameter in the space: add the parameter, or fix the field's name
#include <variant>
#include <vector>

#include <boost/hana/adapt_struct.hpp>
#include <typetune/check/fits.hpp>

namespace tt = typetune;

struct adam { double learning_rate; };
struct sgd { double learning_rate; double momentm; };
struct layer { int units; };
struct mlp_params {
  std::vector<layer> hidden;
  std::variant<adam, sgd> optimizer;
};
BOOST_HANA_ADAPT_STRUCT(adam, learning_rate);
BOOST_HANA_ADAPT_STRUCT(sgd, learning_rate, momentm);
BOOST_HANA_ADAPT_STRUCT(layer, units);
BOOST_HANA_ADAPT_STRUCT(mlp_params, hidden, optimizer);

constexpr auto space = tt::space(
    tt::repeat<"hidden">(tt::count(1, 2), tt::int_<"units">(50, 100, tt::step{25})),
    tt::branch<"optimizer">(
        tt::option<"adam", adam>(tt::choice<"learning_rate">(1e-1, 1e-2, 1e-3)),
        tt::option<"sgd", sgd>(tt::choice<"learning_rate">(1e-1, 1e-2, 1e-3), tt::constant<"momentum">(0.9))));

int build(const mlp_params& p) { return static_cast<int>(p.hidden.size()); }
static_assert(tt::fits(space, build));
