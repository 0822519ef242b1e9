// Hyperband on the Fashion-MNIST MLP space: the plan (brackets, configurations and epochs per
// rung, total budget) is printed before anything runs, then the run is held against it. The
// objective is a synthetic stand-in for "validation loss after r epochs" until LibTorch trials
// land: it falls with the epochs trained, towards a floor set by the configuration.
#include <cmath>
#include <cstring>
#include <iostream>

#include <typetune/engine/hyperband.hpp>
#include <typetune/study.hpp>

#include "mlp_space.hpp"

namespace tt = typetune;

namespace {
double loss_after(const fashion_mlp::mlp_params& p, std::int64_t epochs) {
  const double floor = 0.3 + std::pow((p.dense_bot - 250) / 300.0, 2) + 0.05 * std::abs(double(p.hidden.size()) - 2);
  return floor + 1.0 / (1.0 + static_cast<double>(epochs));
}
}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  // [plan]
  const auto plan = tt::plan_hyperband({.min_resource = 1, .max_resource = quick ? 27 : 81, .reduction_factor = 3});
  std::cout << plan.to_text() << '\n';
  // [plan]

  tt::study_core study(tt::describe(fashion_mlp::space), tt::make_random_sampler(), {.metric = "val_loss", .seed = 7});
  const auto report = tt::run_schedule(
      study,
      [](tt::trial_context& t) {
        const auto params = tt::decode<fashion_mlp::mlp_params>(fashion_mlp::space, t.params());
        return tt::outcome("val_loss", loss_after(params, *t.resource()));
      },
      plan, 2);
  const auto best = study.best_trial();
  std::cout << "ran " << report.total_configs() << " configurations for " << report.total_resource() << ' '
            << plan.options.unit << " (planned " << plan.total_configs() << " for " << plan.total_resource()
            << "); the run " << (report.matches(plan) ? "matches" : "does NOT match") << " the plan\n"
            << "best: trial " << best->number << " val_loss " << *best->value << ": "
            << study.space().format(best->params) << '\n';
  return report.matches(plan) ? 0 : 1;
}
