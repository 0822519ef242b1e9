// Dropout as torch::nn::Dropout computes it, with a faster mask on the CPU.
//
// In training each element is zeroed with probability p and the others are scaled by
// 1 / (1 - p); in eval mode the input passes through. On the CPU, LibTorch 1.13 without MKL
// draws one Bernoulli number per element from a Mersenne Twister (718 us for a 128 x 800
// batch, as long as the layer's matrix product); typetune's mask comes from a vectorised
// counter-based hash keyed by one draw from LibTorch's default generator, so
// torch::manual_seed still makes it reproducible. While a tt::torch::trainer fits, the draw
// comes from the trainer's own generator (fit_options::seed) instead, so that a trial's masks
// are the same whether other workers train beside it or not. Other devices use torch::dropout.
// A drop-in replacement: ::torch::nn::Dropout(0.2) -> tt::torch::Dropout(0.2).
#pragma once

#include <torch/torch.h>

namespace typetune::torch {

// The functional form: x itself when not training or when p == 0.
[[nodiscard]] ::torch::Tensor dropout(const ::torch::Tensor& x, double p, bool training);

class DropoutImpl : public ::torch::nn::Cloneable<DropoutImpl> {
 public:
  explicit DropoutImpl(double p = 0.5);
  void reset() override;
  [[nodiscard]] ::torch::Tensor forward(const ::torch::Tensor& x);
  void pretty_print(std::ostream& stream) const override;
  [[nodiscard]] double p() const noexcept { return p_; }

 private:
  double p_;
};
// The module holder, spelled out: TORCH_MODULE names torch:: unqualified, which inside
// typetune::torch would find this namespace.
class Dropout : public ::torch::nn::ModuleHolder<DropoutImpl> {
 public:
  using ::torch::nn::ModuleHolder<DropoutImpl>::ModuleHolder;
  using Impl = DropoutImpl;
};

}  // namespace typetune::torch
