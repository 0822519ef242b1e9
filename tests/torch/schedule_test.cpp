// Learning-rate schedules: Keras's inverse-time decay, lowered at the end of each epoch.
#include <catch2/catch.hpp>

#include <cstdint>

#include "typetune/torch/trainer.hpp"

namespace tt = typetune::torch;

TEST_CASE("inverse_time_lr: each epoch trains at lr / (1 + decay * batches trained before it)", "[schedule]") {
  ::torch::manual_seed(3);
  const auto x = ::torch::randn({50, 4});
  const auto y = (x.sum(1) > 0).to(::torch::kLong);
  ::torch::nn::Sequential model(::torch::nn::Linear(4, 2));
  tt::fit_options fit;
  fit.epochs = 4;
  fit.batch_size = 8;  // 50 samples: 7 batches an epoch, the last one of 2
  fit.optimizer = tt::sgd{.learning_rate = 0.1};
  fit.schedule = tt::inverse_time_lr{.decay = 0.05};
  tt::trainer t(model, fit);
  const auto& h = t.fit(tt::tensor_dataset(x, y));
  REQUIRE(h.epochs.size() == 4);
  const std::int64_t batches_per_epoch = 7;
  for (const auto& e : h.epochs) {
    const auto iterations = static_cast<double>((e.epoch - 1) * batches_per_epoch);
    CHECK(e.learning_rate == Approx(0.1 / (1 + 0.05 * iterations)));
  }
  // Resuming goes on counting the batches of the earlier call.
  const auto& more = t.fit(tt::tensor_dataset(x, y), {}, nullptr, 6);
  REQUIRE(more.epochs.size() == 6);
  CHECK(more.epochs.back().learning_rate == Approx(0.1 / (1 + 0.05 * 5 * batches_per_epoch)));
}

TEST_CASE("inverse_time_lr with no decay keeps the rate", "[schedule]") {
  ::torch::manual_seed(4);
  const auto x = ::torch::randn({20, 3});
  const auto y = ::torch::randn({20, 1});
  ::torch::nn::Sequential model(::torch::nn::Linear(3, 1));
  tt::fit_options fit;
  fit.epochs = 3;
  fit.batch_size = 5;
  fit.loss = tt::loss_kind::mse;
  fit.optimizer = tt::adam{.learning_rate = 1e-2};
  fit.schedule = tt::inverse_time_lr{};
  tt::trainer t(model, fit);
  for (const auto& e : t.fit(tt::tensor_dataset(x, y)).epochs) CHECK(e.learning_rate == Approx(1e-2));
}
