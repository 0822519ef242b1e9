// Spaces with nesting both ways (a branch inside a repeat, a repeat inside a branch), enums,
// booleans and defaults, shared by the unit tests.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <typetune/spaces.hpp>

namespace nested {
namespace tt = typetune;

enum class activation { relu = 3, tanh = 7 };

struct relu_act {};
struct leaky_act {
  double slope;
};
struct layer {
  int units;
  std::variant<relu_act, leaky_act> act;  // a branch inside a repeat
};
struct plain {};
struct stacked {
  std::vector<layer> layers;  // a repeat inside a branch
  bool batch_norm;
};
struct net_params {
  std::variant<plain, stacked> body;
  activation head;
  std::string name;
  long seed_block;
};

inline constexpr auto space = tt::space(
    tt::branch<"body">(
        tt::option<"plain", plain>(),
        tt::option<"stacked", stacked>(
            tt::repeat<"layers">(tt::count(0, 2),
                                 tt::int_<"units">(8, 64, tt::log),
                                 tt::branch<"act">(tt::option<"relu", relu_act>(),
                                                   tt::option<"leaky", leaky_act>(tt::real<"slope">(0.01, 0.3)))),
            tt::boolean<"batch_norm">())),
    tt::choice<"head">(activation::relu, activation::tanh).with_default(activation::tanh),
    tt::constant<"name">("net"),
    tt::int_<"seed_block", long>(0, 1000, tt::step{100}));

}  // namespace nested

BOOST_HANA_ADAPT_STRUCT(nested::leaky_act, slope);
BOOST_HANA_ADAPT_STRUCT(nested::layer, units, act);
BOOST_HANA_ADAPT_STRUCT(nested::stacked, layers, batch_norm);
BOOST_HANA_ADAPT_STRUCT(nested::net_params, body, head, name, seed_block);
