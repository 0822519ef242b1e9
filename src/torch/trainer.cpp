// The trainer of include/typetune/torch/trainer.hpp. The training loop is the hot path: each
// batch is gathered in shuffled order into a buffer that the next batch reuses; the loss is
// summed on the device and read once per epoch; evaluation runs without autograd in large
// batches.
#include "typetune/torch/trainer.hpp"

#include <dlfcn.h>
#include <malloc.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include "torch/cpu_kernels.hpp"
#include "torch/dropout_keys.hpp"
#include "torch/fused_optimizers.hpp"
#include "torch/openblas.hpp"
#include "typetune/engine/errors.hpp"

namespace typetune::torch {
namespace {

namespace F = ::torch::nn::functional;

// LibTorch's temporaries of 128 KiB and more (gradients, optimizer moments, activations of
// wide layers) would otherwise be served by mmap/munmap until glibc's dynamic threshold rises,
// which costs page faults on every step. Raising the threshold once keeps them on the heap.
void tune_allocator_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
  });
}

// Flushes denormal floats to zero while a fit runs on this thread, and restores the mode after.
// Late in training, moments of weights with no gradient (dead ReLU units) decay into the
// denormal range, where each multiplication takes a microcode assist: an epoch of the
// tutorial's MLP ran 20x slower once that set in. Values that small change no update.
class flush_denormals {
 public:
#if defined(__SSE__)
  flush_denormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040U); }  // FTZ | DAZ
  ~flush_denormals() { _mm_setcsr(saved_); }
  flush_denormals(const flush_denormals&) = delete;
  flush_denormals& operator=(const flush_denormals&) = delete;

 private:
  unsigned int saved_;
#endif
};

bool is_maximised(std::string_view metric) { return metric.ends_with("accuracy"); }

std::unique_ptr<::torch::optim::Optimizer> make_optimizer(::torch::nn::Module& module, const optimizer_spec& spec,
                                                          bool fused) {
  auto params = module.parameters();
  return std::visit(
      [&](const auto& o) -> std::unique_ptr<::torch::optim::Optimizer> {
        using T = std::decay_t<decltype(o)>;
        if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
          throw std::invalid_argument("typetune: the optimizer's learning rate must be positive and finite, not " +
                                      std::to_string(o.learning_rate));
        if constexpr (std::is_same_v<T, adam>) {
          const auto options =
              ::torch::optim::AdamOptions(o.learning_rate).betas({o.beta1, o.beta2}).weight_decay(o.weight_decay);
          if (fused) return detail::fused_adam(params, options);
          return std::make_unique<::torch::optim::Adam>(params, options);
        } else if constexpr (std::is_same_v<T, adamw>) {
          if (!(o.weight_decay >= 0) || !std::isfinite(o.weight_decay))
            throw std::invalid_argument("typetune: adamw's weight decay must be finite and not negative, not " +
                                        std::to_string(o.weight_decay));
          const auto options =
              ::torch::optim::AdamWOptions(o.learning_rate).betas({o.beta1, o.beta2}).weight_decay(o.weight_decay);
          if (fused) return detail::fused_adamw(params, options);
          return std::make_unique<::torch::optim::AdamW>(params, options);
        } else if constexpr (std::is_same_v<T, sgd>) {
          if (o.nesterov && o.momentum <= 0)
            throw std::invalid_argument("typetune: sgd with nesterov needs a momentum > 0");
          const auto options = ::torch::optim::SGDOptions(o.learning_rate)
                                   .momentum(o.momentum)
                                   .nesterov(o.nesterov)
                                   .weight_decay(o.weight_decay);
          if (fused) return detail::fused_sgd(params, options);
          return std::make_unique<::torch::optim::SGD>(params, options);
        } else {
          return std::make_unique<::torch::optim::RMSprop>(params, ::torch::optim::RMSpropOptions(o.learning_rate)
                                                                       .alpha(o.alpha)
                                                                       .momentum(o.momentum)
                                                                       .weight_decay(o.weight_decay));
        }
      },
      spec);
}

