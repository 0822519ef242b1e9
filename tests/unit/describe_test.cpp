// Lowering: paths, kinds, conditions and order of describe(space), grid sizes and the hash.
#include <catch2/catch.hpp>

#include "../../examples/cnn_space.hpp"
#include "../../examples/mlp_space.hpp"
#include "../../examples/rnn_space.hpp"
#include "nested_spaces.hpp"

namespace tt = typetune;

namespace {
std::vector<std::string> paths(const tt::space_desc& d) {
  std::vector<std::string> out;
  for (const auto& p : d.params) out.push_back(p.path);
  return out;
}
}  // namespace

TEST_CASE("describe lowers the MLP space in parent-before-child order with conditions") {
  const auto d = tt::describe(fashion_mlp::space);
  CHECK(paths(d) == std::vector<std::string>{"dense_bot", "hidden", "hidden[0].units", "hidden[0].dropout",
                                             "hidden[1].units", "hidden[1].dropout", "optimizer",
                                             "optimizer.adam.learning_rate", "optimizer.sgd.learning_rate",
                                             "optimizer.sgd.momentum"});
  const auto& bot = d.params[0];
  CHECK(bot.kind == tt::param_kind::integer);
  CHECK(bot.low == 50);
  CHECK(bot.high == 350);
  CHECK(bot.step == 50);
  CHECK_FALSE(bot.active_if.has_value());

  const auto& count = d.params[1];
  CHECK(count.role == tt::param_role::count);
  CHECK(count.low == 1);
  CHECK(count.high == 2);

  const auto& second_units = d.params[4];
  REQUIRE(second_units.active_if.has_value());
  CHECK(second_units.active_if->parent == 1);
  CHECK(second_units.active_if->kind == tt::condition::rule::at_least);
  CHECK(second_units.active_if->value == 2);
  CHECK(second_units.depth == 1);

  const auto& opt = d.params[6];
  CHECK(opt.role == tt::param_role::branch);
  CHECK(opt.choices == std::vector<tt::choice_value>{std::string("adam"), std::string("sgd")});

  const auto& momentum = d.params[9];
  CHECK(momentum.kind == tt::param_kind::constant);
  CHECK(momentum.choices == std::vector<tt::choice_value>{0.9});
  REQUIRE(momentum.active_if.has_value());
  CHECK(momentum.active_if->parent == 6);
  CHECK(momentum.active_if->kind == tt::condition::rule::equals);
  CHECK(momentum.active_if->value == 1);
  CHECK(d.children(6) == std::vector<std::size_t>{7, 8, 9});
}

TEST_CASE("describe keeps log scales, steps, defaults and value types") {
  const auto d = tt::describe(fashion_cnn::space);
  const auto lr = d.find("optimizer.adam.learning_rate");
  REQUIRE(lr.has_value());
  CHECK(d.params[*lr].log);
  CHECK(d.params[*lr].default_value == tt::param_value{1e-3});
  const auto dropout = d.params[*d.find("conv[1].dropout")];
  CHECK(dropout.kind == tt::param_kind::real);
  CHECK(dropout.step == 0.25);
  CHECK(dropout.cardinality() == 3);
  const auto padding = d.params[*d.find("conv[0].padding")];
  CHECK(padding.type == tt::value_type::string);
  CHECK(padding.choices == std::vector<tt::choice_value>{std::string("valid"), std::string("same")});
  const auto filters = d.params[*d.find("conv[0].filters")];
  CHECK(filters.type == tt::value_type::integer);
  CHECK(filters.choices == std::vector<tt::choice_value>{std::int64_t{32}, std::int64_t{64}});
  CHECK(d.params[*d.find("dense_units")].default_value == tt::param_value{std::int64_t{100}});
}

