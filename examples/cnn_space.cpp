// The Fashion-MNIST CNN space: conv blocks as a repeat, a quantized dropout, and an optimizer
// branch whose learning-rate range differs per optimizer.
#include <iostream>

#include "cnn_space.hpp"
#include "example_support.hpp"

namespace {
using namespace fashion_cnn;
static_assert(tt::fits<cnn_params>(space));
static_assert(!tt::is_finite_v<decltype(space)>);  // learning rates and momentum are continuous
}  // namespace

int main() {
  const auto desc = tt::describe(space);
  examples::print_description("Fashion-MNIST CNN", desc);
  const auto a = examples::lowest_assignment(desc);
  const auto p = tt::decode<cnn_params>(space, a);
  std::cout << "lowest configuration: " << desc.format(a) << '\n'
            << "conv blocks " << p.conv.size() << ", first padding '" << p.conv.front().padding << "', dense "
            << p.dense_units << ", adam lr " << std::get<adam>(p.optimizer).learning_rate << '\n';
  return p.dense_units == 100 ? 0 : 1;  // the declared default, not the lowest value
}
