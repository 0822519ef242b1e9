// The trainer: each optimizer and its options, learning-rate schedules, loss kinds and
// evaluation, early stopping and restoring the best weights, divergence, resuming, determinism,
// per-epoch reports into a study's trials, out-of-memory errors and memory over many fits;
// the fused optimizer steps against LibTorch's and typetune's dropout ("[kernels]": CTest runs
// these again with ATEN_CPU_CAPABILITY=avx2 and =default, so each instruction set is checked).
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "torch/cpu_kernels.hpp"
#include "torch/fused_optimizers.hpp"
#include "torch/openblas.hpp"
#include "typetune/engine/errors.hpp"
#include "typetune/engine/median_pruner.hpp"
#include "typetune/engine/pruner.hpp"
#include "typetune/engine/random_sampler.hpp"
#include "typetune/engine/study_core.hpp"
#include "typetune/torch/data.hpp"
#include "typetune/torch/dropout.hpp"
#include "typetune/torch/trainer.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define TYPETUNE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TYPETUNE_TEST_ASAN 1
#endif
#endif

namespace tt = typetune::torch;
namespace nn = torch::nn;

namespace {

// n samples of `classes` Gaussian blobs (standard deviation 0.4) on a circle of radius 3: far
// apart enough that a linear model separates them almost perfectly.
tt::tensor_dataset blobs(std::int64_t n, std::int64_t classes, std::uint64_t seed) {
  torch::manual_seed(seed);
  const auto y = torch::arange(n, torch::kLong).remainder(classes);
  const auto angle = y.to(torch::kFloat) * (2 * M_PI / static_cast<double>(classes));
  const auto centres = torch::stack({angle.cos(), angle.sin()}, 1) * 3;
  return {centres + 0.4 * torch::randn({n, 2}), y};
}

// y = x A + b with x ~ N(0, 1) in 3 dimensions and 2 outputs, no noise.
tt::tensor_dataset linear_targets(std::int64_t n, std::uint64_t seed) {
  torch::manual_seed(seed);
  const auto a = torch::tensor({{1.0F, -2.0F}, {0.5F, 0.0F}, {-1.0F, 3.0F}});
  const auto b = torch::tensor({0.5F, -1.0F});
  const auto x = torch::randn({n, 3});
  return {x, torch::matmul(x, a) + b};
}

nn::Sequential mlp(std::int64_t in, std::int64_t hidden, std::int64_t out, std::uint64_t seed) {
  torch::manual_seed(seed);
  return nn::Sequential(nn::Linear(in, hidden), nn::ReLU(), nn::Linear(hidden, out));
}

nn::Linear linear(std::int64_t in, std::int64_t out, std::uint64_t seed) {
  torch::manual_seed(seed);
  return nn::Linear(in, out);
}

tt::fit_options options(std::int64_t epochs, tt::optimizer_spec optimizer = tt::adam{.learning_rate = 1e-2}) {
  tt::fit_options o;
  o.epochs = epochs;
  o.batch_size = 16;
  o.optimizer = optimizer;
  return o;
}

tt::fit_options regression(std::int64_t epochs, tt::optimizer_spec optimizer, tt::loss_kind loss = tt::loss_kind::mse) {
  auto o = options(epochs, optimizer);
  o.loss = loss;
  return o;
}

std::vector<torch::Tensor> weights(const tt::model_ref& model) {
  std::vector<torch::Tensor> copy;
  for (const auto& p : model.module().parameters()) copy.push_back(p.detach().clone());
  return copy;
}

bool same_weights(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}

std::vector<double> metric_per_epoch(const tt::history& h, const std::string& metric) {
  std::vector<double> values;
  for (const auto& e : h.epochs) values.push_back(e.metrics.at(metric));
  return values;
}

// One weight w (initially 0), one sample x = 1, y = 1, mean squared error: the gradient of the
// first step is 2 (w - 1) = -2, so each optimizer's first steps can be computed by hand.
nn::Linear scalar_model() {
  auto model = nn::Linear(nn::LinearOptions(1, 1).bias(false));
  torch::NoGradGuard no_grad;
  model->weight.zero_();
  return model;
}

double train_scalar(const tt::optimizer_spec& optimizer, std::int64_t epochs) {
  auto model = scalar_model();
  tt::trainer t(model, regression(epochs, optimizer));
  t.fit({torch::ones({1, 1}), torch::ones({1, 1})});
  return model->weight.item<double>();
}

// A study over one (unused) real parameter, so that trials have something to be asked for.
typetune::space_desc one_parameter_space() {
  typetune::param_desc p;
  p.path = "learning_rate";
  p.name = "learning_rate";
  p.kind = typetune::param_kind::real;
  p.type = typetune::value_type::real;
  p.low = 1e-3;
  p.high = 1e-1;
  p.log = true;
  typetune::space_desc s;
  s.params.push_back(p);
  return s;
}

class always_prune final : public typetune::pruner {
 public:
  bool should_prune(const typetune::study_view&, const typetune::trial_record&) override { return true; }
  std::string_view name() const override { return "always"; }
};

// A module whose forward pass asks for 4 TiB of floats: the CPU allocator fails at once.
struct greedyImpl : nn::Module {
  greedyImpl() : fc(register_module("fc", nn::Linear(2, 2))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    const auto huge = torch::empty({std::int64_t{1} << 40});
    return fc->forward(x) + huge.sum();
  }
  nn::Linear fc;
};
TORCH_MODULE(greedy);

// A custom module with two layers, held through TORCH_MODULE or a shared_ptr.
struct two_layerImpl : nn::Module {
  two_layerImpl() : a(register_module("a", nn::Linear(2, 8))), b(register_module("b", nn::Linear(8, 3))) {}
  torch::Tensor forward(const torch::Tensor& x) { return b->forward(torch::relu(a->forward(x))); }
  nn::Linear a;
  nn::Linear b;
};
TORCH_MODULE(two_layer);

// Resident set size in bytes, from /proc/self/statm.
[[maybe_unused]] std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0;
  std::int64_t resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

TEST_CASE("adam trains a separable 3-class problem to high accuracy", "[trainer]") {
  const auto train = blobs(300, 3, 1);
  const auto val = blobs(150, 3, 2);
  auto model = mlp(2, 16, 3, 3);
  tt::trainer t(model, options(10));
  const auto& h = t.fit(train, val);
  CHECK(h.end == tt::fit_end::completed);
  CHECK(h.epochs_trained() == 10);
  CHECK(h.last("val_accuracy") > 0.97);
  CHECK(h.last("accuracy") > 0.95);
  CHECK(h.last("val_loss") < h.epochs.front().metrics.at("val_loss"));
}

TEST_CASE("sgd with momentum and nesterov trains a separable problem to high accuracy", "[trainer]") {
  const auto train = blobs(300, 2, 4);
  const auto val = blobs(150, 2, 5);
  auto model = mlp(2, 16, 2, 6);
  tt::trainer t(model,
                options(8, tt::sgd{.learning_rate = 0.05, .momentum = 0.9, .nesterov = true, .weight_decay = 0}));
  const auto& h = t.fit(train, val);
  CHECK(h.last("val_accuracy") > 0.97);
}

TEST_CASE("rmsprop with momentum trains a separable problem to high accuracy", "[trainer]") {
  const auto train = blobs(300, 3, 7);
  const auto val = blobs(150, 3, 8);
  auto model = mlp(2, 16, 3, 9);
  tt::trainer t(model,
                options(8, tt::rmsprop{.learning_rate = 1e-3, .alpha = 0.99, .momentum = 0.9, .weight_decay = 0}));
  const auto& h = t.fit(train, val);
  CHECK(h.last("val_accuracy") > 0.97);
}

TEST_CASE("the optimizers take their learning rate and options from the spec", "[trainer]") {
  // SGD: w1 = 0 - 0.1 * -2 = 0.2; then g = 2 (0.2 - 1) = -1.6.
  CHECK(train_scalar(tt::sgd{.learning_rate = 0.1, .momentum = 0, .nesterov = false, .weight_decay = 0}, 1) ==
        Approx(0.2).epsilon(1e-6));
  CHECK(train_scalar(tt::sgd{.learning_rate = 0.1, .momentum = 0, .nesterov = false, .weight_decay = 0}, 2) ==
        Approx(0.36).epsilon(1e-6));
  // Momentum 0.9: buffer -2, then 0.9 * -2 - 1.6 = -3.4: w2 = 0.2 + 0.34.
  CHECK(train_scalar(tt::sgd{.learning_rate = 0.1, .momentum = 0.9, .nesterov = false, .weight_decay = 0}, 2) ==
        Approx(0.54).epsilon(1e-6));
  // Nesterov: the step is g + 0.9 * buffer = -2 - 1.8.
  CHECK(train_scalar(tt::sgd{.learning_rate = 0.1, .momentum = 0.9, .nesterov = true, .weight_decay = 0}, 1) ==
        Approx(0.38).epsilon(1e-6));
  // Weight decay adds wd * w to the gradient: second step g = -1.6 + 0.5 * 0.2.
  CHECK(train_scalar(tt::sgd{.learning_rate = 0.1, .momentum = 0, .nesterov = false, .weight_decay = 0.5}, 2) ==
        Approx(0.35).epsilon(1e-6));
  // Adam's first step moves by the learning rate whatever the gradient's size.
  CHECK(train_scalar(tt::adam{.learning_rate = 0.05, .beta1 = 0.9, .beta2 = 0.999, .weight_decay = 0}, 1) ==
        Approx(0.05).epsilon(1e-5));
  // RMSprop: v = (1 - alpha) g^2; w1 = lr * 2 / sqrt(v).
  CHECK(train_scalar(tt::rmsprop{.learning_rate = 0.1, .alpha = 0.99, .momentum = 0, .weight_decay = 0}, 1) ==
        Approx(0.1 * 2 / std::sqrt(0.01 * 4)).epsilon(1e-5));
  CHECK(train_scalar(tt::rmsprop{.learning_rate = 0.1, .alpha = 0.9, .momentum = 0, .weight_decay = 0}, 1) ==
        Approx(0.1 * 2 / std::sqrt(0.1 * 4)).epsilon(1e-5));
}

TEST_CASE("adamw decays the weights apart from the gradient's moments", "[trainer]") {
  const double lr = 0.05;
  const double wd = 0.5;
  // Without decay AdamW is Adam.
  CHECK(train_scalar(tt::adamw{.learning_rate = lr, .weight_decay = 0}, 2) ==
        Approx(train_scalar(tt::adam{.learning_rate = lr}, 2)).epsilon(1e-6));
  // The first step starts from w = 0, where decay does nothing; the second shrinks w1 by
  // lr * wd * w1 before the same Adam step (the moments never see the decay).
  const double w1 = train_scalar(tt::adam{.learning_rate = lr}, 1);
  CHECK(train_scalar(tt::adamw{.learning_rate = lr, .weight_decay = wd}, 1) == Approx(w1).epsilon(1e-6));
  CHECK(train_scalar(tt::adamw{.learning_rate = lr, .weight_decay = wd}, 2) ==
        Approx(train_scalar(tt::adam{.learning_rate = lr}, 2) - lr * wd * w1).epsilon(1e-6));
  // Adam's coupled L2 decay goes through the moments, and lands elsewhere.
  CHECK(train_scalar(tt::adam{.learning_rate = lr, .weight_decay = wd}, 2) !=
        Approx(train_scalar(tt::adamw{.learning_rate = lr, .weight_decay = wd}, 2)).epsilon(1e-4));
  auto model = linear(2, 2, 10);
  CHECK_THROWS_WITH(tt::trainer(model, options(1, tt::adamw{.learning_rate = 1e-3, .weight_decay = -1})),
                    Catch::Contains("weight decay"));
}

TEST_CASE("clip_grad_norm bounds the gradient's norm before each step", "[trainer]") {
  // w = 0, target 1: the MSE gradient is -2. SGD at 0.1 moves w by 0.2 unclipped, by 0.05 when
  // the norm is clipped to 0.5; a bound above the norm changes nothing.
  const auto trained = [](std::optional<double> clip) {
    auto model = scalar_model();
    auto o = regression(1, tt::sgd{.learning_rate = 0.1});
    o.clip_grad_norm = clip;
    tt::trainer t(model, o);
    t.fit({torch::ones({1, 1}), torch::ones({1, 1})});
    return model->weight.item<double>();
  };
  CHECK(trained(std::nullopt) == Approx(0.2).epsilon(1e-6));
  CHECK(trained(0.5) == Approx(0.05).epsilon(1e-6));
  CHECK(trained(10.0) == Approx(0.2).epsilon(1e-6));
  auto model = scalar_model();
  auto o = regression(1, tt::sgd{.learning_rate = 0.1});
  o.clip_grad_norm = 0.0;
  CHECK_THROWS_WITH(tt::trainer(model, o), Catch::Contains("clip_grad_norm"));
}

TEST_CASE("label smoothing changes the training loss only, validation measures the plain cross-entropy", "[trainer]") {
  const auto data = blobs(64, 4, 21);
  auto model = mlp(2, 8, 4, 22);
  const double s = 0.2;
  // The smoothed cross-entropy of the untrained model, by hand: -(1 - s) log p_y - s/K sum_k log p_k.
  double expected = 0;
  {
    torch::NoGradGuard no_grad;
    const auto logp = torch::log_softmax(model->forward(data.x()), 1);
    const auto true_class = logp.gather(1, data.y().unsqueeze(1)).squeeze(1);
    expected = (-(1 - s) * true_class - s / 4.0 * logp.sum(1)).mean().item<double>();
  }
  auto o = options(1);
  o.batch_size = 64;  // one batch: the epoch's training loss is the untrained model's
  o.shuffle = false;
  o.label_smoothing = s;
  tt::trainer t(model, o);
  const auto& h = t.fit(data, data);
  CHECK(h.last("loss") == Approx(expected).epsilon(1e-5));
  // After the step, validation and evaluate() agree on the unsmoothed loss.
  CHECK(h.last("val_loss") ==
        Approx(tt::evaluate(t.model(), data, tt::loss_kind::cross_entropy).at("loss")).epsilon(1e-6));

  o.label_smoothing = 1.0;
  CHECK_THROWS_WITH(tt::trainer(model, o), Catch::Contains("label_smoothing"));
  o.label_smoothing = -0.1;
  CHECK_THROWS_WITH(tt::trainer(model, o), Catch::Contains("label_smoothing"));
  o.label_smoothing = 0.1;
  o.loss = tt::loss_kind::mse;
  CHECK_THROWS_WITH(tt::trainer(model, o), Catch::Contains("cross-entropy"));
}

TEST_CASE("compare_classifiers pairs two models' right answers on the same samples", "[trainer][paired]") {
  // One-hot inputs of 3 classes, 30 samples each: an identity layer gets all 90 right, a layer
  // that always answers class 0 gets its 30.
  const auto y = torch::arange(90, torch::kLong).remainder(3);
  const auto x = torch::one_hot(y, 3).to(torch::kFloat);
  auto right = nn::Linear(nn::LinearOptions(3, 3).bias(false));
  auto zero = nn::Linear(nn::LinearOptions(3, 3).bias(false));
  {
    torch::NoGradGuard no_grad;
    right->weight.copy_(torch::eye(3));
    zero->weight.zero_();
    zero->weight[0].fill_(1);
  }
  const auto c = tt::compare_classifiers(right, zero, {x, y}, 7);
  CHECK(c.samples == 90);
  CHECK(c.accuracy_a == Approx(1.0));
  CHECK(c.accuracy_b == Approx(1.0 / 3));
  CHECK(c.only_a_right == 60);
  CHECK(c.only_b_right == 0);
  CHECK(c.difference == Approx(2.0 / 3));
  CHECK(c.ci_low > 0.5);
  CHECK(c.beyond_noise());
  const auto same = tt::compare_classifiers(right, right, {x, y}, 7);
  CHECK(same.difference == 0);
  CHECK_FALSE(same.beyond_noise());
  CHECK_THROWS_AS(tt::compare_classifiers(right, zero, {}), std::invalid_argument);
}

TEST_CASE("the trainer rejects impossible optimizer and fit options", "[trainer]") {
  auto model = linear(2, 2, 10);
  CHECK_THROWS_AS(tt::trainer(model, options(1, tt::adam{.learning_rate = 0})), std::invalid_argument);
  CHECK_THROWS_AS(tt::trainer(model, options(1, tt::sgd{.learning_rate = -1})), std::invalid_argument);
  CHECK_THROWS_AS(
      tt::trainer(model, options(1, tt::rmsprop{.learning_rate = std::numeric_limits<double>::quiet_NaN()})),
      std::invalid_argument);
  CHECK_THROWS_AS(tt::trainer(model, options(1, tt::sgd{.learning_rate = 0.1, .momentum = 0, .nesterov = true})),
                  std::invalid_argument);
  auto o = options(1);
  o.batch_size = 0;
  CHECK_THROWS_AS(tt::trainer(model, o), std::invalid_argument);
  o = options(1);
  o.early_stop = tt::early_stopping{};
  o.early_stop->patience = 0;
  CHECK_THROWS_AS(tt::trainer(model, o), std::invalid_argument);
  CHECK_THROWS_AS(tt::trainer(tt::model_ref{}, options(1)), std::invalid_argument);

  tt::trainer t(model, options(1));
  CHECK_THROWS_AS(t.fit({}), std::invalid_argument);
  o = options(1);
  o.objective = "val_accuracy";
  tt::trainer needs_validation(model, o);
  CHECK_THROWS_AS(needs_validation.fit(blobs(20, 2, 11)), std::invalid_argument);
}

TEST_CASE("step_lr decays the learning rate every step_size epochs", "[trainer][schedule]") {
  auto o = options(7, tt::sgd{.learning_rate = 0.1});
  o.schedule = tt::step_lr{.step_size = 2, .gamma = 0.5};
  auto model = linear(2, 2, 12);
  tt::trainer t(model, o);
  const auto& h = t.fit(blobs(64, 2, 13));
  REQUIRE(h.epochs.size() == 7);
  for (const auto& e : h.epochs) {
    INFO("epoch " << e.epoch);
    CHECK(e.learning_rate == Approx(0.1 * std::pow(0.5, static_cast<double>((e.epoch - 1) / 2))).epsilon(1e-12));
  }
  CHECK(h.epochs[0].learning_rate == Approx(0.1));
  CHECK(h.epochs[6].learning_rate == Approx(0.0125));
}

TEST_CASE("cosine_lr anneals from the base to the minimum over the period", "[trainer][schedule]") {
  const auto cosine = [](double base, double min, double epoch, double period) {
    return min + (base - min) * (1 + std::cos(M_PI * std::min(epoch, period) / period)) / 2;
  };
  SECTION("over the run's epochs") {
    auto o = options(6, tt::adam{.learning_rate = 0.02});
    o.schedule = tt::cosine_lr{.period = 0, .min_learning_rate = 0.002};
    auto model = linear(2, 2, 14);
    tt::trainer t(model, o);
    const auto& h = t.fit(blobs(64, 2, 15));
    REQUIRE(h.epochs.size() == 6);
    for (const auto& e : h.epochs) {
      INFO("epoch " << e.epoch);
      CHECK(e.learning_rate == Approx(cosine(0.02, 0.002, static_cast<double>(e.epoch - 1), 6)).epsilon(1e-12));
    }
  }
  SECTION("with a period shorter than the run it stays at the minimum") {
    auto o = options(6, tt::sgd{.learning_rate = 0.1});
    o.schedule = tt::cosine_lr{.period = 3, .min_learning_rate = 0.01};
    auto model = linear(2, 2, 16);
    tt::trainer t(model, o);
    const auto& h = t.fit(blobs(64, 2, 17));
    const std::vector<double> expected = {0.1, cosine(0.1, 0.01, 1, 3), cosine(0.1, 0.01, 2, 3), 0.01, 0.01, 0.01};
    for (std::size_t i = 0; i < expected.size(); ++i) {
      INFO("epoch " << i + 1);
      CHECK(h.epochs.at(i).learning_rate == Approx(expected[i]).epsilon(1e-12));
    }
  }
}

TEST_CASE("mse and mae regression converge on a linear target", "[trainer][regression]") {
  const auto train = linear_targets(256, 18);
  const auto val = linear_targets(128, 19);
  SECTION("mse") {
    auto model = linear(3, 2, 20);
    tt::trainer t(model, regression(30, tt::sgd{.learning_rate = 0.05}));
    const auto& h = t.fit(train, val);
    CHECK(h.epochs.front().metrics.at("val_mse") > 1);
    CHECK(h.last("val_mse") < 1e-4);
    CHECK(h.last("val_loss") == h.last("val_mse"));
    CHECK(h.last("mae") < 0.05);
  }
  SECTION("mae") {
    auto model = linear(3, 2, 21);
    tt::trainer t(model, regression(40, tt::adam{.learning_rate = 0.05}, tt::loss_kind::mae));
    const auto& h = t.fit(train, val);
    CHECK(h.epochs.front().metrics.at("val_mae") > 0.5);
    CHECK(h.last("val_mae") < 0.1);
    CHECK(h.last("val_loss") == h.last("val_mae"));
    CHECK(h.last("loss") == Approx(h.last("mae")).epsilon(1e-6));
  }
}

TEST_CASE("evaluate computes regression metrics as by hand", "[trainer][regression]") {
  auto model = nn::Linear(2, 1);
  {
    torch::NoGradGuard no_grad;
    model->weight.copy_(torch::tensor({{1.0F, -2.0F}}));
    model->bias.copy_(torch::tensor({0.5F}));
  }
  // Outputs 1.5, -1.5, -1.5, -6.5; errors 0.5, -1.5, -1.5, 0.5.
  const tt::tensor_dataset data(torch::tensor({{1.0F, 0.0F}, {0.0F, 1.0F}, {2.0F, 2.0F}, {-1.0F, 3.0F}}),
                                torch::tensor({{1.0F}, {0.0F}, {0.0F}, {-7.0F}}));
  for (const std::int64_t batch : {1, 3, 4096}) {
    INFO("eval batch " << batch);
    const auto mse = tt::evaluate(model, data, tt::loss_kind::mse, batch);
    CHECK(mse.at("mae") == Approx(1.0));
    CHECK(mse.at("mse") == Approx(1.25));
    CHECK(mse.at("loss") == Approx(1.25));
    CHECK(mse.count("accuracy") == 0);
    const auto mae = tt::evaluate(model, data, tt::loss_kind::mae, batch);
    CHECK(mae.at("loss") == Approx(1.0));
  }
  CHECK_THROWS_AS(tt::evaluate(model, tt::tensor_dataset{}, tt::loss_kind::mse), std::invalid_argument);
}

TEST_CASE("evaluate computes cross-entropy and accuracy as by hand", "[trainer]") {
  auto model = nn::Linear(2, 3);
  const std::vector<std::vector<double>> w = {{1, 0}, {0, 1}, {-1, -1}};
  const std::vector<double> b = {0, 0.5, 0};
  {
    torch::NoGradGuard no_grad;
    model->weight.copy_(torch::tensor({{1.0F, 0.0F}, {0.0F, 1.0F}, {-1.0F, -1.0F}}));
    model->bias.copy_(torch::tensor({0.0F, 0.5F, 0.0F}));
  }
  const std::vector<std::vector<double>> xs = {{2, 0}, {0, 2}, {-1, -1}, {1, 1}, {0.2, -0.3}};
  const std::vector<std::int64_t> ys = {0, 1, 2, 0, 2};
  double loss = 0;
  int correct = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    std::vector<double> logits(3);
    for (std::size_t k = 0; k < 3; ++k) logits[k] = w[k][0] * xs[i][0] + w[k][1] * xs[i][1] + b[k];
    double z = 0;
    for (const double l : logits) z += std::exp(l);
    loss -= logits[static_cast<std::size_t>(ys[i])] - std::log(z);
    std::size_t arg = 0;
    for (std::size_t k = 1; k < 3; ++k)
      if (logits[k] > logits[arg]) arg = k;
    correct += arg == static_cast<std::size_t>(ys[i]) ? 1 : 0;
  }
  REQUIRE(correct == 3);  // (1, 1) goes to class 1 and (0.2, -0.3) to class 1
  const tt::tensor_dataset data(
      torch::tensor({{2.0F, 0.0F}, {0.0F, 2.0F}, {-1.0F, -1.0F}, {1.0F, 1.0F}, {0.2F, -0.3F}}),
      torch::tensor({0L, 1L, 2L, 0L, 2L}));
  for (const std::int64_t batch : {2, 4096}) {
    INFO("eval batch " << batch);
    const auto m = tt::evaluate(model, data, tt::loss_kind::cross_entropy, batch);
    CHECK(m.at("loss") == Approx(loss / 5).epsilon(1e-5));
    CHECK(m.at("accuracy") == Approx(0.6));
  }
  CHECK(model->is_training());  // evaluate() puts the module back in training mode
}

