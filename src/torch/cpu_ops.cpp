// The LibTorch side of cpu_kernels.hpp: fused optimizer steps (fused_optimizers.hpp) and
// typetune's dropout (include/typetune/torch/dropout.hpp).
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>

#include "torch/cpu_kernels.hpp"
#include "torch/dropout_keys.hpp"
#include "torch/fused_optimizers.hpp"
#include "typetune/torch/dropout.hpp"

namespace typetune::torch {
namespace detail {
namespace {

// Elements per task when LibTorch has more than one intra-op thread.
constexpr std::int64_t grain = std::int64_t{1} << 16;

bool dense_cpu_float(const ::torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == ::torch::kFloat && t.layout() == ::torch::kStrided &&
         t.is_contiguous();
}

// Whether every parameter with a gradient (and its state, once made) can take the fused step.
template <class State>
bool fusable(const std::vector<::torch::optim::OptimizerParamGroup>& groups,
             const ska::flat_hash_map<std::string, std::unique_ptr<::torch::optim::OptimizerParamState>>& state,
             const auto& state_ok) {
  for (const auto& group : groups) {
    for (const auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (!dense_cpu_float(p) || !dense_cpu_float(p.grad()) || p.grad().sizes() != p.sizes()) return false;
      const auto it = state.find(c10::guts::to_string(p.unsafeGetTensorImpl()));
      if (it != state.end() && !state_ok(static_cast<const State&>(*it->second))) return false;
    }
  }
  return true;
}

template <class Fn>
void for_chunks(std::int64_t n, Fn&& fn) {
  ::at::parallel_for(0, n, grain, [&](std::int64_t begin, std::int64_t end) { fn(begin, end - begin); });
}

// Adam (coupled L2 weight decay) and AdamW (decoupled) share one kernel.
template <class Base, class Options, class State, bool decoupled>
class fused_adam_family final : public Base {
 public:
  using Base::Base;

  ::torch::Tensor step(::torch::optim::Optimizer::LossClosure closure = nullptr) override {
    const auto state_ok = [](const State& s) {
      return dense_cpu_float(s.exp_avg()) && dense_cpu_float(s.exp_avg_sq());
    };
    for (const auto& group : this->param_groups_)
      if (static_cast<const Options&>(group.options()).amsgrad()) return Base::step(std::move(closure));
    if (!fusable<State>(this->param_groups_, this->state_, state_ok)) return Base::step(std::move(closure));

    ::torch::NoGradGuard no_grad;
    ::torch::Tensor loss;
    if (closure != nullptr) {
      ::at::AutoGradMode enable_grad(true);
      loss = closure();
    }
    for (auto& group : this->param_groups_) {
      const auto& o = static_cast<const Options&>(group.options());
      const auto [beta1, beta2] = o.betas();
      for (auto& p : group.params()) {
        if (!p.grad().defined()) continue;
        const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
        auto it = this->state_.find(key);
        if (it == this->state_.end()) {
          auto fresh = std::make_unique<State>();
          fresh->step(0);
          fresh->exp_avg(::torch::zeros_like(p, ::torch::MemoryFormat::Contiguous));
          fresh->exp_avg_sq(::torch::zeros_like(p, ::torch::MemoryFormat::Contiguous));
          this->state_[key] = std::move(fresh);
          it = this->state_.find(key);
        }
        auto& s = static_cast<State&>(*it->second);
        s.step(s.step() + 1);
        const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(s.step()));
        const double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(s.step()));
        adam_coefficients c;
        c.l2 = decoupled ? 0.0F : static_cast<float>(o.weight_decay());
        c.decay = decoupled ? static_cast<float>(1 - o.lr() * o.weight_decay()) : 1.0F;
        c.beta1 = static_cast<float>(beta1);
        c.beta2 = static_cast<float>(beta2);
        c.step_size = static_cast<float>(o.lr() / bias_correction1);
        c.sqrt_bc2 = static_cast<float>(std::sqrt(bias_correction2));
        c.eps = static_cast<float>(o.eps());
        float* param = p.template data_ptr<float>();
        const float* grad = p.grad().template data_ptr<float>();
        float* m = s.exp_avg().template data_ptr<float>();
        float* v = s.exp_avg_sq().template data_ptr<float>();
        for_chunks(p.numel(), [&](std::int64_t at, std::int64_t count) {
          adam_step(param + at, grad + at, m + at, v + at, count, c);
        });
      }
    }
    return loss;
  }
};

class fused_sgd_impl final : public ::torch::optim::SGD {
 public:
  using SGD::SGD;

