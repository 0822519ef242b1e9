// Hyperband on the Fashion-MNIST MLP space through tt::study: the plan (brackets, configurations
// and epochs per rung, total budget) is computed when the study is made and printed before
// anything runs, then the run is held against it. The objective is a synthetic stand-in for
// "validation loss after r epochs" until LibTorch trials land: it falls with the epochs trained,
// towards a floor set by the configuration.
#include <cmath>
#include <cstring>
#include <iostream>

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
  auto study = tt::study(fashion_mlp::space, tt::params<fashion_mlp::mlp_params>{}, tt::minimize{"val_loss"},
                         tt::random{.seed = 7},
                         tt::hyperband{.min_resource = 1, .max_resource = quick ? 27 : 81, .reduction_factor = 3});
  const auto& plan = *study.schedule_plan();
  std::cout << plan.to_text() << '\n';
  // [plan]

  // The objective trains up to t.resource() epochs; t.resumed_from() is what this trial's
  // previous rung already trained, for objectives that resume from a checkpoint.
  const auto summary = study.optimize(
      [](tt::trial<fashion_mlp::mlp_params>& t) {
        t.set_metric("epochs", static_cast<double>(*t.resource() - t.resumed_from()));
        return tt::result{"val_loss", loss_after(t.params(), *t.resource())};
      },
      tt::budget{.workers = 2});
  const auto& report = *study.schedule_report();
  const auto best = study.best();
  std::cout << "ran " << report.total_configs() << " configurations for " << report.total_resource() << ' '
            << plan.options.unit << " (planned " << plan.total_configs() << " for " << plan.total_resource()
            << "); the run " << (report.matches(plan) ? "matches" : "does NOT match") << " the plan\n"
            << "best: trial " << best.number << " val_loss " << best.value << ": dense_bot "
            << best.params.dense_bot << ", " << best.params.hidden.size() << " hidden layers\n"
            << summary.failures_text();
  return report.matches(plan) && summary.failures.empty() ? 0 : 1;
}