TEST_CASE("early stopping ends after patience epochs without improvement and restores the best weights",
          "[trainer][early_stopping]") {
  const auto train = blobs(200, 3, 22);
  const auto val = blobs(100, 3, 23);
  auto o = options(20);
  o.early_stop = tt::early_stopping{.monitor = "val_loss", .patience = 3, .min_delta = 1e9, .restore_best = true};

  SECTION("restore_best") {
    auto model = mlp(2, 8, 3, 24);
    tt::trainer t(model, o);
    t.fit(train, val, nullptr, 1);
    const auto after_first = weights(model);
    const auto& h = t.fit(train, val);
    CHECK(h.end == tt::fit_end::early_stopped);
    CHECK(h.epochs_trained() == 4);  // the first epoch, then patience epochs without improvement
    CHECK(h.best_epoch == 1);
    CHECK(h.at_best("val_loss") == h.epochs.front().metrics.at("val_loss"));
    CHECK(h.last("val_loss") == h.epochs.back().metrics.at("val_loss"));
    CHECK(h.at_best("val_loss") != h.last("val_loss"));
    CHECK(same_weights(weights(model), after_first));
    CHECK(tt::evaluate(model, val, tt::loss_kind::cross_entropy).at("loss") ==
          Approx(h.at_best("val_loss")).epsilon(1e-9));
  }
  SECTION("without restore_best the last weights stay") {
    o.early_stop->restore_best = false;
    auto model = mlp(2, 8, 3, 24);
    tt::trainer t(model, o);
    t.fit(train, val, nullptr, 1);
    const auto after_first = weights(model);
    const auto& h = t.fit(train, val);
    CHECK(h.end == tt::fit_end::early_stopped);
    CHECK(h.epochs_trained() == 4);
    CHECK_FALSE(same_weights(weights(model), after_first));
    CHECK(tt::evaluate(model, val, tt::loss_kind::cross_entropy).at("loss") ==
          Approx(h.last("val_loss")).epsilon(1e-9));
  }
  SECTION("a maximised monitor that stops improving") {
    // Accuracy on well separated blobs reaches 1 and cannot improve on it.
    o.early_stop = tt::early_stopping{.monitor = "val_accuracy", .patience = 2, .min_delta = 0, .restore_best = true};
    auto model = mlp(2, 16, 3, 25);
    tt::trainer t(model, o);
    const auto& h = t.fit(train, val);
    CHECK(h.end == tt::fit_end::early_stopped);
    CHECK(h.epochs_trained() == h.best_epoch + 2);
    CHECK(h.at_best("val_accuracy") == 1.0);
    CHECK(tt::evaluate(model, val, tt::loss_kind::cross_entropy).at("loss") ==
          Approx(h.at_best("val_loss")).epsilon(1e-9));
  }
  SECTION("the training accuracy can be monitored") {
    o.early_stop = tt::early_stopping{.monitor = "accuracy", .patience = 2, .min_delta = 1e9, .restore_best = false};
    auto model = mlp(2, 16, 3, 26);
    tt::trainer t(model, o);
    const auto& h = t.fit(train);
    CHECK(h.end == tt::fit_end::early_stopped);
    CHECK(h.epochs_trained() == 3);
  }
  SECTION("an unknown monitor is named") {
    o.early_stop->monitor = "val_f1";
    auto model = mlp(2, 8, 3, 24);
    tt::trainer t(model, o);
    CHECK_THROWS_WITH(t.fit(train, val), Catch::Contains("val_f1"));
  }
}

