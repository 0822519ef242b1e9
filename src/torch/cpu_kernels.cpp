// The kernels of cpu_kernels.hpp. Each body is written once as an always-inline function and
// instantiated in three wrappers with different target attributes; the compiler vectorises
// each for its instruction set (this file is built with -O3 -fno-math-errno, so sqrt and
// division vectorise too). One function pointer per kernel is chosen on first use.
#include "torch/cpu_kernels.hpp"

#include <cstdlib>
#include <cstring>

namespace typetune::torch::detail {
namespace {

#define TT_ALWAYS_INLINE inline __attribute__((always_inline))
#define TT_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,bmi2")))
#define TT_AVX2 __attribute__((target("avx2,fma,bmi2")))

TT_ALWAYS_INLINE void adam_body(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v,
                                std::int64_t n, const adam_coefficients& c) {
  const float l2 = c.l2, decay = c.decay, b1 = c.beta1, b2 = c.beta2, step = c.step_size, bc2 = c.sqrt_bc2, eps = c.eps;
  const float one_b1 = 1.0F - b1, one_b2 = 1.0F - b2;
  for (std::int64_t i = 0; i < n; ++i) {
    const float pi = p[i];
    const float gi = g[i] + l2 * pi;
    const float mi = b1 * m[i] + one_b1 * gi;
    const float vi = b2 * v[i] + one_b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = pi * decay + (-step * mi) / (__builtin_sqrtf(vi) / bc2 + eps);
  }
}

TT_ALWAYS_INLINE void sgd_body(float* __restrict p, const float* __restrict g, float* __restrict buf, std::int64_t n,
                               const sgd_coefficients& c) {
  const float lr = c.lr, l2 = c.l2, mom = c.momentum, keep = 1.0F - c.dampening;
  if (c.first) {
    for (std::int64_t i = 0; i < n; ++i) {
      const float d = g[i] + l2 * p[i];
      buf[i] = d;
      p[i] -= lr * (c.nesterov ? d + mom * d : d);
    }
    return;
  }
  if (c.nesterov) {
    for (std::int64_t i = 0; i < n; ++i) {
      const float d = g[i] + l2 * p[i];
      const float b = mom * buf[i] + keep * d;
      buf[i] = b;
      p[i] -= lr * (d + mom * b);
    }
  } else {
    for (std::int64_t i = 0; i < n; ++i) {
      const float d = g[i] + l2 * p[i];
      const float b = mom * buf[i] + keep * d;
      buf[i] = b;
      p[i] -= lr * b;
    }
  }
}

// Murmur3's 32-bit finaliser: a bijection with full avalanche, all in 32-bit lanes.
TT_ALWAYS_INLINE std::uint32_t mix32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x85EBCA6BU;
  x ^= x >> 13;
  x *= 0xC2B2AE35U;
  x ^= x >> 16;
  return x;
}

TT_ALWAYS_INLINE void dropout_body(float* __restrict out, std::int64_t offset, std::int64_t n, std::uint64_t key,
                                   std::uint32_t keep_below, float scale) {
  const auto k0 = static_cast<std::uint32_t>(key);
  const auto k1 = static_cast<std::uint32_t>(key >> 32);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto index = static_cast<std::uint64_t>(offset + i);
    const auto low = static_cast<std::uint32_t>(index);
    const auto high = static_cast<std::uint32_t>(index >> 32);
    const std::uint32_t h = mix32(mix32(low ^ k0) + (k1 ^ (high * 0x9E3779B9U)));
    out[i] = h < keep_below ? scale : 0.0F;
  }
}

using adam_fn = void (*)(float*, const float*, float*, float*, std::int64_t, const adam_coefficients&);
using sgd_fn = void (*)(float*, const float*, float*, std::int64_t, const sgd_coefficients&);
using dropout_fn = void (*)(float*, std::int64_t, std::int64_t, std::uint64_t, std::uint32_t, float);

#define TT_INSTANCES(suffix, attribute)                                                                               \
  attribute void adam_##suffix(float* p, const float* g, float* m, float* v, std::int64_t n, const adam_coefficients& c) { \
    adam_body(p, g, m, v, n, c);                                                                                       \
  }                                                                                                                    \
  attribute void sgd_##suffix(float* p, const float* g, float* b, std::int64_t n, const sgd_coefficients& c) {         \
    sgd_body(p, g, b, n, c);                                                                                           \
  }                                                                                                                    \
  attribute void dropout_##suffix(float* o, std::int64_t off, std::int64_t n, std::uint64_t k, std::uint32_t t,        \
                                  float s) {                                                                           \
    dropout_body(o, off, n, k, t, s);                                                                                  \
  }

TT_INSTANCES(default, )
#if defined(__x86_64__)
TT_INSTANCES(avx512, TT_AVX512)
TT_INSTANCES(avx2, TT_AVX2)
#endif

struct kernel_table {
  std::string_view capability;
  adam_fn adam;
  sgd_fn sgd;
  dropout_fn dropout;
};

}  // namespace

bool cpu_supports_avx512() noexcept {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

namespace {

// The CPU's best, lowered to ATEN_CPU_CAPABILITY's when that asks for less (LibTorch 1.13 reads
// "default", "avx2" and "avx512" from it).
const kernel_table& kernels() {
  static const kernel_table table = [] {
#if defined(__x86_64__)
    __builtin_cpu_init();
    int level = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) level = 1;
    if (level == 1 && cpu_supports_avx512()) level = 2;
    if (const char* asked = std::getenv("ATEN_CPU_CAPABILITY")) {
      if (std::strcmp(asked, "default") == 0) level = 0;
      else if (std::strcmp(asked, "avx2") == 0 && level > 1) level = 1;
    }
    if (level == 2) return kernel_table{"avx512", adam_avx512, sgd_avx512, dropout_avx512};
    if (level == 1) return kernel_table{"avx2", adam_avx2, sgd_avx2, dropout_avx2};
#endif
    return kernel_table{"default", adam_default, sgd_default, dropout_default};
  }();
  return table;
}

}  // namespace

void adam_step(float* p, const float* grad, float* m, float* v, std::int64_t n, const adam_coefficients& c) {
  kernels().adam(p, grad, m, v, n, c);
}

void sgd_momentum_step(float* p, const float* grad, float* buf, std::int64_t n, const sgd_coefficients& c) {
  kernels().sgd(p, grad, buf, n, c);
}

void dropout_mask(float* out, std::int64_t offset, std::int64_t n, std::uint64_t key, std::uint32_t keep_below,
                  float scale) {
  kernels().dropout(out, offset, n, key, keep_below, scale);
}

std::string_view kernel_capability() noexcept { return kernels().capability; }

}  // namespace typetune::torch::detail