// The device of a module's parameters (the CPU for a module without any): evaluate() and
// predict() take data from anywhere, as fit() does.
::torch::Device device_of(const ::torch::nn::Module& module) {
  const auto params = module.parameters();
  return params.empty() ? ::torch::Device(::torch::kCPU) : params.front().device();
}

double base_learning_rate(const optimizer_spec& spec) {
  return std::visit([](const auto& o) { return o.learning_rate; }, spec);
}

// The learning rate after `epoch` epochs, `iterations` batches in all.
double scheduled_learning_rate(const schedule_spec& schedule, double base, std::int64_t epoch, std::int64_t epochs,
                               std::int64_t iterations) {
  return std::visit(
      [&](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, step_lr>) {
          return base * std::pow(s.gamma, static_cast<double>(epoch / std::max<std::int64_t>(1, s.step_size)));
        } else if constexpr (std::is_same_v<T, cosine_lr>) {
          const auto period = static_cast<double>(s.period > 0 ? s.period : std::max<std::int64_t>(1, epochs));
          const double t = std::min(static_cast<double>(epoch), period) / period;
          return s.min_learning_rate + (base - s.min_learning_rate) * (1 + std::cos(std::numbers::pi * t)) / 2;
        } else if constexpr (std::is_same_v<T, inverse_time_lr>) {
          return base / (1 + s.decay * static_cast<double>(iterations));
        } else {
          return base;
        }
      },
      schedule);
}

::torch::Tensor batch_loss(loss_kind kind, const ::torch::Tensor& out, const ::torch::Tensor& y,
                           ::torch::nn::functional::CrossEntropyFuncOptions::reduction_t reduction,
                           double label_smoothing = 0) {
  switch (kind) {
    case loss_kind::cross_entropy:
      return F::cross_entropy(out, y,
                              F::CrossEntropyFuncOptions().reduction(reduction).label_smoothing(label_smoothing));
    case loss_kind::mse: return F::mse_loss(out, y, F::MSELossFuncOptions().reduction(reduction));
    case loss_kind::mae: return F::l1_loss(out, y, F::L1LossFuncOptions().reduction(reduction));
  }
  throw std::logic_error("typetune: unknown loss");
}

bool is_out_of_memory(const c10::Error& e) {
  const std::string_view what = e.what();
  return what.find("out of memory") != std::string_view::npos ||
         what.find("DefaultCPUAllocator: can't allocate memory") != std::string_view::npos;
}

// A copy of every parameter and buffer, to restore the best epoch's weights.
std::vector<::torch::Tensor> snapshot(::torch::nn::Module& module) {
  ::torch::NoGradGuard no_grad;
  std::vector<::torch::Tensor> copy;
  for (const auto& p : module.parameters()) copy.push_back(p.detach().clone());
  for (const auto& b : module.buffers()) copy.push_back(b.detach().clone());
  return copy;
}

void restore(::torch::nn::Module& module, const std::vector<::torch::Tensor>& copy) {
  ::torch::NoGradGuard no_grad;
  std::size_t i = 0;
  for (auto& p : module.parameters()) p.copy_(copy.at(i++));
  for (auto& b : module.buffers()) b.copy_(copy.at(i++));
}

}  // namespace

std::int64_t model_ref::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : module_->parameters())
    if (p.requires_grad()) n += p.numel();
  return n;
}

std::string_view to_string(fit_end e) {
  switch (e) {
    case fit_end::completed: return "completed";
    case fit_end::early_stopped: return "early_stopped";
    case fit_end::diverged: return "diverged";
    case fit_end::pruned: return "pruned";
    case fit_end::interrupted: return "interrupted";
    case fit_end::timed_out: return "timed_out";
  }
  return "unknown";
}

double history::last(const std::string& metric) const {
  for (auto it = epochs.rbegin(); it != epochs.rend(); ++it)
    if (auto m = it->metrics.find(metric); m != it->metrics.end()) return m->second;
  throw std::out_of_range("typetune: no epoch recorded the metric '" + metric + "'");
}

