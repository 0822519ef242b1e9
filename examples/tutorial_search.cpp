// The main job until LibTorch trials land: describe the tutorials' search spaces and search
// them with the engine's samplers. The objective is a synthetic stand-in for training (a smooth
// function of the typed parameters with a known best), so the run shows the whole path from
// a typed space to a typed best configuration without a GPU or a data set.
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <string>
#include <variant>

#include <typetune/study.hpp>

#include "cnn_space.hpp"
#include "mlp_space.hpp"
#include "regression_space.hpp"
#include "rnn_space.hpp"

namespace {
namespace tt = typetune;

// [mlp objective]
// Stand-in for "validation loss of the trained MLP": best near dense_bot 250, two layers of
// 75 units, a little dropout, adam at 1e-3.
double mlp_loss(const fashion_mlp::mlp_params& p) {
  double loss = 0.30 + std::pow((p.dense_bot - 250) / 300.0, 2);
  for (const auto& layer : p.hidden) loss += std::pow((layer.units - 75) / 100.0, 2) + std::pow(layer.dropout - 0.1, 2);
  loss += 0.05 * std::abs(static_cast<double>(p.hidden.size()) - 2);
  loss += std::visit(
      [](const auto& opt) {
        const double off = std::log10(opt.learning_rate) + 3;
        return std::is_same_v<std::decay_t<decltype(opt)>, fashion_mlp::sgd> ? 0.02 + 0.03 * off * off : 0.03 * off * off;
      },
      p.optimizer);
  return loss;
}
// [mlp objective]

double cnn_loss(const fashion_cnn::cnn_params& p) {
  double loss = 0.25 + std::pow((p.dense_units - 100) / 150.0, 2);
  for (const auto& block : p.conv)
    loss += (block.filters == 64 ? 0.0 : 0.02) + (block.padding == "same" ? 0.0 : 0.01) + std::pow(block.dropout - 0.25, 2);
  loss -= 0.03 * static_cast<double>(p.conv.size());
  if (const auto* a = std::get_if<fashion_cnn::adam>(&p.optimizer)) loss += 0.02 * std::pow(std::log10(a->learning_rate) + 3, 2);
  if (const auto* s = std::get_if<fashion_cnn::sgd>(&p.optimizer))
    loss += 0.01 + 0.02 * std::pow(std::log10(s->learning_rate) + 1.5, 2) + std::pow(s->momentum - 0.9, 2);
  return loss;
}

double rnn_loss(const sequence_rnn::rnn_params& p) {
  return 0.4 + 0.01 * std::abs(p.layers - 5) + 0.02 * std::abs(std::log2(p.units) - 5) +
         0.05 * std::abs(std::log10(p.learning_rate) + 2.5) + (p.decay > 0 ? 0.0 : 0.01) + std::pow(p.dropout - 0.1, 2) +
         (p.batch_size == 32 ? 0.0 : 0.005);
}

double regression_mse(const housing_regression::regression_params& p) {
  return 0.3 + 0.02 * std::abs(p.hidden_layers - 2) + std::pow((p.layer_size - 60) / 100.0, 2) +
         0.05 * std::pow(std::log10(p.learning_rate) + 2.5, 2);
}

template <class Space, class Params, class Sampler>
int search(const char* title, const Space& space, double (*objective)(const Params&), Sampler sampler,
           std::uint64_t trials, const char* sampler_name, bool log_each_trial = false) {
  // [study]
  auto study = log_each_trial ? tt::study(space, tt::minimize{"val_loss"}, sampler, tt::log_trials{std::cout})
                              : tt::study(space, tt::minimize{"val_loss"}, sampler);
  std::cout << "== " << title << " ==\n" << study.description().to_text();
  const auto start = std::chrono::steady_clock::now();
  const auto summary = study.optimize(
      [objective](tt::trial<Params>& t) { return tt::result{"val_loss", objective(t.params())}; },
      tt::budget{.trials = trials, .workers = 2});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto best = study.best();
  const Params params = best.params;  // typed, not a map of strings
  // [study]
  std::cout << sampler_name << ": " << summary.trials_started << " trials" << (summary.exhausted ? " (space exhausted)" : "")
            << " in " << seconds * 1000 << " ms; best val_loss " << best.value << " at trial " << best.number << ":\n  "
            << study.description().format(best.params.raw()) << "\n\n";
  return std::abs(objective(params) - best.value) < 1e-12 ? 0 : 1;  // the typed params give the recorded value
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const std::uint64_t n = quick ? 30 : 100;
  std::cout << "Objectives here are synthetic stand-ins for training; the search, the spaces and the typed\n"
               "parameters are real.\n\n";
  int failures = 0;
  failures += search("Fashion-MNIST MLP", fashion_mlp::space, mlp_loss, tt::tpe{.seed = 1}, n, "TPE", true);
  failures += search("Fashion-MNIST CNN", fashion_cnn::space, cnn_loss, tt::gp{.seed = 1}, quick ? 20 : 40, "GP");
  failures += search("RNN grid", sequence_rnn::space, rnn_loss, tt::grid{}, 1000, "grid");
  failures += search("Regression MLP", housing_regression::space, regression_mse, tt::random{.seed = 1}, n, "random");
  return failures;
}
