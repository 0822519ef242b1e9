// The trainer: epochs of shuffled mini-batches over in-memory tensors, an optimizer and a
// learning-rate schedule, validation, early stopping, a per-epoch history, and per-epoch
// report() into a trial so that pruners and schedulers act on real learning curves.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <torch/torch.h>

#include "typetune/engine/paired_test.hpp"
#include "typetune/engine/trial_context.hpp"
#include "typetune/torch/data.hpp"

namespace typetune::torch {

// A model as the trainer sees it: a module (its parameters, train/eval mode, device) and its
// forward pass. Made from any module holder (torch::nn::Sequential, a TORCH_MODULE) or a
// shared_ptr to a module with forward(Tensor).
class model_ref {
 public:
  model_ref() = default;
  template <class Holder>
    requires requires(Holder h, const ::torch::Tensor& x) {
      { h.ptr() } -> std::convertible_to<std::shared_ptr<::torch::nn::Module>>;
      { h->forward(x) } -> std::convertible_to<::torch::Tensor>;
    }
  model_ref(Holder holder)  // NOLINT(google-explicit-constructor): fit(build(p), ...)
      : module_(holder.ptr()), forward_([ptr = holder.ptr()](const ::torch::Tensor& x) { return ptr->forward(x); }) {}
  template <class Module>
    requires std::derived_from<Module, ::torch::nn::Module> model_ref(
        std::shared_ptr<Module> module)  // NOLINT(google-explicit-constructor)
        : module_(module), forward_([module](const ::torch::Tensor& x) { return module->forward(x); }) {}

    [[nodiscard]] ::torch::nn::Module& module() const { return *module_; }
    [[nodiscard]] const std::shared_ptr<::torch::nn::Module>& module_ptr() const noexcept { return module_; }
    [[nodiscard]] ::torch::Tensor forward(const ::torch::Tensor& x) const { return forward_(x); }
    [[nodiscard]] explicit operator bool() const noexcept { return module_ != nullptr; }
    // Number of trainable parameters (the sum of numel over parameters that require grad).
    [[nodiscard]] std::int64_t parameter_count() const;