double history::at_best(const std::string& metric) const {
  if (best_epoch == 0) return last(metric);
  for (const auto& e : epochs)
    if (e.epoch == best_epoch) {
      if (auto m = e.metrics.find(metric); m != e.metrics.end()) return m->second;
    }
  throw std::out_of_range("typetune: the best epoch did not record the metric '" + metric + "'");
}

std::map<std::string, double> evaluate(const model_ref& model, const tensor_dataset& data, loss_kind loss,
                                       std::int64_t eval_batch_size) {
  if (data.size() == 0) throw std::invalid_argument("typetune: evaluate() needs at least one sample");
  ::torch::NoGradGuard no_grad;
  auto& module = model.module();
  const bool was_training = module.is_training();
  module.eval();
  const auto n = data.size();
  const auto device = device_of(module);
  const auto step = std::max<std::int64_t>(1, eval_batch_size);
  double loss_sum = 0;
  std::int64_t correct = 0;
  double abs_sum = 0;
  double sq_sum = 0;
  for (std::int64_t i = 0; i < n; i += step) {
    const auto len = std::min(step, n - i);
    const auto xb = data.x().narrow(0, i, len).to(device);
    const auto yb = data.y().narrow(0, i, len).to(device);
    const auto out = model.forward(xb);
    if (loss == loss_kind::cross_entropy) {
      loss_sum += batch_loss(loss, out, yb, ::torch::kSum).item<double>();
      correct += out.argmax(1).eq(yb).sum().item<std::int64_t>();
    } else {
      const auto diff = out - yb;
      abs_sum += diff.abs().sum().item<double>();
      sq_sum += diff.square().sum().item<double>();
    }
  }
  if (was_training) module.train();
  std::map<std::string, double> metrics;
  const auto count = static_cast<double>(n);
  if (loss == loss_kind::cross_entropy) {
    metrics["loss"] = loss_sum / count;
    metrics["accuracy"] = static_cast<double>(correct) / count;
  } else {
    const auto elements = static_cast<double>(data.y().numel());
    metrics["mae"] = abs_sum / elements;
    metrics["mse"] = sq_sum / elements;
    metrics["loss"] = loss == loss_kind::mse ? metrics["mse"] : metrics["mae"];
  }
  return metrics;
}

::torch::Tensor predict(const model_ref& model, const ::torch::Tensor& x, std::int64_t eval_batch_size) {
  ::torch::NoGradGuard no_grad;
  auto& module = model.module();
  const bool was_training = module.is_training();
  module.eval();
  std::vector<::torch::Tensor> parts;
  const auto step = std::max<std::int64_t>(1, eval_batch_size);
  const auto device = device_of(module);
  for (std::int64_t i = 0; i < x.size(0); i += step)
    parts.push_back(model.forward(x.narrow(0, i, std::min(step, x.size(0) - i)).to(device)));
  if (was_training) module.train();
  return ::torch::cat(parts);
}

paired_comparison compare_classifiers(const model_ref& a, const model_ref& b, const tensor_dataset& data,
                                      std::uint64_t seed, std::int64_t eval_batch_size) {
  if (data.size() == 0) throw std::invalid_argument("typetune: compare_classifiers() needs at least one sample");
  const auto labels = data.y().to(::torch::kCPU);
  const auto correct = [&](const model_ref& m) {
    const auto right =
        predict(m, data.x(), eval_batch_size).argmax(1).to(::torch::kCPU).eq(labels).to(::torch::kUInt8).contiguous();
    const auto* p = right.data_ptr<std::uint8_t>();
    return std::vector<std::uint8_t>(p, p + right.numel());
  };
  const auto right_a = correct(a);
  const auto right_b = correct(b);
  return compare_paired(right_a, right_b, seed);
}

