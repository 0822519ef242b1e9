// The regression MLP space of the RandomizedSearchCV tutorial, read through the struct-free
// typed record params_of<space>.
#include <iostream>

#include "example_support.hpp"
#include "regression_space.hpp"

namespace {
using namespace housing_regression;
static_assert(tt::fits<regression_params>(space));
using quick_params = tt::params_of<space>;  // no struct needed for a quick experiment
static_assert(std::is_same_v<decltype(quick_params{}.get<"layer_size">()), const int&> ||
              std::is_same_v<decltype(quick_params{}.get<"layer_size">()), int&>);
}  // namespace

int main() {
  const auto desc = tt::describe(space);
  examples::print_description("Regression MLP", desc);
  tt::assignment a{{std::int64_t{2}, std::int64_t{30}, 3e-3}};
  const auto p = tt::decode<quick_params>(space, a);
  std::cout << "hidden_layers=" << p.get<"hidden_layers">() << " layer_size=" << p.get<"layer_size">()
            << " learning_rate=" << p.get<"learning_rate">() << '\n';
  return p.get<"layer_size">() == 30 ? 0 : 1;
}
