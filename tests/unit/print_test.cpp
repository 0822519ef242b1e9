// The typed printer of parameters: operator<<, tt::to_string and fmt::format on reflected
// structs (at global scope or in their own namespace) and on params_of records.
#include <cstdint>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "../../examples/mlp_space.hpp"
#include "typetune/print.hpp"

namespace tt = typetune;
using i64 = std::int64_t;

namespace {
// dense_bot=100, 2 hidden layers, sgd with lr 0.01.
tt::assignment mlp_sgd() {
  return {{i64{100}, i64{2}, i64{75}, i64{1}, i64{50}, i64{2}, i64{1}, {}, i64{1}, i64{0}}};
}
constexpr const char* mlp_sgd_text =
    "dense_bot=100, hidden=[{units=75, dropout=0.1}, {units=50, dropout=0.2}], "
    "optimizer=sgd{learning_rate=0.01, momentum=0.9}";
}  // namespace

namespace print_test::inner {
enum class activation { relu, tanh };
struct settings {
  bool batch_norm;
  activation act;
  std::string name;
  float rate;
};
TYPETUNE_REFLECT(settings, batch_norm, act, name, rate);
}  // namespace print_test::inner

TEST_CASE("operator<< and to_string print a decoded struct: fields, lists, the option and its fields") {
  const auto p = tt::decode<fashion_mlp::mlp_params>(fashion_mlp::space, mlp_sgd());
  std::ostringstream out;
  out << p;
  CHECK(out.str() == mlp_sgd_text);
  CHECK(tt::to_string(p) == mlp_sgd_text);

  fashion_mlp::mlp_params adam{.dense_bot = 50, .hidden = {}, .optimizer = fashion_mlp::adam{.learning_rate = 0.001}};
  CHECK(tt::to_string(adam) == "dense_bot=50, hidden=[], optimizer=adam{learning_rate=0.001}");
}

TEST_CASE("a struct reflected in its own namespace prints booleans, enums, strings and floats") {
  const print_test::inner::settings s{true, print_test::inner::activation::tanh, "wide", 0.25F};
  std::ostringstream out;
  out << s;
  CHECK(out.str() == "batch_norm=true, act=1, name=wide, rate=0.25");
}

TEST_CASE("a params_of record prints with option names") {
  const auto v = tt::decode<tt::params_of<fashion_mlp::space>>(fashion_mlp::space, mlp_sgd());
  std::ostringstream out;
  out << v;
  CHECK(out.str() == mlp_sgd_text);
}

#if defined(TYPETUNE_TEST_WITH_FMT)
TEST_CASE("fmt::format prints parameters as operator<< does, and takes a width") {
  const auto p = tt::decode<fashion_mlp::mlp_params>(fashion_mlp::space, mlp_sgd());
  CHECK(fmt::format("{}", p) == mlp_sgd_text);
  const auto v = tt::decode<tt::params_of<fashion_mlp::space>>(fashion_mlp::space, mlp_sgd());
  CHECK(fmt::format("best: {}", v) == std::string("best: ") + mlp_sgd_text);
  const print_test::inner::settings s{false, print_test::inner::activation::relu, "x", 1.5F};
  CHECK(fmt::format("[{:>50}]", s) == "[         batch_norm=false, act=0, name=x, rate=1.5]");
}
#endif