namespace {

// Debian 12's OpenBLAS (0.3.21, built for every x86 core) predates AMD's Zen 4 and Zen 5 and may
// pick an AVX2 core (Haswell, Zen) on a CPU with AVX-512, whose SkylakeX kernels run SGEMM
// nearly twice as fast (measured on a Zen 5 EPYC: 849 against 1594 us for a 128 x 784 batch
// through a 784 x 800 layer, same results to 4e-6). The switch happens once at load time,
// before any thread can be inside OpenBLAS, and only when the user has not chosen a core with
// OPENBLAS_CORETYPE nor lowered LibTorch's kernels with ATEN_CPU_CAPABILITY.
struct openblas_core {
  std::string detected;  // what OpenBLAS picked by itself ("" when LibTorch runs on another BLAS)
  std::string running;   // what it runs with now
};

openblas_core choose_openblas_core() {
  openblas_core core{detail::openblas_core_name(), detail::openblas_core_name()};
  if (core.detected.empty()) return core;
  if (detail::prefers_skylakex(core.detected, detail::cpu_supports_avx512(), std::getenv("OPENBLAS_CORETYPE"),
                               std::getenv("ATEN_CPU_CAPABILITY"))) {
    core.running = detail::switch_openblas_core("SKYLAKEX");
    if (core.running != "SkylakeX") core.running = detail::switch_openblas_core(nullptr);  // back to its own pick
  }
  return core;
}

const openblas_core& openblas_core_at_load() {
  static const openblas_core core = choose_openblas_core();
  return core;
}

// Made at load time, while only the main thread runs.
[[maybe_unused]] const openblas_core& openblas_core_choice = openblas_core_at_load();

}  // namespace

namespace detail {

std::string openblas_core_name() {
  using name_fn = char* (*)();
  static const auto corename = reinterpret_cast<name_fn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return corename == nullptr ? std::string() : std::string(corename());
}

int openblas_threads() {
  using getter = int (*)();
  static const auto threads = reinterpret_cast<getter>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return threads == nullptr ? 0 : threads();
}

bool prefers_skylakex(std::string_view detected, bool avx512, const char* openblas_coretype,
                      const char* aten_capability) {
  const bool aten_lowered = aten_capability != nullptr && std::string_view(aten_capability) != "avx512";
  return avx512 && openblas_coretype == nullptr && !aten_lowered && (detected == "Haswell" || detected == "Zen");
}

std::string switch_openblas_core(const char* core) {
  using init_fn = void (*)();
  static const auto quit = reinterpret_cast<init_fn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
  static const auto init = reinterpret_cast<init_fn>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
  if (quit == nullptr || init == nullptr) return openblas_core_name();  // not a dynamic-arch OpenBLAS
  // OpenBLAS reads its core from the environment when it initialises; put back what was there.
  const char* before = std::getenv("OPENBLAS_CORETYPE");
  const std::optional<std::string> saved = before ? std::optional<std::string>(before) : std::nullopt;
  if (core != nullptr) setenv("OPENBLAS_CORETYPE", core, 1);
  else unsetenv("OPENBLAS_CORETYPE");
  quit();
  init();
  if (saved) setenv("OPENBLAS_CORETYPE", saved->c_str(), 1);
  else unsetenv("OPENBLAS_CORETYPE");
  return openblas_core_name();
}

}  // namespace detail

std::string cpu_kernels() {
  const auto& blas = openblas_core_at_load();
  std::string text = "typetune " + std::string(detail::kernel_capability());
  if (blas.running.empty()) return text + ", BLAS not OpenBLAS";
  text += ", OpenBLAS " + blas.running;
  if (blas.running != blas.detected) text += " (typetune's pick over OpenBLAS's " + blas.detected + ")";
  return text;
}

