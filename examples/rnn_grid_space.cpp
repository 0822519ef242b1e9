// The RNN grid: a fully finite space, whose grid size is a compile-time constant.
#include <iostream>

#include "example_support.hpp"
#include "rnn_space.hpp"

namespace {
using namespace sequence_rnn;
static_assert(tt::fits<rnn_params>(space));
static_assert(tt::require_grid(space));
inline constexpr auto grid = tt::grid_size(space);
static_assert(grid == 3 * 3 * 3 * 3 * 3 * 3 * 3);
}  // namespace

int main() {
  const auto desc = tt::describe(space);
  examples::print_description("RNN grid", desc);
  std::cout << "grid size (compile time): " << grid << ", from the runtime description: " << *desc.grid_size() << '\n';
  return desc.grid_size() == grid ? 0 : 1;
}
