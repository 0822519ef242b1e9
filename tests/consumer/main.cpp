// A user's program against the installed package: a small tutorial-like space with a repeat
// and a branch, its runtime description (compiled code in typetune::engine), and a decoded
// assignment. Exits 0 only if every value comes back right, with its declared type.
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <typetune/typetune.hpp>

namespace tt = typetune;

namespace consumer {
struct adam {
  double learning_rate;
};
struct sgd {
  double learning_rate;
  double momentum;
};
struct layer {
  int units;
  double dropout;
};
struct params {
  int dense_bot;
  std::vector<layer> hidden;
  std::variant<adam, sgd> optimizer;
  std::string activation;
};

inline constexpr auto space = tt::space(
    tt::int_<"dense_bot">(50, 350, tt::step{50}),
    tt::repeat<"hidden">(tt::count(1, 2), tt::int_<"units">(50, 100, tt::step{25}),
                         tt::choice<"dropout">(0.0, 0.1, 0.2)),
    tt::branch<"optimizer">(tt::option<"adam", adam>(tt::choice<"learning_rate">(1e-1, 1e-2, 1e-3)),
                            tt::option<"sgd", sgd>(tt::choice<"learning_rate">(1e-1, 1e-2, 1e-3),
                                                   tt::constant<"momentum">(0.9))),
    tt::choice<"activation">("relu", "tanh"));
}  // namespace consumer

BOOST_HANA_ADAPT_STRUCT(consumer::adam, learning_rate);
BOOST_HANA_ADAPT_STRUCT(consumer::sgd, learning_rate, momentum);
BOOST_HANA_ADAPT_STRUCT(consumer::layer, units, dropout);
BOOST_HANA_ADAPT_STRUCT(consumer::params, dense_bot, hidden, optimizer, activation);

static_assert(tt::fits<consumer::params>(consumer::space));
static_assert(consumer::space.size() == 9);
static_assert(tt::grid_size(consumer::space) == 7 * (9 + 81) * 6 * 2);

namespace {
int failures = 0;
void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::cerr << "consumer: FAILED: " << what << '\n';
    ++failures;
  }
}
}  // namespace

int main() {
  const tt::space_desc desc = tt::describe(consumer::space);
  std::cout << desc.to_text();
  expect(desc.size() == 11, "describe() gives 11 parameters");
  expect(desc.params[4].path == "hidden[1].units", "the fifth parameter is hidden[1].units");
  expect(desc.params[9].path == "optimizer.sgd.momentum", "the tenth parameter is optimizer.sgd.momentum");
  expect(desc.grid_size() == std::optional<std::uint64_t>{tt::grid_size(consumer::space)},
         "the runtime grid size equals the compile-time one");
  expect(desc.hash_text().size() == 16, "the hash has 16 hex digits");

  // dense_bot=250, two layers (75/0.1, 100/0.2), sgd with lr 1e-3 and momentum 0.9, tanh.
  tt::assignment a;
  a.values = {std::int64_t{250}, std::int64_t{2},  std::int64_t{75}, std::int64_t{1},
              std::int64_t{100}, std::int64_t{2},  std::int64_t{1},  {},
              std::int64_t{2},   std::int64_t{0},  std::int64_t{1}};
  desc.validate(a);
  const auto p = tt::decode<consumer::params>(consumer::space, a);
  static_assert(std::is_same_v<decltype(p.hidden[0].units), int>);
  expect(p.dense_bot == 250, "dense_bot is 250");
  expect(p.hidden.size() == 2, "two hidden layers");
  if (p.hidden.size() == 2) {
    expect(p.hidden[0].units == 75 && p.hidden[0].dropout == 0.1, "layer 0 is 75 units, dropout 0.1");
    expect(p.hidden[1].units == 100 && p.hidden[1].dropout == 0.2, "layer 1 is 100 units, dropout 0.2");
  }
  const auto* s = std::get_if<consumer::sgd>(&p.optimizer);
  expect(s != nullptr, "the optimizer is sgd");
  if (s != nullptr) expect(s->learning_rate == 1e-3 && s->momentum == 0.9, "sgd has lr 1e-3, momentum 0.9");
  expect(p.activation == "tanh", "the activation is the string \"tanh\", not an index");
  expect(tt::encode(consumer::space, p) == a, "encode gives the assignment back");

  // An assignment read back from storage that does not fit is rejected, naming the parameter.
  tt::assignment bad = a;
  bad.values[2] = std::int64_t{80};
  try {
    (void)tt::decode<consumer::params>(consumer::space, bad);
    expect(false, "an off-step value is rejected");
  } catch (const tt::assignment_error& e) {
    expect(std::string(e.what()).find("hidden[0].units") != std::string::npos, "the error names hidden[0].units");
  }

  if (failures != 0) return 1;
  std::cout << "consumer: ok\n";
  return 0;
}