std::vector<::torch::Device> devices_from(std::string_view spec) {
  const auto fail = [&](const std::string& why) {
    return std::invalid_argument("typetune: device '" + std::string(spec) + "': " + why);
  };
  const auto cuda_count = [] {
    return ::torch::cuda::is_available() ? static_cast<std::int64_t>(::torch::cuda::device_count()) : 0;
  };
  std::vector<::torch::Device> out;
  std::size_t from = 0;
  while (from <= spec.size()) {
    const auto comma = std::min(spec.find(',', from), spec.size());
    const auto part = spec.substr(from, comma - from);
    from = comma + 1;
    if (part == "cpu") {
      out.emplace_back(::torch::kCPU);
    } else if (part == "auto") {
      const auto n = cuda_count();
      if (n == 0) out.emplace_back(::torch::kCPU);
      for (std::int64_t i = 0; i < n; ++i) out.emplace_back(::torch::kCUDA, static_cast<::torch::DeviceIndex>(i));
    } else if (part == "cuda" || part.starts_with("cuda:")) {
      std::int64_t index = 0;
      if (part != "cuda") {
        const auto digits = part.substr(5);
        if (digits.empty() || digits.size() > 3 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          throw fail("'" + std::string(part) + "' is not cuda:N");
        }
        index = std::stoll(std::string(digits));
      }
      const auto n = cuda_count();
      if (n == 0) throw fail("LibTorch sees no CUDA device (none visible, or LibTorch built without CUDA)");
      if (index >= n)
        throw fail("cuda:" + std::to_string(index) + ", but LibTorch sees " + std::to_string(n) + " CUDA device(s)");
      out.emplace_back(::torch::kCUDA, static_cast<::torch::DeviceIndex>(index));
    } else {
      throw fail("expected cpu, cuda, cuda:N, auto or a comma-separated list of them");
    }
  }
  return out;
}

void set_threads(int threads) {
  if (threads < 1) throw std::invalid_argument("typetune: set_threads needs at least one thread");
  // On OpenBLAS the products take the threads and LibTorch's OpenMP pool stays at one: with
  // both at n, OpenMP's idle threads spin while OpenBLAS's work (see the header).
  if (!set_blas_threads(threads)) ::torch::set_num_threads(threads);
  else ::torch::set_num_threads(1);
}

bool set_blas_threads(int threads) {
  if (threads < 1) throw std::invalid_argument("typetune: set_blas_threads needs at least one thread");
  // Looked up at run time: LibTorch may run on another BLAS, or OpenBLAS may not be loaded.
  using setter = void (*)(int);
  static const auto openblas = reinterpret_cast<setter>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (openblas == nullptr) return false;
  openblas(threads);
  return true;
}

int threads_per_worker(std::size_t workers) {
  const auto cores = std::max(1U, std::thread::hardware_concurrency());
  return static_cast<int>(std::max<std::size_t>(1, cores / std::max<std::size_t>(1, workers)));
}

struct trainer::state {
  model_ref model;
  fit_options options;
  std::unique_ptr<::torch::optim::Optimizer> optimizer;
  std::vector<::torch::Tensor> parameters;
  ::torch::Generator generator;
  history hist;
  double base_lr = 0;
  std::int64_t iterations = 0;  // batches trained so far, over every call to fit()
  // Early stopping (and the best epoch by the objective when there is none).
  double best_value = std::numeric_limits<double>::quiet_NaN();
  std::int64_t epochs_since_best = 0;
  std::vector<::torch::Tensor> best_weights;
};

trainer::trainer(model_ref model, fit_options options) : state_(std::make_unique<state>()) {
  if (!model) throw std::invalid_argument("typetune: trainer needs a model");
  if (options.batch_size < 1) throw std::invalid_argument("typetune: fit_options::batch_size must be at least 1");
  if (options.epochs < 0) throw std::invalid_argument("typetune: fit_options::epochs must not be negative");
  if (!(options.label_smoothing >= 0 && options.label_smoothing < 1))
    throw std::invalid_argument("typetune: fit_options::label_smoothing must be in [0, 1), not " +
                                std::to_string(options.label_smoothing));
  if (options.label_smoothing > 0 && options.loss != loss_kind::cross_entropy)
    throw std::invalid_argument("typetune: fit_options::label_smoothing applies to the cross-entropy loss only");
  if (options.clip_grad_norm && !(*options.clip_grad_norm > 0 && std::isfinite(*options.clip_grad_norm)))
    throw std::invalid_argument("typetune: fit_options::clip_grad_norm must be positive and finite, not " +
                                std::to_string(*options.clip_grad_norm));
  if (options.early_stop && options.early_stop->patience < 1)
    throw std::invalid_argument("typetune: early_stopping::patience must be at least 1");
  tune_allocator_once();
  state_->model = std::move(model);
  state_->options = std::move(options);
  state_->model.module().to(state_->options.device);
  state_->optimizer = make_optimizer(state_->model.module(), state_->options.optimizer, state_->options.fused_step);
  state_->parameters = state_->model.module().parameters();
  state_->base_lr = base_learning_rate(state_->options.optimizer);
  state_->generator = ::at::detail::createCPUGenerator(state_->options.seed);
}