TEST_CASE("a huge learning rate on regression ends the fit as diverged", "[trainer][regression]") {
  const auto train = linear_targets(128, 27);
  auto model = linear(3, 2, 28);
  tt::trainer t(model, regression(10, tt::sgd{.learning_rate = 1e10}));
  const auto& h = t.fit(train, linear_targets(64, 29));
  CHECK(h.end == tt::fit_end::diverged);
  CHECK(h.epochs_trained() < 10);
  CHECK_FALSE(std::isfinite(h.last("loss")));
  CHECK(tt::to_string(h.end) == "diverged");
}

TEST_CASE("history names an unknown metric in std::out_of_range", "[trainer]") {
  auto model = linear(2, 2, 30);
  tt::trainer t(model, options(2));
  const auto& h = t.fit(blobs(64, 2, 31), blobs(32, 2, 32));
  CHECK_NOTHROW(h.last("val_accuracy"));
  CHECK_NOTHROW(h.at_best("val_loss"));
  CHECK_THROWS_AS(h.last("val_mae"), std::out_of_range);
  CHECK_THROWS_WITH(h.last("val_mae"), Catch::Contains("val_mae"));
  CHECK_THROWS_AS(h.at_best("f1_score"), std::out_of_range);
  CHECK_THROWS_WITH(h.at_best("f1_score"), Catch::Contains("f1_score"));
  const tt::history empty;
  CHECK_THROWS_WITH(empty.last("loss"), Catch::Contains("loss"));
  CHECK_THROWS_AS(empty.at_best("loss"), std::out_of_range);
}

