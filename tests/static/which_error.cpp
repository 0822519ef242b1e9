// Tier 2 of CONVENTIONS.md: which-error tests. tt::check_t<Space, Params> names the first
// mistake a parameter struct has against a space, as a type, without breaking this build; each
// assertion below pins the error kind, the parameter's name and the struct (and field type).
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include <typetune/spaces.hpp>

namespace tt = typetune;
namespace err = typetune::error;

namespace which_error {

struct adam { double learning_rate; };
struct sgd { double learning_rate; double momentum; };
struct nesterov { double learning_rate; double momentum; };
struct layer { int units; double dropout; };
struct layer_misspelt { int unitz; double dropout; };

struct good { int dense_bot; std::vector<layer> hidden; std::variant<adam, sgd> optimizer; };
struct field_misspelt { int dense_bot; std::vector<layer> hidden; std::variant<adam, sgd> optimizer; int momentm; };
struct field_missing { int dense_bot; std::vector<layer> hidden; };
struct units_double { double dense_bot; std::vector<layer> hidden; std::variant<adam, sgd> optimizer; };
struct hidden_not_vector { int dense_bot; layer hidden; std::variant<adam, sgd> optimizer; };
struct optimizer_not_variant { int dense_bot; std::vector<layer> hidden; sgd optimizer; };
struct optimizer_one_alternative { int dense_bot; std::vector<layer> hidden; std::variant<adam> optimizer; };
struct optimizer_swapped { int dense_bot; std::vector<layer> hidden; std::variant<sgd, adam> optimizer; };
struct optimizer_other_struct { int dense_bot; std::vector<layer> hidden; std::variant<adam, nesterov> optimizer; };
struct item_misspelt { int dense_bot; std::vector<layer_misspelt> hidden; std::variant<adam, sgd> optimizer; };
struct not_reflected { int dense_bot; };

struct typed { int filters; double rate; std::string padding; bool bn; int lr_index; };
struct reals_in_int { int filters; int rate; std::string padding; bool bn; int lr_index; };
struct strings_in_double { int filters; double rate; double padding; bool bn; int lr_index; };
struct bool_in_int { int filters; double rate; std::string padding; int bn; int lr_index; };
struct real_choice_in_int { int filters; double rate; std::string padding; bool bn; int lr_index; };

}  // namespace which_error

BOOST_HANA_ADAPT_STRUCT(which_error::adam, learning_rate);
BOOST_HANA_ADAPT_STRUCT(which_error::sgd, learning_rate, momentum);
BOOST_HANA_ADAPT_STRUCT(which_error::nesterov, learning_rate, momentum);
BOOST_HANA_ADAPT_STRUCT(which_error::layer, units, dropout);
BOOST_HANA_ADAPT_STRUCT(which_error::layer_misspelt, unitz, dropout);
BOOST_HANA_ADAPT_STRUCT(which_error::good, dense_bot, hidden, optimizer);
BOOST_HANA_ADAPT_STRUCT(which_error::field_misspelt, dense_bot, hidden, optimizer, momentm);
BOOST_HANA_ADAPT_STRUCT(which_error::field_missing, dense_bot, hidden);
BOOST_HANA_ADAPT_STRUCT(which_error::units_double, dense_bot, hidden, optimizer);
BOOST_HANA_ADAPT_STRUCT(which_error::hidden_not_vector, dense_bot, hidden, optimizer);
BOOST_HANA_ADAPT_STRUCT(which_error::optimizer_not_variant, dense_bot, hidden, optimizer);
BOOST_HANA_ADAPT_STRUCT(which_error::optimizer_one_alternative, dense_bot, hidden, optimizer);
BOOST_HANA_ADAPT_STRUCT(which_error::optimizer_swapped, dense_bot, hidden, optimizer);
BOOST_HANA_ADAPT_STRUCT(which_error::optimizer_other_struct, dense_bot, hidden, optimizer);
BOOST_HANA_ADAPT_STRUCT(which_error::item_misspelt, dense_bot, hidden, optimizer);
BOOST_HANA_ADAPT_STRUCT(which_error::typed, filters, rate, padding, bn, lr_index);
BOOST_HANA_ADAPT_STRUCT(which_error::reals_in_int, filters, rate, padding, bn, lr_index);
BOOST_HANA_ADAPT_STRUCT(which_error::strings_in_double, filters, rate, padding, bn, lr_index);
BOOST_HANA_ADAPT_STRUCT(which_error::bool_in_int, filters, rate, padding, bn, lr_index);
BOOST_HANA_ADAPT_STRUCT(which_error::real_choice_in_int, filters, rate, padding, bn, lr_index);

