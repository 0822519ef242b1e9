// Tier 1 of CONVENTIONS.md: positive compile-time facts about spaces, as static_asserts. The
// build is the test; the TEST_CASEs below cross-check the same facts at run time.
#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "../../examples/mlp_space.hpp"
#include "../../examples/rnn_space.hpp"

namespace tt = typetune;

namespace static_facts {

// Flat, finite: 3 * 4 * 2 * 1 configurations.
inline constexpr auto flat = tt::space(tt::int_<"a">(0, 10, tt::step{5}),
                                       tt::choice<"b">(1, 2, 3, 4),
                                       tt::boolean<"c">(),
                                       tt::constant<"d">(7));
static_assert(flat.size() == 4);
static_assert(tt::is_finite_v<decltype(flat)>);
static_assert(tt::is_finite(flat));
static_assert(tt::require_grid(flat));
static_assert(tt::grid_size(flat) == 3 * 4 * 2 * 1);

// Quantized reals are finite (0, 0.1, ..., 0.5), continuous ones are not.
inline constexpr auto quantized = tt::space(tt::real<"dropout">(0.0, 0.5, tt::step{0.1}));
static_assert(tt::is_finite_v<decltype(quantized)>);
static_assert(tt::grid_size(quantized) == 6);
inline constexpr auto continuous = tt::space(tt::int_<"units">(1, 4), tt::real<"lr">(1e-4, 1e-1, tt::log));
static_assert(!tt::is_finite_v<decltype(continuous)>);
static_assert(!tt::is_finite(continuous));
static_assert(continuous.size() == 2);
static_assert(tt::is_finite_v<decltype(tt::space(tt::int_<"n">(1, 1000000)))>);

// Branches are summed: x has 2 configurations, y 3 * 2, z (no parameters) 1.
inline constexpr auto branched = tt::space(tt::branch<"opt">(tt::option<"x">(tt::choice<"p">(1, 2)),
                                                             tt::option<"y">(tt::int_<"q">(1, 3), tt::boolean<"r">()),
                                                             tt::option<"z">()));
static_assert(branched.size() == 1 + 1 + 2);
static_assert(tt::grid_size(branched) == 2 + 6 + 1);

// Repeats are summed over counts: 0, 1 or 2 items of 3 choices each is 1 + 3 + 9.
inline constexpr auto repeated = tt::space(tt::repeat<"layers">(tt::count(0, 2), tt::choice<"u">(16, 32, 64)));
static_assert(repeated.size() == 2);
static_assert(tt::grid_size(repeated) == 1 + 3 + 9);
// 2 or 3 items of 2 * 3 values each: 6^2 + 6^3; times an independent boolean.
inline constexpr auto repeated2 = tt::space(
    tt::repeat<"blocks">(tt::count(2, 3), tt::boolean<"bn">(), tt::choice<"k">(3, 5, 7)), tt::boolean<"head">());
static_assert(repeated2.size() == 4);
static_assert(tt::grid_size(repeated2) == (36 + 216) * 2);

// Nesting both ways: a branch inside a repeat, a repeat inside a branch.
inline constexpr auto nested = tt::space(
    tt::repeat<"layers">(tt::count(1, 2),
                         tt::branch<"act">(tt::option<"relu">(), tt::option<"leaky">(tt::choice<"slope">(0.01, 0.1)))),
    tt::branch<"body">(tt::option<"plain">(),
                       tt::option<"stacked">(tt::repeat<"cells">(tt::count(0, 1), tt::choice<"w">(8, 16)))));
static_assert(nested.size() == (1 + 1 + 1) + (1 + 1 + 1));
// act: 1 + 2 = 3 per layer, so 3 + 9 layers configurations; body: 1 + (1 + 2).
static_assert(tt::grid_size(nested) == (3 + 9) * (1 + 3));
inline constexpr auto nested_continuous = tt::space(tt::branch<"body">(
    tt::option<"plain">(), tt::option<"deep">(tt::repeat<"cells">(tt::count(0, 1), tt::real<"w">(0.0, 1.0)))));
static_assert(!tt::is_finite_v<decltype(nested_continuous)>);

// The tutorial spaces. MLP: 7 * (9 + 81) * (3 + 3).
static_assert(fashion_mlp::space.size() == 8);
static_assert(tt::is_finite_v<decltype(fashion_mlp::space)>);
static_assert(tt::grid_size(fashion_mlp::space) == 7 * (9 + 81) * 6);
static_assert(sequence_rnn::space.size() == 7);
static_assert(tt::grid_size(sequence_rnn::space) == 3 * 3 * 3 * 3 * 3 * 3 * 3);

// Typed builders fit: by struct, by builder signature, and the struct-free record.
static_assert(tt::fits<fashion_mlp::mlp_params>(fashion_mlp::space));
static_assert(tt::fits(fashion_mlp::space, [](const fashion_mlp::mlp_params&) { return 0.0; }));
inline double build_rnn(sequence_rnn::rnn_params p) { return p.learning_rate; }
static_assert(tt::fits(sequence_rnn::space, build_rnn));
static_assert(tt::fits(sequence_rnn::space, &build_rnn));
static_assert(tt::fits<tt::params_of<fashion_mlp::space>>(fashion_mlp::space));
static_assert(std::is_same_v<tt::check_t<decltype(fashion_mlp::space), fashion_mlp::mlp_params>, tt::error::ok>);

// A wider integer field, an int_ with its own C++ type, and string/enum/bool fields fit.
enum class act { relu, tanh };
struct wide {
  long long units;
  std::string padding;
  act activation;
  bool bn;
  float dropout;
};
}  // namespace static_facts
BOOST_HANA_ADAPT_STRUCT(static_facts::wide, units, padding, activation, bn, dropout);
namespace static_facts {
inline constexpr auto wide_space = tt::space(tt::int_<"units", long long>(1, 1LL << 40),
                                             tt::choice<"padding">("valid", "same"),
                                             tt::choice<"activation">(act::relu, act::tanh),
                                             tt::boolean<"bn">(),
                                             tt::real<"dropout", float>(0.0, 0.5));
static_assert(tt::fits<wide>(wide_space));

// The struct-free view: every value has its parameter's own C++ type.
using mlp_record = tt::params_of<fashion_mlp::space>;
static_assert(std::is_same_v<std::remove_cvref_t<decltype(std::declval<const mlp_record&>().get<"dense_bot">())>, int>);
template <tt::fixed_string Name, class Record>
using value_t = std::remove_cvref_t<decltype(std::declval<const Record&>().template get<Name>())>;
using hidden_t = value_t<"hidden", mlp_record>;
static_assert(std::is_same_v<value_t<"dense_bot", mlp_record>, int>);
static_assert(std::is_same_v<value_t<"units", hidden_t::value_type>, int>);
static_assert(std::is_same_v<value_t<"dropout", hidden_t::value_type>, double>);
static_assert(std::is_same_v<hidden_t, std::vector<hidden_t::value_type>>);
using optimizer_t = value_t<"optimizer", mlp_record>;
static_assert(std::variant_size_v<optimizer_t> == 2);
using sgd_t = std::remove_cvref_t<decltype(*tt::get_if<"sgd">(std::declval<const optimizer_t&>()))>;
static_assert(std::is_same_v<value_t<"momentum", sgd_t>, double>);
static_assert(std::is_same_v<value_t<"units", tt::params_of<wide_space>>, long long>);
static_assert(std::is_same_v<value_t<"padding", tt::params_of<wide_space>>, std::string_view>);
static_assert(std::is_same_v<value_t<"activation", tt::params_of<wide_space>>, act>);
static_assert(std::is_same_v<value_t<"bn", tt::params_of<wide_space>>, bool>);
static_assert(std::is_same_v<value_t<"dropout", tt::params_of<wide_space>>, float>);

// Values that fit: the bounds a field's type holds, int64 ranges up to +-2^53 (the largest
// integers the runtime description's doubles hold), floats within float's range, UTF-8 strings.
inline constexpr std::int64_t two_to_the_53 = std::int64_t{1} << 53;
struct narrow {
  signed char width;
  unsigned char depth;
  float scale;
  std::int64_t seed;
  short filters;
  std::string padding;
};
}  // namespace static_facts
BOOST_HANA_ADAPT_STRUCT(static_facts::narrow, width, depth, scale, seed, filters, padding);
namespace static_facts {
inline constexpr auto narrow_space = tt::space(tt::int_<"width">(-128, 127),
                                               tt::int_<"depth", unsigned char>(0, 255),
                                               tt::real<"scale", float>(1e-30, 1e30, tt::log),
                                               tt::int_<"seed", std::int64_t>(-two_to_the_53, two_to_the_53),
                                               tt::choice<"filters">(16, 32, 32767),
                                               tt::choice<"padding">("valid", "s\u00e4me", "\u6f22", "\U0001F600"));
static_assert(tt::fits<narrow>(narrow_space));
static_assert(tt::detail::holds_integer<signed char>(std::int64_t{127}));
static_assert(!tt::detail::holds_integer<signed char>(std::int64_t{128}));
static_assert(!tt::detail::holds_integer<unsigned char>(std::int64_t{-1}));
static_assert(tt::detail::holds_integer<char>(std::int64_t{65}));
static_assert(!tt::detail::holds_integer<std::uint64_t>(std::int64_t{-1}));
static_assert(tt::detail::holds_real<float>(3e38) && !tt::detail::holds_real<float>(4e38));
static_assert(tt::detail::holds_real<float>(0.0) && !tt::detail::holds_real<float>(1e-300));
static_assert(tt::detail::is_utf8("ascii") && tt::detail::is_utf8("s\u00e4me") && tt::detail::is_utf8("\U0010FFFF"));
static_assert(!tt::detail::is_utf8("s\xe4me"));         // Latin-1
static_assert(!tt::detail::is_utf8("\xc0\xaf"));        // overlong '/'
static_assert(!tt::detail::is_utf8("\xed\xa0\x80"));    // a UTF-16 surrogate
static_assert(!tt::detail::is_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
static_assert(!tt::detail::is_utf8("\xe6\xbc"));        // cut short

}  // namespace static_facts

TEST_CASE("static: compile-time facts agree with the runtime description") {
  using namespace static_facts;
  CHECK(tt::describe(flat).size() == 4);
  CHECK(tt::describe(flat).grid_size() == std::optional<std::uint64_t>{tt::grid_size(flat)});
  CHECK(tt::describe(branched).grid_size() == std::optional<std::uint64_t>{tt::grid_size(branched)});
  CHECK(tt::describe(repeated).grid_size() == std::optional<std::uint64_t>{tt::grid_size(repeated)});
  CHECK(tt::describe(repeated2).grid_size() == std::optional<std::uint64_t>{tt::grid_size(repeated2)});
  CHECK(tt::describe(nested).grid_size() == std::optional<std::uint64_t>{tt::grid_size(nested)});
  CHECK(tt::describe(quantized).grid_size() == std::optional<std::uint64_t>{6});
  CHECK_FALSE(tt::describe(continuous).is_finite());
  CHECK_FALSE(tt::describe(nested_continuous).is_finite());
  // repeated: the count, then one parameter per possible item (2).
  CHECK(tt::describe(repeated).size() == 3);
  // MLP: dense_bot, hidden, 2 x (units, dropout), optimizer, adam.lr, sgd.lr, sgd.momentum.
  const auto mlp = tt::describe(fashion_mlp::space);
  CHECK(mlp.size() == 10);
  CHECK(mlp.grid_size() == std::optional<std::uint64_t>{tt::grid_size(fashion_mlp::space)});
}