TEST_CASE("resuming a fit gives the same epochs and weights as one fit", "[trainer][resume]") {
  const auto train = blobs(200, 3, 33);
  const auto val = blobs(100, 3, 34);
  auto o = options(4);
  o.seed = 77;
  o.schedule = tt::cosine_lr{.period = 0, .min_learning_rate = 1e-4};

  auto resumed_model = mlp(2, 8, 3, 35);
  tt::trainer resumed(resumed_model, o);
  CHECK(resumed.fit(train, val, nullptr, 2).epochs_trained() == 2);
  const auto& h = resumed.fit(train, val, nullptr, 4);
  REQUIRE(h.epochs.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(h.epochs[i].epoch == static_cast<std::int64_t>(i) + 1);
  CHECK(&h == &resumed.progress());
  // Fitting to an epoch already reached trains nothing more.
  CHECK(resumed.fit(train, val, nullptr, 3).epochs.size() == 4);

  auto single_model = mlp(2, 8, 3, 35);
  tt::trainer single(single_model, o);
  const auto& once = single.fit(train, val);
  REQUIRE(once.epochs.size() == 4);
  CHECK(same_weights(weights(resumed_model), weights(single_model)));
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("epoch " << i + 1);
    CHECK(h.epochs[i].metrics == once.epochs[i].metrics);
    CHECK(h.epochs[i].learning_rate == once.epochs[i].learning_rate);
  }
}

