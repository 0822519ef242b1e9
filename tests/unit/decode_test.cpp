// decode/encode between assignments and typed parameters, and the runtime checks that reject
// assignments which do not fit their space (as one read back from storage could).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "../../examples/cnn_space.hpp"
#include "../../examples/mlp_space.hpp"
#include "nested_spaces.hpp"

namespace tt = typetune;
using i64 = std::int64_t;

namespace {
// dense_bot=100, 2 hidden layers, sgd with lr 0.01.
tt::assignment mlp_sgd() {
  return {{i64{100}, i64{2}, i64{75}, i64{1}, i64{50}, i64{2}, i64{1}, {}, i64{1}, i64{0}}};
}
}  // namespace

TEST_CASE("decode gives the declared C++ types and the choices' values, not their indices") {
  const auto p = tt::decode<fashion_mlp::mlp_params>(fashion_mlp::space, mlp_sgd());
  CHECK(p.dense_bot == 100);
  REQUIRE(p.hidden.size() == 2);
  CHECK(p.hidden[0].units == 75);
  CHECK(p.hidden[0].dropout == 0.1);
  CHECK(p.hidden[1].units == 50);
  CHECK(p.hidden[1].dropout == 0.2);
  REQUIRE(std::holds_alternative<fashion_mlp::sgd>(p.optimizer));
  CHECK(std::get<fashion_mlp::sgd>(p.optimizer).learning_rate == 0.01);
  CHECK(std::get<fashion_mlp::sgd>(p.optimizer).momentum == 0.9);

  const auto v = tt::decode<tt::params_of<fashion_mlp::space>>(fashion_mlp::space, mlp_sgd());
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(v.get<"dense_bot">())>, int>);
  STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(v.get<"hidden">()[0].get<"dropout">())>, double>);
  CHECK(v.get<"dense_bot">() == 100);
  CHECK(v.get<"hidden">()[1].get<"units">() == 50);
  CHECK(tt::option_name(v.get<"optimizer">()) == "sgd");
  CHECK(tt::get_if<"adam">(v.get<"optimizer">()) == nullptr);
  const auto* sgd = tt::get_if<"sgd">(v.get<"optimizer">());
  REQUIRE(sgd != nullptr);
  CHECK(sgd->get<"learning_rate">() == 0.01);
}

TEST_CASE("string, int and quantized-real choices decode to their values") {
  const auto d = tt::describe(fashion_cnn::space);
  tt::assignment a;
  a.values.resize(d.size());
  a.values[*d.find("conv")] = i64{2};
  a.values[*d.find("conv[0].filters")] = i64{1};
  a.values[*d.find("conv[0].padding")] = i64{1};
  a.values[*d.find("conv[0].dropout")] = 0.25;
  a.values[*d.find("conv[1].filters")] = i64{0};
  a.values[*d.find("conv[1].padding")] = i64{0};
  a.values[*d.find("conv[1].dropout")] = 0.5;
  a.values[*d.find("dense_units")] = i64{125};
  a.values[*d.find("optimizer")] = i64{0};
  a.values[*d.find("optimizer.adam.learning_rate")] = 3e-3;
  d.validate(a);
  const auto p = tt::decode<fashion_cnn::cnn_params>(fashion_cnn::space, a);
  CHECK(p.conv[0].filters == 64);
  CHECK(p.conv[0].padding == "same");
  CHECK(p.conv[1].padding == "valid");
  CHECK(p.conv[1].dropout == 0.5);
  CHECK(p.dense_units == 125);
  CHECK(std::get<fashion_cnn::adam>(p.optimizer).learning_rate == 3e-3);
  CHECK(tt::encode(fashion_cnn::space, p) == a);
}

TEST_CASE("encode is the inverse of decode, also through nested branches and repeats") {
  CHECK(tt::encode(fashion_mlp::space, tt::decode<fashion_mlp::mlp_params>(fashion_mlp::space, mlp_sgd())) == mlp_sgd());

  nested::net_params n;
  nested::stacked s;
  s.layers = {nested::layer{16, nested::leaky_act{0.1}}, nested::layer{64, nested::relu_act{}}};
  s.batch_norm = true;
  n.body = s;
  n.head = nested::activation::tanh;
  n.name = "net";
  n.seed_block = 300;
  const auto a = tt::encode(nested::space, n);
  tt::describe(nested::space).validate(a);
  CHECK(a.values[0] == tt::param_value{i64{1}});
  CHECK(a.values[4] == tt::param_value{0.1});
  CHECK_FALSE(a.is_active(7));  // the second layer is relu: no slope
  CHECK(a.values[9] == tt::param_value{i64{1}});  // head: index of tanh
  const auto back = tt::decode<nested::net_params>(nested::space, a);
  const auto& bs = std::get<nested::stacked>(back.body);
  REQUIRE(bs.layers.size() == 2);
  CHECK(bs.layers[0].units == 16);
  CHECK(std::get<nested::leaky_act>(bs.layers[0].act).slope == 0.1);
  CHECK(std::holds_alternative<nested::relu_act>(bs.layers[1].act));
  CHECK(bs.batch_norm);
  CHECK(back.head == nested::activation::tanh);
  CHECK(back.name == "net");
  CHECK(back.seed_block == 300L);

  nested::net_params plain_net{nested::plain{}, nested::activation::relu, "net", 0};
  const auto pa = tt::encode(nested::space, plain_net);
  CHECK(pa.values[0] == tt::param_value{i64{0}});
  for (std::size_t i = 1; i <= 8; ++i) CHECK_FALSE(pa.is_active(i));
}