trainer::~trainer() = default;
trainer::trainer(trainer&&) noexcept = default;
trainer& trainer::operator=(trainer&&) noexcept = default;

const history& trainer::progress() const noexcept { return state_->hist; }
const model_ref& trainer::model() const noexcept { return state_->model; }
const fit_options& trainer::options() const noexcept { return state_->options; }

const history& trainer::fit(const tensor_dataset& train_data, const tensor_dataset& validation, trial_context* trial,
                            std::int64_t until_epoch) {
  auto& s = *state_;
  const auto& o = s.options;
  const auto target = until_epoch > 0 ? until_epoch : o.epochs;
  if (train_data.size() == 0) throw std::invalid_argument("typetune: fit() needs training samples");
  const bool validate = validation.size() > 0;
  const std::string objective = !o.objective.empty() ? o.objective : validate ? "val_loss" : "loss";
  if (objective.starts_with("val_") && !validate)
    throw std::invalid_argument("typetune: the objective '" + objective + "' needs validation data");
  const auto monitor = o.early_stop ? o.early_stop->monitor : objective;
  auto& module = s.model.module();
  const auto device = o.device;
  const auto on_device = [&](const ::torch::Tensor& t) { return t.device() == device ? t : t.to(device); };
  const auto x = on_device(train_data.x());
  const auto y = on_device(train_data.y());
  const tensor_dataset val = validate ? validation.to(device) : tensor_dataset{};
  const auto n = x.size(0);
  s.hist.end = fit_end::completed;
  const flush_denormals flush;
  // typetune's dropout draws from this trainer's generator while it fits: a trial's masks do not
  // depend on what other workers draw meanwhile.
  const detail::dropout_generator_scope dropout_keys(s.generator);

  try {
    // Each batch is gathered from the shuffled order into the first rows of one buffer that every
    // batch reuses: a shuffled copy of the whole data (170 MB for Fashion-MNIST) would be written
    // and read back once more each epoch, and page-faulted in anew by every fit.
    const auto batch_rows = std::min(o.batch_size, n);
    const auto x_buffer = o.shuffle ? ::torch::empty_like(x.narrow(0, 0, batch_rows), ::torch::MemoryFormat::Contiguous)
                                    : x;
    const auto y_buffer = o.shuffle ? ::torch::empty_like(y.narrow(0, 0, batch_rows), ::torch::MemoryFormat::Contiguous)
                                    : y;
    ::torch::Tensor order;
    for (auto epoch = s.hist.epochs_trained() + 1; epoch <= target; ++epoch) {
      const auto started = std::chrono::steady_clock::now();
      module.train();
      if (o.shuffle)
        order = ::torch::randperm(n, s.generator, ::torch::TensorOptions().dtype(::torch::kLong)).to(device);
      auto loss_sum = ::torch::zeros({}, ::torch::TensorOptions().dtype(::torch::kDouble).device(device));
      // Correct predictions (classification) or the sum of absolute errors (regression).
      auto metric_sum = ::torch::zeros({}, ::torch::TensorOptions().dtype(::torch::kDouble).device(device));
      for (std::int64_t i = 0; i < n; i += o.batch_size) {
        const auto len = std::min(o.batch_size, n - i);
        for (auto& p : s.parameters) p.mutable_grad().reset();
        auto xbatch = o.shuffle ? x_buffer.narrow(0, 0, len) : x.narrow(0, i, len);
        auto yb = o.shuffle ? y_buffer.narrow(0, 0, len) : y.narrow(0, i, len);
        if (o.shuffle) {
          const auto rows = order.narrow(0, i, len);
          ::torch::index_select_out(xbatch, x, 0, rows);
          ::torch::index_select_out(yb, y, 0, rows);
        }
        const auto out = s.model.forward(xbatch);
        const auto loss = batch_loss(o.loss, out, yb, ::torch::kMean, o.label_smoothing);
        loss.backward();
        if (o.clip_grad_norm) ::torch::nn::utils::clip_grad_norm_(s.parameters, *o.clip_grad_norm);
        s.optimizer->step();
        ++s.iterations;
        loss_sum.add_(loss.detach(), static_cast<double>(len));
        const auto outputs = out.detach();
        metric_sum.add_(o.loss == loss_kind::cross_entropy ? outputs.argmax(1).eq(yb).sum()
                                                           : (outputs - yb).abs().sum());
        if (trial != nullptr && (trial->stop_requested() || trial->out_of_time())) break;
      }
      if (trial != nullptr && trial->stop_requested()) {
        s.hist.end = fit_end::interrupted;
        break;
      }
      if (trial != nullptr && trial->out_of_time()) {
        s.hist.end = fit_end::timed_out;
        break;
      }
      epoch_record record;
      record.epoch = epoch;
      record.learning_rate = s.optimizer->param_groups().front().options().get_lr();
      record.metrics["loss"] = loss_sum.item<double>() / static_cast<double>(n);
      if (o.loss == loss_kind::cross_entropy)
        record.metrics["accuracy"] = metric_sum.item<double>() / static_cast<double>(n);
      else record.metrics["mae"] = metric_sum.item<double>() / static_cast<double>(y.numel());
      if (validate) {
        for (const auto& [name, value] : evaluate(s.model, val, o.loss, o.eval_batch_size))
          record.metrics["val_" + name] = value;
      }
      const double lr = scheduled_learning_rate(o.schedule, s.base_lr, epoch, o.epochs, s.iterations);
      for (auto& group : s.optimizer->param_groups()) group.options().set_lr(lr);
      record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      s.hist.epochs.push_back(record);
      if (o.on_epoch) o.on_epoch(s.hist.epochs.back());

      const double train_loss = record.metrics["loss"];
      const auto objective_it = record.metrics.find(objective);
      if (objective_it == record.metrics.end())
        throw std::invalid_argument("typetune: the objective metric '" + objective +
                                    "' is not one the trainer records");
      if (o.stop_on_nan && (!std::isfinite(train_loss) || !std::isfinite(objective_it->second))) {
        s.hist.end = fit_end::diverged;
        break;
      }
      const auto monitored = record.metrics.find(monitor);
      if (monitored == record.metrics.end())
        throw std::invalid_argument("typetune: early stopping monitors '" + monitor +
                                    "', which the trainer does not record");
      const double value = monitored->second;
      const bool maximise = is_maximised(monitor);
      const double delta = o.early_stop ? o.early_stop->min_delta : 0.0;
      const bool improved = std::isnan(s.best_value) ||
                            (maximise ? value > s.best_value + delta : value < s.best_value - delta);
      if (improved) {
        s.best_value = value;
        s.hist.best_epoch = epoch;
        s.epochs_since_best = 0;
        if (o.early_stop && o.early_stop->restore_best) s.best_weights = snapshot(module);
      } else {
        ++s.epochs_since_best;
      }
      if (trial != nullptr) {
        trial->report(epoch, objective_it->second);
        if (trial->should_prune()) {
          s.hist.end = fit_end::pruned;
          break;
        }
      }
      if (o.early_stop && s.epochs_since_best >= o.early_stop->patience) {
        s.hist.end = fit_end::early_stopped;
        break;
      }
    }
  } catch (const c10::Error& e) {
    if (is_out_of_memory(e))
      throw out_of_memory_error(std::string("typetune: out of memory while training: ") + e.what_without_backtrace());
    throw;
  }
  if (o.early_stop && o.early_stop->restore_best && !s.best_weights.empty() && s.hist.end != fit_end::diverged &&
      s.hist.best_epoch != s.hist.epochs_trained())
    restore(module, s.best_weights);
  return s.hist;
}

}  // namespace typetune::torch