TEST_CASE("the same seed and initial weights give identical histories", "[trainer]") {
  const auto train = blobs(200, 3, 36);
  const auto val = blobs(100, 3, 37);
  auto o = options(3);
  o.seed = 5;
  const auto run = [&](std::uint64_t seed) {
    auto model = mlp(2, 8, 3, 38);
    auto opts = o;
    opts.seed = seed;
    tt::trainer t(model, opts);
    auto losses = metric_per_epoch(t.fit(train, val), "val_loss");
    return std::make_pair(std::move(losses), weights(model));
  };
  const auto [first_losses, first_weights] = run(5);
  const auto [second_losses, second_weights] = run(5);
  CHECK(first_losses == second_losses);
  CHECK(same_weights(first_weights, second_weights));
  // Another seed shuffles in another order.
  const auto [other_losses, other_weights] = run(6);
  CHECK(first_losses != other_losses);
  CHECK_FALSE(same_weights(first_weights, other_weights));
}

TEST_CASE("typetune's dropout in a fit draws from the trainer's seed, whatever other threads draw", "[trainer]") {
  const auto train = blobs(200, 3, 42);
  auto o = options(3);
  o.shuffle = false;  // the fit's seed then decides the dropout masks alone
  // The model is built (its weights drawn) first; then `meanwhile` runs before and during the fit.
  const auto run = [&](std::uint64_t seed, const std::function<void()>& meanwhile) {
    torch::manual_seed(43);
    nn::Sequential model(nn::Linear(2, 16), nn::ReLU(), tt::Dropout(0.3), nn::Linear(16, 3));
    auto opts = o;
    opts.seed = seed;
    meanwhile();
    tt::trainer t(model, opts);
    t.fit(train);
    return weights(model);
  };
  const auto alone = run(5, [] {});
  // LibTorch's default generator moved on, as another worker's trial would move it.
  const auto after_draws = run(5, [] { (void)torch::rand({7}); });
  CHECK(same_weights(alone, after_draws));
  // Another thread drawing dropout keys from the default generator all through the fit.
  std::atomic<bool> done{false};
  std::thread other;
  const auto beside = run(5, [&] {
    other = std::thread([&] {
      const auto x = torch::ones({4, 4});
      while (!done.load()) (void)tt::dropout(x, 0.5, true);
    });
  });
  done = true;
  other.join();
  CHECK(same_weights(alone, beside));
  // Another seed: other masks, other weights.
  CHECK_FALSE(same_weights(alone, run(6, [] {})));
}