   private:
    std::shared_ptr<::torch::nn::Module> module_;
    std::function<::torch::Tensor(const ::torch::Tensor&)> forward_;
};

// Optimizers, with the defaults of torch.optim.
struct adam {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double weight_decay = 0;
};
// Adam with decoupled weight decay (Loshchilov & Hutter): the weights shrink by
// learning_rate * weight_decay each step, apart from the gradient's moments; torch.optim.AdamW.
struct adamw {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double weight_decay = 1e-2;
};
struct sgd {
  double learning_rate = 1e-2;
  double momentum = 0;
  bool nesterov = false;
  double weight_decay = 0;
};
struct rmsprop {
  double learning_rate = 1e-2;
  double alpha = 0.99;
  double momentum = 0;
  double weight_decay = 0;
};
using optimizer_spec = std::variant<adam, sgd, rmsprop, adamw>;

// Learning-rate schedules, applied at the end of each epoch.
struct constant_lr {};
struct step_lr {
  std::int64_t step_size = 10;  // epochs between decays
  double gamma = 0.1;
};
struct cosine_lr {
  std::int64_t period = 0;  // epochs of one half cosine; 0: the run's epochs
  double min_learning_rate = 0;
};
// Keras's inverse-time decay (the `decay` argument of its legacy optimizers):
// lr = learning_rate / (1 + decay * iterations), iterations being the batches trained so far.
// Keras lowers the rate after every batch; here it is lowered at the end of each epoch, with
// iterations = all the batches trained until then, so within an epoch the rate is constant.
struct inverse_time_lr {
  double decay = 0;
};
using schedule_spec = std::variant<constant_lr, step_lr, cosine_lr, inverse_time_lr>;

enum class loss_kind : std::uint8_t { cross_entropy, mse, mae };

// Stops when `monitor` has not improved by more than min_delta for `patience` epochs; with
// restore_best the model ends with the weights of its best epoch.
struct early_stopping {
  std::string monitor = "val_loss";  // "val_accuracy" and "accuracy" are maximised, others minimised
  std::int64_t patience = 3;
  double min_delta = 0;
  bool restore_best = true;
};

struct epoch_record;

struct fit_options {
  std::int64_t epochs = 10;
  std::int64_t batch_size = 32;
  bool shuffle = true;
  std::uint64_t seed = 0;  // initial weights (when the trainer builds), the shuffling order and
                           // typetune's dropout masks (tt::torch::Dropout)
  optimizer_spec optimizer = adam{};
  schedule_spec schedule = constant_lr{};
  loss_kind loss = loss_kind::cross_entropy;
  // Cross-entropy against targets of 1 - s on the true class and s / classes on every class,
  // in training only: validation and evaluate() measure the plain cross-entropy, so trials
  // with different smoothing compare on one scale. In [0, 1).
  double label_smoothing = 0;
  // Rescales each step's gradients so that their global L2 norm is at most this (recurrent
  // networks at larger learning rates need it); nullopt: no clipping.
  std::optional<double> clip_grad_norm = std::nullopt;
  std::optional<early_stopping> early_stop = std::nullopt;
  bool stop_on_nan = true;  // a non-finite training loss ends the fit as diverged
  std::int64_t eval_batch_size = 4096;
  ::torch::Device device = ::torch::kCPU;
  // Called after each epoch with its record (a progress line, a plot); keep it short.
  std::function<void(const epoch_record&)> on_epoch = {};
  // The metric reported into the trial each epoch, and the early-stopping monitor's
  // fallback: empty means "val_loss", or "loss" when there is no validation data.
  std::string objective = {};
  // Adam, AdamW and SGD with momentum step each CPU float parameter in one pass (the same rule
  // and state as LibTorch's, src/torch/cpu_kernels.hpp); false: LibTorch's own step.
  bool fused_step = true;
};

// One epoch's figures: "loss" and "accuracy" (classification) or "mae" on the training batches,
// and the same with a "val_" prefix on the validation data.
struct epoch_record {
  std::int64_t epoch = 0;  // 1-based: epochs trained so far
  std::map<std::string, double> metrics;
  double seconds = 0;
  double learning_rate = 0;
};

enum class fit_end : std::uint8_t { completed, early_stopped, diverged, pruned, interrupted, timed_out };
[[nodiscard]] std::string_view to_string(fit_end e);

struct history {
  std::vector<epoch_record> epochs;
  fit_end end = fit_end::completed;
  std::int64_t best_epoch = 0;  // by the early-stopping monitor, or the objective; 0 if none

  // The metric after the last epoch (or the restored best one); throws std::out_of_range
  // naming the metric when no epoch recorded it.
  [[nodiscard]] double last(const std::string& metric) const;
  [[nodiscard]] double at_best(const std::string& metric) const;
  [[nodiscard]] std::int64_t epochs_trained() const { return epochs.empty() ? 0 : epochs.back().epoch; }
};

// A trainer holds the optimizer state of one model, so that fitting can go on where it stopped
// (Hyperband's next rung resumes instead of retraining).
class trainer {
 public:
  trainer(model_ref model, fit_options options);
  ~trainer();
  trainer(trainer&&) noexcept;
  trainer& operator=(trainer&&) noexcept;

  // Trains until `until_epoch` epochs in all (options.epochs when 0), validating each epoch on
  // `validation` when it has samples. With a trial: reports options.objective per epoch,
  // stops as pruned when the trial's pruner says so, and between batches as interrupted
  // (Ctrl-C) or timed_out (the trial's time limit); an epoch cut short is not recorded. Out-of-memory errors are
  // rethrown as out_of_memory_error. Returns the history so far, this call's epochs appended.
  const history& fit(const tensor_dataset& train, const tensor_dataset& validation = {}, trial_context* trial = nullptr,
                     std::int64_t until_epoch = 0);

