// Several objectives and a constraint, as a model meant for deployment is tuned: accuracy against
// size under a latency budget. The objective returns its values by name; the study's Pareto
// front holds the feasible trials that no other beats on both objectives, typed as the struct.
// Training is a stand-in (a formula of the parameters), so that the program runs in a moment.
#include <cmath>
#include <iostream>
#include <string_view>

#include <typetune/typetune.hpp>

namespace deployment_front {

namespace tt = typetune;

struct mlp_params {
  int units;
  int layers;
  double dropout;
};
TYPETUNE_REFLECT(mlp_params, units, layers, dropout);

inline constexpr auto space = tt::space(tt::int_<"units">(32, 1024, tt::log), tt::int_<"layers">(1, 4),
                                        tt::real<"dropout">(0.0, 0.5));

struct fitted {
  double accuracy;
  double weights;
  double latency_ms;
};

// A stand-in for training and timing a 784-input, 10-class MLP: wider and deeper is more
// accurate with diminishing returns, a little dropout helps, and latency follows the weights.
fitted train(const mlp_params& p) {
  const double weights = 784.0 * p.units + (p.layers - 1) * double(p.units) * p.units + 10.0 * p.units;
  const double capacity = std::log2(double(p.units)) + 0.8 * (p.layers - 1);
  const double accuracy = 0.92 - 0.25 * std::exp(-capacity / 3.0) - 0.04 * std::abs(p.dropout - 0.15);
  return {accuracy, weights, weights / 2.0e5};
}

int run(bool quick) {
  // [front]
  auto study = tt::study(space, tt::maximize{"val_accuracy"}, tt::minimize{"parameters"},
                         tt::constraint{.metric = "latency_ms", .max = 5}, tt::params<mlp_params>{});
  study.optimize(
      [](const mlp_params& p) {
        const auto fit = train(p);
        return tt::result{{"val_accuracy", fit.accuracy}, {"parameters", fit.weights}, {"latency_ms", fit.latency_ms}};
      },
      tt::budget{.trials = quick ? 60U : 300U});
  for (const auto& f : study.pareto_front())  // f.params is an mlp_params, f.values {accuracy, weights}
    std::cout << "trial " << f.number << ": accuracy " << f.values[0] << ", " << f.values[1] << " weights, "
              << f.metrics.at("latency_ms") << " ms: " << f.params << '\n';
  // [front]
  const auto front = study.pareto_front();
  bool feasible = !front.empty();
  for (const auto& f : front) feasible = feasible && f.metrics.at("latency_ms") <= 5;
  return feasible ? 0 : 1;
}

}  // namespace deployment_front

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::string_view(argv[1]) == "--quick";
  return deployment_front::run(quick);
}