namespace which_error {

inline constexpr auto mlp = tt::space(
    tt::int_<"dense_bot">(50, 350, tt::step{50}),
    tt::repeat<"hidden">(tt::count(1, 2), tt::int_<"units">(50, 100, tt::step{25}),
                         tt::choice<"dropout">(0.0, 0.1, 0.2)),
    tt::branch<"optimizer">(tt::option<"adam", adam>(tt::choice<"learning_rate">(1e-1, 1e-2, 1e-3)),
                            tt::option<"sgd", sgd>(tt::choice<"learning_rate">(1e-1, 1e-2, 1e-3),
                                                   tt::constant<"momentum">(0.9))));
using mlp_t = decltype(mlp);

template <class Params>
using check = tt::check_t<mlp_t, Params>;

static_assert(std::is_same_v<check<good>, err::ok>);
static_assert(std::is_same_v<check<field_misspelt>, err::field_has_no_parameter<"momentm", field_misspelt>>);
static_assert(std::is_same_v<check<field_missing>, err::parameter_has_no_field<"optimizer", field_missing>>);
static_assert(std::is_same_v<check<units_double>, err::field_type_does_not_fit<"dense_bot", units_double, double>>);
static_assert(std::is_same_v<check<hidden_not_vector>, err::repeat_field_is_not_a_vector<"hidden", hidden_not_vector, layer>>);
static_assert(std::is_same_v<check<optimizer_not_variant>,
                             err::branch_field_is_not_a_variant_of_its_options<"optimizer", optimizer_not_variant, sgd>>);
static_assert(std::is_same_v<check<optimizer_one_alternative>,
                             err::branch_field_is_not_a_variant_of_its_options<"optimizer", optimizer_one_alternative,
                                                                               std::variant<adam>>>);
// Alternatives in the wrong order: the first option's declared struct is compared first.
static_assert(std::is_same_v<check<optimizer_swapped>, err::variant_alternative_does_not_match_option<"adam", sgd, adam>>);
static_assert(std::is_same_v<check<optimizer_other_struct>,
                             err::variant_alternative_does_not_match_option<"sgd", nesterov, sgd>>);
// Nested scopes name the inner struct: the vector's item type.
static_assert(std::is_same_v<check<item_misspelt>, err::field_has_no_parameter<"unitz", layer_misspelt>>);
static_assert(std::is_same_v<check<not_reflected>, err::not_a_reflected_struct<not_reflected>>);
static_assert(std::is_same_v<check<int>, err::not_a_reflected_struct<int>>);

// An option without a declared struct accepts whatever alternative stands at its position, and
// checks its fields; a misspelt field inside it names that alternative.
inline constexpr auto untyped_branch = tt::space(tt::branch<"optimizer">(
    tt::option<"adam">(tt::choice<"learning_rate">(1e-1, 1e-2)),
    tt::option<"sgd">(tt::choice<"learning_rate">(1e-1, 1e-2), tt::constant<"momentum">(0.9))));
struct untyped_ok { std::variant<adam, sgd> optimizer; };
struct untyped_bad { std::variant<adam, layer> optimizer; };
}  // namespace which_error
BOOST_HANA_ADAPT_STRUCT(which_error::untyped_ok, optimizer);
BOOST_HANA_ADAPT_STRUCT(which_error::untyped_bad, optimizer);
namespace which_error {
static_assert(std::is_same_v<tt::check_t<decltype(untyped_branch), untyped_ok>, err::ok>);
static_assert(std::is_same_v<tt::check_t<decltype(untyped_branch), untyped_bad>,
                             err::field_has_no_parameter<"units", layer>>);

// Value families: a real never lands in an int, a string never in a double, a bool never in an int.
inline constexpr auto conv = tt::space(tt::choice<"filters">(32, 64), tt::real<"rate">(0.0, 0.5),
                                       tt::choice<"padding">("valid", "same"), tt::boolean<"bn">(),
                                       tt::int_<"lr_index">(0, 2));
using conv_t = decltype(conv);
static_assert(std::is_same_v<tt::check_t<conv_t, typed>, err::ok>);
static_assert(std::is_same_v<tt::check_t<conv_t, reals_in_int>, err::field_type_does_not_fit<"rate", reals_in_int, int>>);
static_assert(std::is_same_v<tt::check_t<conv_t, strings_in_double>,
                             err::field_type_does_not_fit<"padding", strings_in_double, double>>);
static_assert(std::is_same_v<tt::check_t<conv_t, bool_in_int>, err::field_type_does_not_fit<"bn", bool_in_int, int>>);
inline constexpr auto conv_real_choice = tt::space(tt::choice<"filters">(32, 64), tt::real<"rate">(0.0, 0.5),
                                                   tt::choice<"padding">("valid", "same"), tt::boolean<"bn">(),
                                                   tt::choice<"lr_index">(0.1, 0.01));
static_assert(std::is_same_v<tt::check_t<decltype(conv_real_choice), real_choice_in_int>,
                             err::field_type_does_not_fit<"lr_index", real_choice_in_int, int>>);

// The order of reports: misspelt fields first (they name what the user wrote), then
// parameters nothing consumes, then type mismatches.
struct two_mistakes { double dense_bot; std::vector<layer> hidden; std::variant<adam, sgd> optimiser; };
}  // namespace which_error
BOOST_HANA_ADAPT_STRUCT(which_error::two_mistakes, dense_bot, hidden, optimiser);
namespace which_error {
static_assert(std::is_same_v<check<two_mistakes>, err::field_has_no_parameter<"optimiser", two_mistakes>>);

// Grid: the first continuous parameter, depth first, is the one the error names.
inline constexpr auto grid_bad = tt::space(
    tt::int_<"units">(1, 4),
    tt::branch<"opt">(tt::option<"adam">(tt::choice<"lr">(0.1, 0.01)),
                      tt::option<"sgd">(tt::real<"momentum">(0.0, 0.99), tt::real<"nesterov_lr">(0.0, 1.0))),
    tt::real<"dropout">(0.0, 0.5));
static_assert(std::is_same_v<tt::grid_check_t<decltype(grid_bad)>,
                             err::grid_over_continuous_parameter<"momentum">>);
static_assert(std::is_same_v<tt::grid_check_t<decltype(mlp)>, err::ok>);

// Duplicate names within one scope (the DSL raises this as the space is built, so it is asked
// of the scope's node types directly).
using units_node = decltype(tt::int_<"units">(1, 2));
using dropout_node = decltype(tt::choice<"dropout">(0.0, 0.1));
using units_choice_node = decltype(tt::choice<"units">(8, 16));
static_assert(std::is_same_v<decltype(tt::detail::scope_names_error<units_node, dropout_node, units_choice_node>()),
                             err::duplicate_name_in_scope<"units">>);
static_assert(std::is_same_v<decltype(tt::detail::scope_names_error<units_node, dropout_node>()), err::ok>);
// The same name in different scopes is fine.
inline constexpr auto same_name_two_scopes = tt::space(
    tt::choice<"dropout">(0.0, 0.5), tt::repeat<"hidden">(tt::count(1, 2), tt::choice<"dropout">(0.0, 0.1)));
static_assert(same_name_two_scopes.size() == 3);

// A mistake reported as the space was built is not reported again by the struct check: an
// empty choice says nothing about its field's type (no field_type_does_not_fit as well).
struct dropout_double { double dropout; };
}  // namespace which_error
BOOST_HANA_ADAPT_STRUCT(which_error::dropout_double, dropout);
namespace which_error {
using empty_choice_node = tt::choice_param<"dropout", int, 0>;
static_assert(std::is_same_v<tt::check_t<tt::space_t<empty_choice_node>, dropout_double>, err::ok>);

}  // namespace which_error

TEST_CASE("static: which-error checks leave the build intact, and the fitting struct decodes") {
  using namespace which_error;
  const auto d = tt::describe(mlp);
  REQUIRE(d.size() == 10);
  CHECK(d.params[9].path == "optimizer.sgd.momentum");
  // dense_bot=100, one layer (units 75, dropout 0.2), sgd (lr 1e-2, momentum 0.9).
  tt::assignment a;
  a.values = {std::int64_t{100}, std::int64_t{1}, std::int64_t{75}, std::int64_t{2}, {}, {},
              std::int64_t{1}, {}, std::int64_t{1}, std::int64_t{0}};
  const auto p = tt::decode<good>(mlp, a);
  CHECK(p.dense_bot == 100);
  REQUIRE(p.hidden.size() == 1);
  CHECK(p.hidden[0].units == 75);
  CHECK(p.hidden[0].dropout == 0.2);
  REQUIRE(std::holds_alternative<sgd>(p.optimizer));
  CHECK(std::get<sgd>(p.optimizer).learning_rate == 1e-2);
  CHECK(std::get<sgd>(p.optimizer).momentum == 0.9);
  CHECK(tt::encode(mlp, p) == a);
}