TEST_CASE("fit reports the objective per epoch into a study's trial", "[trainer][study]") {
  const auto train = blobs(200, 3, 39);
  const auto val = blobs(100, 3, 40);
  std::map<std::uint64_t, tt::history> histories;
  const auto objective = [&](typetune::trial_context& ctx) -> typetune::outcome {
    auto model = mlp(2, 8, 3, 41 + ctx.number());
    tt::trainer t(model, options(3));
    const auto& h = t.fit(train, val, &ctx);
    histories[ctx.number()] = h;
    if (h.end == tt::fit_end::pruned) return typetune::outcome::pruned();
    return h.last("val_loss");
  };

  SECTION("with a median pruner") {
    typetune::study_core study(one_parameter_space(), typetune::make_random_sampler(), {},
                               typetune::make_median_pruner({.n_startup_trials = 2, .n_warmup_steps = 0}));
    study.optimize(objective, {.max_trials = 4, .time_limit = std::nullopt, .workers = 1});
    const auto trials = study.trials();
    REQUIRE(trials.size() == 4);
    for (const auto& trial : trials) {
      INFO("trial " << trial.number);
      const auto& h = histories.at(trial.number);
      REQUIRE(trial.intermediate.size() == h.epochs.size());
      for (const auto& e : h.epochs) CHECK(trial.intermediate.at(e.epoch) == e.metrics.at("val_loss"));
      if (trial.state == typetune::trial_state::complete) {
        CHECK(h.end == tt::fit_end::completed);
        CHECK(h.epochs.size() == 3);
        CHECK(trial.value == h.last("val_loss"));
      } else {
        CHECK(trial.state == typetune::trial_state::pruned);
        CHECK(h.end == tt::fit_end::pruned);
      }
    }
    CHECK(trials[0].state == typetune::trial_state::complete);
    CHECK(trials[1].state == typetune::trial_state::complete);
  }
  SECTION("a pruner that always prunes stops after the first epoch") {
    typetune::study_core study(one_parameter_space(), typetune::make_random_sampler(), {},
                               std::make_unique<always_prune>());
    study.optimize(objective, {.max_trials = 2, .time_limit = std::nullopt, .workers = 1});
    for (const auto& trial : study.trials()) {
      INFO("trial " << trial.number);
      CHECK(trial.state == typetune::trial_state::pruned);
      const auto& h = histories.at(trial.number);
      CHECK(h.end == tt::fit_end::pruned);
      CHECK(h.epochs_trained() == 1);
      REQUIRE(trial.intermediate.size() == 1);
      CHECK(trial.intermediate.at(1) == h.epochs.front().metrics.at("val_loss"));
      CHECK(trial.value == h.epochs.front().metrics.at("val_loss"));
    }
  }
  SECTION("a chosen objective metric is reported") {
    typetune::study_core study(one_parameter_space(), typetune::make_random_sampler(), {});
    study.optimize(
        [&](typetune::trial_context& ctx) -> typetune::outcome {
          auto model = mlp(2, 8, 3, 42);
          auto o = options(2);
          o.objective = "val_accuracy";
          tt::trainer t(model, o);
          const auto& h = t.fit(train, val, &ctx);
          histories[ctx.number()] = h;
          return h.last("val_accuracy");
        },
        {.max_trials = 1, .time_limit = std::nullopt, .workers = 1});
    const auto trial = study.trial(0);
    const auto& h = histories.at(0);
    REQUIRE(trial.intermediate.size() == 2);
    CHECK(trial.intermediate.at(2) == h.epochs.at(1).metrics.at("val_accuracy"));
  }
}

TEST_CASE("a failed CPU allocation becomes out_of_memory_error and an out_of_memory trial", "[trainer][oom]") {
#if defined(TYPETUNE_TEST_ASAN)
  WARN("skipped under AddressSanitizer, whose allocator aborts on a 4 TiB request");
#else
  const auto data = blobs(32, 2, 43);
  greedy model;
  tt::trainer t(model, options(1));
  CHECK_THROWS_AS(t.fit(data), typetune::out_of_memory_error);
  CHECK_THROWS_WITH(t.fit(data), Catch::Contains("out of memory"));

  typetune::study_core study(one_parameter_space(), typetune::make_random_sampler(), {});
  study.optimize(
      [&](typetune::trial_context& ctx) -> typetune::outcome {
        greedy m;
        tt::trainer trial_trainer(m, options(1));
        return trial_trainer.fit(data, {}, &ctx).last("loss");
      },
      {.max_trials = 1, .time_limit = std::nullopt, .workers = 1});
  const auto trial = study.trial(0);
  CHECK(trial.state == typetune::trial_state::out_of_memory);
  CHECK_THAT(trial.message, Catch::Contains("can't allocate memory"));
#endif
}

TEST_CASE("parameter_count counts trainable parameters", "[trainer]") {
  const tt::model_ref model = mlp(4, 3, 2, 44);
  CHECK(model.parameter_count() == 4 * 3 + 3 + 3 * 2 + 2);
  auto frozen = nn::Sequential(nn::Linear(4, 3), nn::Linear(3, 2));
  frozen[0]->parameters()[0].set_requires_grad(false);  // the first weight
  CHECK(tt::model_ref(frozen).parameter_count() == 3 + 3 * 2 + 2);
}

TEST_CASE("predict returns the model's outputs in batches without autograd", "[trainer]") {
  const auto data = blobs(50, 3, 45);
  auto model = mlp(2, 8, 3, 46);
  const auto out = tt::predict(model, data.x(), 7);
  CHECK(out.sizes() == torch::IntArrayRef({50, 3}));
  CHECK_FALSE(out.requires_grad());
  CHECK(torch::allclose(out, model->forward(data.x()).detach()));
  CHECK(model->is_training());

  auto regressor = linear(3, 2, 47);
  CHECK(tt::predict(regressor, torch::randn({10, 3})).sizes() == torch::IntArrayRef({10, 2}));
}

TEST_CASE("model_ref wraps a TORCH_MODULE holder and a shared_ptr to a module", "[trainer]") {
  torch::manual_seed(48);
  two_layer holder;
  const tt::model_ref from_holder = holder;
  CHECK(&from_holder.module() == holder.ptr().get());
  CHECK(from_holder.parameter_count() == 2 * 8 + 8 + 8 * 3 + 3);
  const auto x = torch::randn({5, 2});
  CHECK(torch::equal(from_holder.forward(x), holder->forward(x)));

  const auto shared = std::make_shared<two_layerImpl>();
  const tt::model_ref from_shared = shared;
  CHECK(from_shared.module_ptr() == shared);
  CHECK(torch::equal(from_shared.forward(x), shared->forward(x)));
  CHECK_FALSE(tt::model_ref{});

  // Both train through the trainer.
  tt::trainer t(shared, options(10));
  CHECK(t.fit(blobs(300, 3, 49), blobs(100, 3, 50)).last("val_accuracy") > 0.97);
}

TEST_CASE("an MLP reaches 70 percent on a Fashion-MNIST subset in two epochs", "[trainer][fashion]") {
  const auto data = tt::load_fashion_mnist();
  const auto flatten = [](const tt::tensor_dataset& d, std::int64_t n) {
    return tt::tensor_dataset(d.x().narrow(0, 0, n).reshape({n, 28 * 28}), d.y().narrow(0, 0, n));
  };
  const auto train = flatten(data.train, 2000);
  const auto val = flatten(data.test, 1000);
  auto model = mlp(28 * 28, 128, 10, 51);
  auto o = options(2, tt::adam{.learning_rate = 1e-3});
  o.batch_size = 32;
  tt::trainer t(model, o);
  const auto& h = t.fit(train, val);
  CHECK(h.epochs_trained() == 2);
  CHECK(h.last("val_accuracy") > 0.70);
}

