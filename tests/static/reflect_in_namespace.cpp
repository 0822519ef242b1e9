// TYPETUNE_REFLECT written in the struct's own (nested) namespace, beside structs reflected at
// global scope: both are found, checked against a space and decoded.
#include <cstdint>
#include <type_traits>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "typetune/spaces.hpp"

namespace tt = typetune;

namespace app::model {

struct adam {
  double learning_rate;
};
TYPETUNE_REFLECT(adam, learning_rate);

struct sgd {
  double learning_rate;
  double momentum;
};
TYPETUNE_REFLECT(sgd, learning_rate, momentum);

struct layer {
  int units;
};
TYPETUNE_REFLECT(layer, units);

struct params {
  int width;
  std::vector<layer> layers;
  std::variant<adam, sgd> optimizer;
};
TYPETUNE_REFLECT(params, width, layers, optimizer);

inline constexpr auto space = tt::space(
    tt::int_<"width">(8, 64, tt::step{8}),
    tt::repeat<"layers">(tt::count(1, 2), tt::int_<"units">(16, 32, tt::step{16})),
    tt::branch<"optimizer">(tt::option<"adam", adam>(tt::real<"learning_rate">(1e-4, 1e-2, tt::log)),
                            tt::option<"sgd", sgd>(tt::real<"learning_rate">(1e-3, 1e-1, tt::log),
                                                   tt::real<"momentum">(0.5, 0.99))));

static_assert(tt::detail::is_reflected<params>);
static_assert(tt::detail::field_count<params> == 3);
static_assert(tt::detail::field_names<sgd>[1] == "momentum");
static_assert(tt::fits<params>(space));

// A struct reflected at global scope from outside its namespace, as before.
struct mixed {
  int width;
};

}  // namespace app::model

TYPETUNE_REFLECT(app::model::mixed, width);

namespace app::model {
static_assert(tt::fits<mixed>(tt::space(tt::int_<"width">(1, 2))));
}  // namespace app::model

TEST_CASE("TYPETUNE_REFLECT in the struct's own nested namespace: checked, decoded, encoded") {
  using i64 = std::int64_t;
  // width=24, two layers (16, 32), sgd(0.01, 0.9)
  const tt::assignment a{{i64{24}, i64{2}, i64{16}, i64{32}, i64{1}, {}, 0.01, 0.9}};
  const auto p = tt::decode<app::model::params>(app::model::space, a);
  CHECK(p.width == 24);
  REQUIRE(p.layers.size() == 2);
  CHECK(p.layers[1].units == 32);
  REQUIRE(std::holds_alternative<app::model::sgd>(p.optimizer));
  CHECK(std::get<app::model::sgd>(p.optimizer).momentum == 0.9);
  CHECK(tt::encode(app::model::space, p) == a);
}