TEST_CASE("validate and decode reject assignments that do not fit, naming the parameter") {
  const auto d = tt::describe(fashion_mlp::space);
  auto decode = [](const tt::assignment& a) { return tt::decode<fashion_mlp::mlp_params>(fashion_mlp::space, a); };
  auto expect_rejected = [&](const tt::assignment& a, const std::string& what) {
    CHECK_THROWS_WITH(d.validate(a), Catch::Contains(what));
    CHECK_THROWS_WITH(decode(a), Catch::Contains(what));
    CHECK_THROWS_AS(decode(a), tt::assignment_error);
  };
  {
    auto a = mlp_sgd();
    a.values[0] = i64{125};  // off the step of 50
    expect_rejected(a, "'dense_bot'");
  }
  {
    auto a = mlp_sgd();
    a.values[0] = 100.0;  // a real where an int belongs
    expect_rejected(a, "'dense_bot'");
  }
  {
    auto a = mlp_sgd();
    a.values[1] = i64{3};  // more layers than the space allows
    expect_rejected(a, "'hidden'");
  }
  {
    auto a = mlp_sgd();
    a.values[7] = i64{0};  // adam's learning rate while sgd is chosen
    expect_rejected(a, "'optimizer.adam.learning_rate'");
  }
  {
    auto a = mlp_sgd();
    a.values[8] = tt::param_value{};  // sgd's learning rate missing
    expect_rejected(a, "'optimizer.sgd.learning_rate'");
  }
  {
    auto a = mlp_sgd();
    a.values[3] = i64{3};  // choice index out of range
    expect_rejected(a, "'hidden[0].dropout'");
  }
  {
    auto a = mlp_sgd();
    a.values.pop_back();
    CHECK_THROWS_AS(d.validate(a), tt::assignment_error);
    CHECK_THROWS_AS(decode(a), tt::assignment_error);
  }
}

TEST_CASE("reals: NaN and out-of-range values are rejected, in both directions") {
  const auto d = tt::describe(fashion_cnn::space);
  fashion_cnn::cnn_params p{{fashion_cnn::conv_block{32, "same", 0.25}}, 50,
                            fashion_cnn::sgd{0.01, std::numeric_limits<double>::quiet_NaN()}};
  CHECK_THROWS_WITH(tt::encode(fashion_cnn::space, p), Catch::Contains("'optimizer.sgd.momentum'"));
  p.optimizer = fashion_cnn::sgd{0.5, 0.9};  // above sgd's range of [1e-3, 1e-1]
  CHECK_THROWS_WITH(tt::encode(fashion_cnn::space, p),
                    Catch::Contains("'optimizer.sgd.learning_rate' value 0.5 is outside the space"));
  p.optimizer = fashion_cnn::sgd{0.05, 0.9};
  p.conv[0].dropout = 0.3;  // off the 0.25 step
  CHECK_THROWS_WITH(tt::encode(fashion_cnn::space, p), Catch::Contains("'conv[0].dropout'"));
  p.conv[0].dropout = 0.5;
  p.conv[0].padding = "full";  // not one of the choices
  CHECK_THROWS_WITH(tt::encode(fashion_cnn::space, p), Catch::Contains("'conv[0].padding'"));
  p.conv[0].padding = "valid";
  p.conv.clear();  // fewer blocks than the count allows
  CHECK_THROWS_WITH(tt::encode(fashion_cnn::space, p), Catch::Contains("'conv'"));
  p.conv.push_back({64, "valid", 0.0});
  d.validate(tt::encode(fashion_cnn::space, p));
}

namespace narrow {
struct small_params {
  std::int8_t level;
};
inline constexpr auto space = typetune::space(typetune::int_<"level">(0, 300));
}  // namespace narrow
BOOST_HANA_ADAPT_STRUCT(narrow::small_params, level);

TEST_CASE("an integer that does not fit the field's type is rejected, not wrapped") {
  CHECK(tt::decode<narrow::small_params>(narrow::space, tt::assignment{{i64{100}}}).level == 100);
  CHECK_THROWS_WITH(tt::decode<narrow::small_params>(narrow::space, tt::assignment{{i64{200}}}),
                    Catch::Contains("'level'") && Catch::Contains("does not fit"));
}