TEST_CASE("50 small trials keep RSS flat", "[trainer][memory]") {
#if defined(TYPETUNE_TEST_ASAN)
  WARN("skipped under AddressSanitizer, whose quarantine holds freed memory");
#else
  const auto train = blobs(2000, 3, 52);
  std::int64_t after_fifth = 0;
  for (int i = 1; i <= 50; ++i) {
    auto model = mlp(2, 64, 3, 53 + static_cast<std::uint64_t>(i));
    tt::trainer t(model, options(1));
    t.fit(train);
    if (i == 5) after_fifth = resident_bytes();
  }
  const auto after_fiftieth = resident_bytes();
  INFO("RSS after 5 fits " << after_fifth << " bytes, after 50 " << after_fiftieth);
  CHECK(static_cast<double>(after_fiftieth) <= 1.10 * static_cast<double>(after_fifth));
#endif
}

namespace {

// Two parameter lists with the same values: sizes that leave remainders for the vector loops,
// and one tensor above the kernels' task size so that two threads split it.
std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> twin_parameters(torch::Dtype dtype = torch::kFloat) {
  torch::manual_seed(3);
  std::vector<torch::Tensor> a;
  std::vector<torch::Tensor> b;
  for (const auto n : {std::int64_t{37}, std::int64_t{1000}, std::int64_t{70001}}) {
    const auto t = torch::randn({n}, torch::TensorOptions().dtype(dtype));
    a.push_back(t.clone().requires_grad_(true));
    b.push_back(t.clone().requires_grad_(true));
  }
  return {a, b};
}

// Runs `steps` steps of both optimizers on the same random gradients and returns the largest
// difference between the parameters, relative to the largest parameter.
double largest_difference(torch::optim::Optimizer& fused, std::vector<torch::Tensor>& a,
                          torch::optim::Optimizer& reference, std::vector<torch::Tensor>& b, int steps) {
  torch::manual_seed(11);
  for (int step = 0; step < steps; ++step) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto g = torch::randn_like(a[i]);
      a[i].mutable_grad() = g.clone();
      b[i].mutable_grad() = g.clone();
    }
    fused.step();
    reference.step();
  }
  double diff = 0;
  double scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, (a[i] - b[i]).abs().max().item<double>());
    scale = std::max(scale, b[i].abs().max().item<double>());
  }
  return diff / scale;
}

}  // namespace

TEST_CASE("the fused Adam, AdamW and SGD steps match LibTorch's own", "[trainer][kernels]") {
  INFO("kernels: " << typetune::torch::detail::kernel_capability());
  for (const int threads : {1, 2}) {
    torch::set_num_threads(threads);  // LibTorch's pool splits the kernels' work
    {
      const auto options = torch::optim::AdamOptions(3e-3).betas({0.8, 0.99}).eps(1e-6).weight_decay(0.01);
      auto [a, b] = twin_parameters();
      auto fused = typetune::torch::detail::fused_adam(a, options);
      torch::optim::Adam reference(b, options);
      CHECK(largest_difference(*fused, a, reference, b, 25) < 1e-5);
    }
    {
      const auto options = torch::optim::AdamWOptions(1e-2).weight_decay(0.1);
      auto [a, b] = twin_parameters();
      auto fused = typetune::torch::detail::fused_adamw(a, options);
      torch::optim::AdamW reference(b, options);
      CHECK(largest_difference(*fused, a, reference, b, 25) < 1e-5);
      // The state is LibTorch's: the same moments, under the same keys.
      const auto& moments = static_cast<torch::optim::AdamWParamState&>(
          *fused->state().at(c10::guts::to_string(a[2].unsafeGetTensorImpl())));
      const auto& expected = static_cast<torch::optim::AdamWParamState&>(
          *reference.state().at(c10::guts::to_string(b[2].unsafeGetTensorImpl())));
      CHECK(moments.step() == 25);
      CHECK((moments.exp_avg_sq() - expected.exp_avg_sq()).abs().max().item<double>() < 1e-6);
    }
    for (const bool nesterov : {false, true}) {
      const auto options = torch::optim::SGDOptions(0.05)
                               .momentum(0.9)
                               .dampening(nesterov ? 0.0 : 0.1)
                               .nesterov(nesterov)
                               .weight_decay(1e-3);
      auto [a, b] = twin_parameters();
      auto fused = typetune::torch::detail::fused_sgd(a, options);
      torch::optim::SGD reference(b, options);
      CHECK(largest_difference(*fused, a, reference, b, 25) < 1e-5);
    }
  }
  tt::set_threads(1);
  // What the kernels do not cover takes LibTorch's step, which gives the same bits.
  auto [a, b] = twin_parameters(torch::kDouble);
  auto fused = typetune::torch::detail::fused_adamw(a, torch::optim::AdamWOptions(1e-2));
  torch::optim::AdamW reference(b, torch::optim::AdamWOptions(1e-2));
  CHECK(largest_difference(*fused, a, reference, b, 5) == 0);
  auto [c, d] = twin_parameters();
  auto fused_amsgrad = typetune::torch::detail::fused_adam(c, torch::optim::AdamOptions(1e-2).amsgrad(true));
  torch::optim::Adam reference_amsgrad(d, torch::optim::AdamOptions(1e-2).amsgrad(true));
  CHECK(largest_difference(*fused_amsgrad, c, reference_amsgrad, d, 5) == 0);
}

