// A second space of the team's: a CNN whose builder also takes fitting options, declared here
// without LibTorch as in mlp_space.hpp.
#pragma once

#include <string>
#include <vector>

#include <typetune/spaces.hpp>

namespace team {
namespace tt = typetune;

struct conv_block {
  int filters;
  std::string padding;
};
struct cnn_params {
  std::vector<conv_block> conv;
  int dense_units;
  bool batch_norm;
};

inline constexpr auto cnn_space = tt::space(
    tt::repeat<"conv">(tt::count(1, 3), tt::choice<"filters">(32, 64), tt::choice<"padding">("valid", "same")),
    tt::int_<"dense_units">(25, 150, tt::step{25}).with_default(100), tt::boolean<"batch_norm">());

class cnn_model;
struct fit_settings;
cnn_model build_cnn(const cnn_params& p, fit_settings& fit);
}  // namespace team

TYPETUNE_REFLECT(team::conv_block, filters, padding);
TYPETUNE_REFLECT(team::cnn_params, conv, dense_units, batch_norm);

static_assert(typetune::fits(team::cnn_space, team::build_cnn));
static_assert(typetune::grid_size(team::cnn_space) == (4 + 16 + 64) * 6 * 2);