  ::torch::Tensor step(LossClosure closure = nullptr) override {
    const auto state_ok = [](const ::torch::optim::SGDParamState& s) { return dense_cpu_float(s.momentum_buffer()); };
    for (const auto& group : param_groups_)
      if (static_cast<const ::torch::optim::SGDOptions&>(group.options()).momentum() == 0)
        return SGD::step(std::move(closure));
    if (!fusable<::torch::optim::SGDParamState>(param_groups_, state_, state_ok)) return SGD::step(std::move(closure));

    ::torch::NoGradGuard no_grad;
    ::torch::Tensor loss;
    if (closure != nullptr) {
      ::at::AutoGradMode enable_grad(true);
      loss = closure();
    }
    for (auto& group : param_groups_) {
      const auto& o = static_cast<const ::torch::optim::SGDOptions&>(group.options());
      for (auto& p : group.params()) {
        if (!p.grad().defined()) continue;
        const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
        sgd_coefficients c;
        c.lr = static_cast<float>(o.lr());
        c.l2 = static_cast<float>(o.weight_decay());
        c.momentum = static_cast<float>(o.momentum());
        c.dampening = static_cast<float>(o.dampening());
        c.nesterov = o.nesterov();
        auto it = state_.find(key);
        if (it == state_.end()) {
          auto fresh = std::make_unique<::torch::optim::SGDParamState>();
          fresh->momentum_buffer(::torch::empty_like(p, ::torch::MemoryFormat::Contiguous));
          state_[key] = std::move(fresh);
          it = state_.find(key);
          c.first = true;
        }
        float* param = p.data_ptr<float>();
        const float* grad = p.grad().data_ptr<float>();
        float* buf = static_cast<::torch::optim::SGDParamState&>(*it->second).momentum_buffer().data_ptr<float>();
        for_chunks(p.numel(), [&](std::int64_t at, std::int64_t count) {
          sgd_momentum_step(param + at, grad + at, buf + at, count, c);
        });
      }
    }
    return loss;
  }
};

}  // namespace

std::unique_ptr<::torch::optim::Optimizer> fused_adam(std::vector<::torch::Tensor> params,
                                                      const ::torch::optim::AdamOptions& options) {
  return std::make_unique<
      fused_adam_family<::torch::optim::Adam, ::torch::optim::AdamOptions, ::torch::optim::AdamParamState, false>>(
      std::move(params), options);
}

std::unique_ptr<::torch::optim::Optimizer> fused_adamw(std::vector<::torch::Tensor> params,
                                                       const ::torch::optim::AdamWOptions& options) {
  return std::make_unique<
      fused_adam_family<::torch::optim::AdamW, ::torch::optim::AdamWOptions, ::torch::optim::AdamWParamState, true>>(
      std::move(params), options);
}

std::unique_ptr<::torch::optim::Optimizer> fused_sgd(std::vector<::torch::Tensor> params,
                                                     const ::torch::optim::SGDOptions& options) {
  return std::make_unique<fused_sgd_impl>(std::move(params), options);
}

}  // namespace detail

namespace detail {
namespace {
thread_local ::at::Generator* dropout_keys = nullptr;
}  // namespace

dropout_generator_scope::dropout_generator_scope(::at::Generator& generator) noexcept : previous_(dropout_keys) {
  dropout_keys = &generator;
}
dropout_generator_scope::~dropout_generator_scope() { dropout_keys = previous_; }
}  // namespace detail

::torch::Tensor dropout(const ::torch::Tensor& x, double p, bool training) {
  if (!(p >= 0 && p <= 1))
    throw std::invalid_argument("typetune: dropout probability must be in [0, 1], not " + std::to_string(p));
  if (!training || p == 0) return x;
  if (p == 1) return x * ::torch::zeros_like(x);
  if (!x.device().is_cpu() || x.scalar_type() != ::torch::kFloat) return ::torch::dropout(x, p, true);
  std::uint64_t key = 0;
  {
    auto generator = detail::dropout_keys != nullptr ? *detail::dropout_keys : ::at::detail::getDefaultCPUGenerator();
    const std::lock_guard<std::mutex> lock(generator.mutex());
    key = ::at::check_generator<::at::CPUGeneratorImpl>(generator)->random64();
  }
  const double keep = 1 - p;
  // keep < 1, so the threshold fits in 32 bits.
  const auto keep_below = static_cast<std::uint32_t>(std::min(std::ldexp(keep, 32), 4294967295.0));
  auto mask = ::torch::empty(x.sizes(),
                             x.options().memory_format(::torch::MemoryFormat::Contiguous).requires_grad(false));
  float* out = mask.data_ptr<float>();
  const auto scale = static_cast<float>(1 / keep);
  ::at::parallel_for(0, mask.numel(), detail::grain, [&](std::int64_t begin, std::int64_t end) {
    detail::dropout_mask(out + begin, begin, end - begin, key, keep_below, scale);
  });
  return x * mask;
}

DropoutImpl::DropoutImpl(double p) : p_(p) {
  if (!(p >= 0 && p <= 1))
    throw std::invalid_argument("typetune: Dropout's probability must be in [0, 1], not " + std::to_string(p));
}

void DropoutImpl::reset() {}

::torch::Tensor DropoutImpl::forward(const ::torch::Tensor& x) {
  return typetune::torch::dropout(x, p_, is_training());
}

void DropoutImpl::pretty_print(std::ostream& stream) const { stream << "typetune::torch::Dropout(p=" << p_ << ")"; }

}  // namespace typetune::torch
