// Single-pass CPU kernels behind the trainer's optimizer steps and typetune's dropout. Plain
// C++ over float arrays (no LibTorch here): each is compiled for AVX-512, AVX2 and baseline
// x86-64 and picked once per process, following ATEN_CPU_CAPABILITY when it is set, so that
// LibTorch and these kernels run at the same capability.
#pragma once

#include <cstdint>
#include <string_view>

namespace typetune::torch::detail {

// One Adam step over n parameters, in the order of LibTorch's torch::optim::Adam/AdamW:
//   g = grad + l2 * p;  p *= decay;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//   p += -step_size * m / (sqrt(v) / sqrt_bc2 + eps)
// l2 is Adam's coupled weight decay (0 for AdamW), decay is AdamW's 1 - lr * wd (1 for Adam).
struct adam_coefficients {
  float l2 = 0;
  float decay = 1;
  float beta1 = 0.9F;
  float beta2 = 0.999F;
  float step_size = 0;  // lr / (1 - beta1^t)
  float sqrt_bc2 = 1;   // sqrt(1 - beta2^t)
  float eps = 1e-8F;
};
void adam_step(float* p, const float* grad, float* m, float* v, std::int64_t n, const adam_coefficients& c);

// One SGD step with momentum, in the order of torch::optim::SGD:
//   d = grad + l2 * p;  buf = first ? d : momentum buf + (1 - dampening) d;
//   p -= lr * (nesterov ? d + momentum buf : buf)
struct sgd_coefficients {
  float lr = 0;
  float l2 = 0;
  float momentum = 0;
  float dampening = 0;
  bool nesterov = false;
  bool first = false;  // the buffer is set to d on the first step
};
void sgd_momentum_step(float* p, const float* grad, float* buf, std::int64_t n, const sgd_coefficients& c);

// A dropout mask of n elements starting at element `offset` of the whole mask: scale where a
// counter-based hash of (key, index) falls below `keep_below`, 0 elsewhere. The value at each
// index depends only on the key and the index, so any split of the work gives the same mask.
void dropout_mask(float* out, std::int64_t offset, std::int64_t n, std::uint64_t key, std::uint32_t keep_below,
                  float scale);

// Whether the CPU runs AVX-512 F, BW, DQ and VL (the kernels' and OpenBLAS's SkylakeX level).
[[nodiscard]] bool cpu_supports_avx512() noexcept;

// The instruction set the kernels run with: "avx512", "avx2" or "default".
[[nodiscard]] std::string_view kernel_capability() noexcept;

}  // namespace typetune::torch::detail