  [[nodiscard]] const history& progress() const noexcept;
  [[nodiscard]] const model_ref& model() const noexcept;
  [[nodiscard]] const fit_options& options() const noexcept;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

// Loss and metrics of `model` on `data` (no autograd, eval mode, batches of eval_batch_size):
// "loss", and "accuracy" for cross-entropy or "mae" and "mse" for regression.
[[nodiscard]] std::map<std::string, double> evaluate(const model_ref& model, const tensor_dataset& data, loss_kind loss,
                                                     std::int64_t eval_batch_size = 4096);

// The outputs of `model` on `x` (a classifier's logits: argmax(1) gives the classes; a
// regressor's predictions), in eval mode, batches of eval_batch_size, without autograd.
[[nodiscard]] ::torch::Tensor predict(const model_ref& model, const ::torch::Tensor& x,
                                      std::int64_t eval_batch_size = 4096);

// Two classifiers on the same samples: accuracy of each, the difference (a - b) with a 95 %
// paired bootstrap interval and McNemar's exact test on the samples only one gets right.
[[nodiscard]] paired_comparison compare_classifiers(const model_ref& a, const model_ref& b, const tensor_dataset& data,
                                                    std::uint64_t seed = 0, std::int64_t eval_batch_size = 4096);

// The devices a spec names, for a program's --device flag and tuner_options::devices: "cpu";
// "cuda" (the first CUDA device); "cuda:N"; "auto", every CUDA device LibTorch sees (those
// CUDA_VISIBLE_DEVICES leaves, renumbered from 0), or the CPU when it sees none; or a comma-
// separated list of these ("cuda:0,cuda:1"). Throws std::invalid_argument naming the spec for
// anything else, for a CUDA device when LibTorch sees none (or was built without CUDA), and for
// an index past the devices it sees.
[[nodiscard]] std::vector<::torch::Device> devices_from(std::string_view spec);

// The threads one training runs on. When LibTorch runs on OpenBLAS (Debian's does), the matrix
// products get them and LibTorch's own kernels stay on the calling thread: OpenBLAS's pthreads
// and LibTorch's OpenMP pool are separate, and with both at n on n busy cores OpenMP's idle
// threads spin while OpenBLAS's work. Measured on two cores of a Zen 5 EPYC, both at 2 against
// OpenBLAS at 2 and LibTorch at 1: an MLP epoch (784-883-465-10, batch 256) 9.0-10.0 s against
// 3.3-3.7 s; rnn_search_cv's default run 139 s against 43 s; fashion_cnn_search's 188 s against
// 141 s. With another BLAS, LibTorch's intra-op threads are set to n. Throws for n < 1.
void set_threads(int threads);

// OpenBLAS's threads alone (false when LibTorch runs on another BLAS), leaving LibTorch's
// intra-op threads as they are. Matrix products are most of an MLP's time; raising LibTorch's
// OpenMP threads as well costs more than it gives on a busy machine: its idle threads spin
// while OpenBLAS's work (an epoch of a 784-883-465-10 MLP, batch 256, on two cores of a Zen 5
// EPYC: 6.0 s on one thread, 3.3-3.7 s with two OpenBLAS threads, 9-10 s with two of each).
bool set_blas_threads(int threads);

// The CPU kernels training runs with, for a job's log: the instruction set of typetune's
// optimizer and dropout kernels and, when LibTorch runs on OpenBLAS, OpenBLAS's kernels. Where
// OpenBLAS picked an AVX2 core on a CPU with AVX-512 (Debian 12's 0.3.21 predates AMD's Zen 4),
// typetune switches it to its SkylakeX kernels at load time unless OPENBLAS_CORETYPE or
// ATEN_CPU_CAPABILITY says otherwise. For example "typetune avx512, OpenBLAS Cooperlake", or
// "typetune avx512, OpenBLAS SkylakeX (typetune's pick over OpenBLAS's Zen)".
[[nodiscard]] std::string cpu_kernels();

// LibTorch's intra-op threads for `workers` concurrent trials: the cores divided among them
// (at least 1), so that workers x threads never oversubscribe the machine.
[[nodiscard]] int threads_per_worker(std::size_t workers);

}  // namespace typetune::torch