TEST_CASE("nested spaces: a branch inside a repeat inside a branch") {
  const auto d = tt::describe(nested::space);
  CHECK(paths(d) == std::vector<std::string>{"body", "body.stacked.layers", "body.stacked.layers[0].units",
                                             "body.stacked.layers[0].act", "body.stacked.layers[0].act.leaky.slope",
                                             "body.stacked.layers[1].units", "body.stacked.layers[1].act",
                                             "body.stacked.layers[1].act.leaky.slope", "body.stacked.batch_norm",
                                             "head", "name", "seed_block"});
  const auto& slope = d.params[4];
  CHECK(slope.active_if == tt::condition{3, tt::condition::rule::equals, 1});
  CHECK(slope.depth == 3);
  const auto& head = d.params[9];
  CHECK(head.type == tt::value_type::enumeration);
  CHECK(head.choices == std::vector<tt::choice_value>{std::int64_t{3}, std::int64_t{7}});
  CHECK(head.default_value == tt::param_value{std::int64_t{1}});
  CHECK(d.params[10].type == tt::value_type::string);
  CHECK(d.params[11].kind == tt::param_kind::integer);
  CHECK(d.params[2].log);
}

TEST_CASE("grid sizes: branches summed, repeats summed over counts, same at compile and run time") {
  STATIC_REQUIRE(tt::grid_size(fashion_mlp::space) == 3780);
  CHECK(tt::describe(fashion_mlp::space).grid_size() == std::optional<std::uint64_t>{3780});
  CHECK(tt::describe(sequence_rnn::space).grid_size() == tt::grid_size(sequence_rnn::space));
  CHECK_FALSE(tt::describe(fashion_cnn::space).grid_size().has_value());

  constexpr auto small = tt::space(
      tt::branch<"b">(tt::option<"x">(tt::choice<"p">(1, 2, 3)), tt::option<"y">(tt::boolean<"q">(), tt::choice<"r">(1, 2))),
      tt::repeat<"rep">(tt::count(0, 2), tt::choice<"u">(1, 2)));
  // branch: 3 + 2*2 = 7; repeat: 1 + 2 + 4 = 7
  STATIC_REQUIRE(tt::grid_size(small) == 49);
  CHECK(tt::describe(small).grid_size() == std::optional<std::uint64_t>{49});
}

TEST_CASE("the hash is stable, and changes whenever the space does") {
  const auto h = tt::describe(fashion_mlp::space).hash();
  CHECK(h == tt::describe(fashion_mlp::space).hash());
  // A golden value: the hash must not depend on the compiler, the platform or the run.
  CHECK(tt::describe(fashion_mlp::space).hash_text() == "27e2172060bb5775");

  constexpr auto base = tt::space(tt::int_<"a">(1, 10), tt::real<"b">(0.1, 1.0));
  constexpr auto other_bound = tt::space(tt::int_<"a">(1, 11), tt::real<"b">(0.1, 1.0));
  constexpr auto other_name = tt::space(tt::int_<"c">(1, 10), tt::real<"b">(0.1, 1.0));
  constexpr auto other_scale = tt::space(tt::int_<"a">(1, 10), tt::real<"b">(0.1, 1.0, tt::log));
  constexpr auto other_step = tt::space(tt::int_<"a">(1, 10, tt::step{3}), tt::real<"b">(0.1, 1.0));
  constexpr auto other_order = tt::space(tt::real<"b">(0.1, 1.0), tt::int_<"a">(1, 10));
  constexpr auto other_default = tt::space(tt::int_<"a">(1, 10).with_default(2), tt::real<"b">(0.1, 1.0));
  const auto hb = tt::describe(base).hash();
  CHECK(hb != tt::describe(other_bound).hash());
  CHECK(hb != tt::describe(other_name).hash());
  CHECK(hb != tt::describe(other_scale).hash());
  CHECK(hb != tt::describe(other_step).hash());
  CHECK(hb != tt::describe(other_order).hash());
  CHECK(hb != tt::describe(other_default).hash());
}

TEST_CASE("to_text and to_json show every parameter with its condition") {
  const auto d = tt::describe(fashion_mlp::space);
  const auto text = d.to_text();
  CHECK_THAT(text, Catch::Contains("optimizer.sgd.learning_rate") && Catch::Contains("if optimizer == sgd") &&
                       Catch::Contains("if hidden >= 2") && Catch::Contains("3780 configurations"));
  const auto json = d.to_json();
  CHECK_THAT(json, Catch::Contains("\"path\": \"hidden[1].units\"") && Catch::Contains("\"rule\": \"at_least\"") &&
                       Catch::Contains("\"hash\": \"27e2172060bb5775\""));
}