TEST_CASE("typetune's dropout keeps 1 - p of the elements, scaled, reproducibly by seed", "[trainer][kernels]") {
  INFO("kernels: " << typetune::torch::detail::kernel_capability());
  const auto x = torch::rand({1000, 1000}) + 1;  // no zeros of its own
  const double p = 0.3;
  torch::manual_seed(5);
  const auto y = tt::dropout(x, p, true);
  const auto kept = y.ne(0);
  const double kept_share = kept.to(torch::kDouble).mean().item<double>();
  // 10^6 Bernoulli(0.7) draws: standard deviation 4.6e-4.
  CHECK(kept_share == Approx(0.7).margin(0.003));
  CHECK((y.masked_select(kept) - x.masked_select(kept) / 0.7).abs().max().item<double>() < 1e-5);
  // Neighbours, rows and columns are not correlated.
  const auto bits = kept.to(torch::kDouble);
  const auto corr = [&](const torch::Tensor& u, const torch::Tensor& v) {
    const auto cu = u - u.mean();
    const auto cv = v - v.mean();
    return ((cu * cv).mean() / (cu.std(false) * cv.std(false))).item<double>();
  };
  CHECK(std::abs(corr(bits.narrow(1, 0, 999), bits.narrow(1, 1, 999))) < 0.01);
  CHECK(std::abs(corr(bits.narrow(0, 0, 999), bits.narrow(0, 1, 999))) < 0.01);
  CHECK(std::abs(bits.mean(0).std().item<double>() - std::sqrt(0.21 / 1000)) < 0.002);
  // The same seed, the same mask; another seed, another; one or two threads, the same.
  torch::manual_seed(5);
  CHECK(torch::equal(tt::dropout(x, p, true), y));
  torch::set_num_threads(2);
  torch::manual_seed(5);
  CHECK(torch::equal(tt::dropout(x, p, true), y));
  torch::set_num_threads(1);
  torch::manual_seed(6);
  CHECK_FALSE(torch::equal(tt::dropout(x, p, true), y));
  // The gradient passes where the mask kept, scaled.
  const auto w = x.clone().requires_grad_(true);
  torch::manual_seed(5);
  tt::dropout(w, p, true).sum().backward();
  CHECK(torch::allclose(w.grad(), y / x));
  // Eval mode and p = 0 pass the input through; p = 1 drops everything; p outside [0, 1] is refused.
  CHECK(torch::equal(tt::dropout(x, p, false), x));
  CHECK(torch::equal(tt::dropout(x, 0, true), x));
  CHECK(tt::dropout(x, 1, true).abs().sum().item<double>() == 0);
  CHECK_THROWS_WITH(tt::dropout(x, 1.5, true), Catch::Contains("[0, 1]"));
  CHECK_THROWS_WITH(tt::Dropout(-0.1), Catch::Contains("Dropout's probability"));
  // The module follows train() and eval() as torch::nn::Dropout does.
  tt::Dropout layer(p);
  layer->eval();
  CHECK(torch::equal(layer(x), x));
  layer->train();
  CHECK(layer(x).eq(0).any().item<bool>());
  std::ostringstream printed;
  printed << *layer;
  CHECK(printed.str() == "typetune::torch::Dropout(p=0.3)");
}

TEST_CASE("cpu_kernels names the instruction sets training runs with", "[trainer][kernels]") {
  const auto text = tt::cpu_kernels();
  CHECK(text.starts_with("typetune " + std::string(typetune::torch::detail::kernel_capability())));
  // The kernels never run above what ATEN_CPU_CAPABILITY asks for.
  if (const char* asked = std::getenv("ATEN_CPU_CAPABILITY")) {
    if (std::string(asked) == "default") CHECK(typetune::torch::detail::kernel_capability() == "default");
    if (std::string(asked) == "avx2") CHECK(typetune::torch::detail::kernel_capability() != "avx512");
    CHECK(text.find("pick over") == std::string::npos);  // nor does OpenBLAS get switched
  }
  // A switch of OpenBLAS's kernels is to SkylakeX's, from an AVX2 core.
  if (text.find("pick over") != std::string::npos) {
    CHECK(text.find("OpenBLAS SkylakeX") != std::string::npos);
    CHECK((text.find("OpenBLAS's Haswell") != std::string::npos || text.find("OpenBLAS's Zen") != std::string::npos));
  }
}

TEST_CASE("the trainer's fused step and LibTorch's train the same model", "[trainer][kernels]") {
  const auto data = blobs(600, 3, 21);
  for (const tt::optimizer_spec& optimizer :
       {tt::optimizer_spec{tt::adamw{.learning_rate = 1e-2, .weight_decay = 1e-2}},
        tt::optimizer_spec{tt::sgd{.learning_rate = 0.05, .momentum = 0.9, .nesterov = true, .weight_decay = 1e-4}}}) {
    std::vector<torch::Tensor> weights;
    for (const bool fused : {true, false}) {
      auto fit = options(3, optimizer);
      fit.fused_step = fused;
      tt::trainer t(mlp(2, 16, 3, 4), fit);
      const auto& h = t.fit(data);
      CHECK(h.last("accuracy") > 0.9);
      weights.push_back(
          torch::cat({t.model().module().parameters()[0].flatten(), t.model().module().parameters()[2].flatten()}));
    }
    // 114 steps in float: the two orders of rounding stay within 1e-4 of each other.
    CHECK((weights[0] - weights[1]).abs().max().item<double>() < 1e-4);
  }
}

TEST_CASE("typetune picks OpenBLAS's SkylakeX kernels only on an AVX-512 CPU it left on AVX2, unless told otherwise",
          "[trainer][kernels]") {
  using typetune::torch::detail::prefers_skylakex;
  CHECK(prefers_skylakex("Haswell", true, nullptr, nullptr));
  CHECK(prefers_skylakex("Zen", true, nullptr, "avx512"));
  CHECK_FALSE(prefers_skylakex("Haswell", false, nullptr, nullptr));    // no AVX-512
  CHECK_FALSE(prefers_skylakex("Cooperlake", true, nullptr, nullptr));  // already an AVX-512 core
  CHECK_FALSE(prefers_skylakex("Haswell", true, "Haswell", nullptr));   // the user chose
  CHECK_FALSE(prefers_skylakex("Haswell", true, nullptr, "avx2"));      // LibTorch lowered
  // The switch itself: another core's kernels, the same products, the environment untouched.
  const auto before = typetune::torch::detail::openblas_core_name();
  REQUIRE_FALSE(before.empty());  // Debian's LibTorch runs on OpenBLAS
  const char* env_before = std::getenv("OPENBLAS_CORETYPE");
  const std::string env_copy = env_before ? env_before : "";
  torch::manual_seed(8);
  const auto a = torch::randn({128, 784});
  const auto b = torch::randn({784, 300});
  const auto product = torch::mm(a, b);
  // Nehalem's kernels (SSE4.2) run on any x86-64 CPU these tests meet; Core 2's if that is the one.
  const auto other = before == "Nehalem" ? "CORE2" : "NEHALEM";
  const auto switched = typetune::torch::detail::switch_openblas_core(other);
  CHECK(switched != before);
  CHECK((torch::mm(a, b) - product).abs().max().item<double>() < 1e-3);
  CHECK(std::string(std::getenv("OPENBLAS_CORETYPE") ? std::getenv("OPENBLAS_CORETYPE") : "") == env_copy);
  // Back to the core the process ran with.
  std::string upper = before;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  CHECK(typetune::torch::detail::switch_openblas_core(upper.c_str()) == before);
}

TEST_CASE("set_threads gives the threads to OpenBLAS's products and keeps LibTorch's pool at one",
          "[trainer][threads]") {
  const auto blas_threads = typetune::torch::detail::openblas_threads;
  REQUIRE(blas_threads() > 0);  // Debian's LibTorch runs on OpenBLAS
  tt::set_threads(2);
  CHECK(blas_threads() == 2);
  CHECK(torch::get_num_threads() == 1);
  CHECK(tt::set_blas_threads(3));
  CHECK(blas_threads() == 3);
  CHECK(torch::get_num_threads() == 1);
  tt::set_threads(1);
  CHECK(blas_threads() == 1);
  CHECK_THROWS_WITH(tt::set_threads(0), Catch::Contains("at least one thread"));
  CHECK_THROWS_WITH(tt::set_blas_threads(0), Catch::Contains("at least one thread"));
}
