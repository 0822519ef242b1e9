// OpenBLAS's dynamic-arch kernels, looked up at run time (LibTorch may run on another BLAS):
// which core runs, switching it, and when typetune prefers SkylakeX's (trainer.cpp does that
// once at load time; see cpu_kernels() in include/typetune/torch/trainer.hpp).
#pragma once

#include <string>
#include <string_view>

namespace typetune::torch::detail {

// The core OpenBLAS runs ("Haswell", "SkylakeX", ...); "" when OpenBLAS is not loaded.
[[nodiscard]] std::string openblas_core_name();

// The threads OpenBLAS's products run on (set_blas_threads sets them); 0 when OpenBLAS is not
// loaded.
[[nodiscard]] int openblas_threads();

// Whether typetune switches OpenBLAS to SkylakeX: the CPU has AVX-512, OpenBLAS picked an AVX2
// core (Haswell, Zen), and neither OPENBLAS_CORETYPE nor a lowered ATEN_CPU_CAPABILITY is set.
[[nodiscard]] bool prefers_skylakex(std::string_view detected, bool avx512, const char* openblas_coretype,
                                    const char* aten_capability);

// Re-initialises OpenBLAS with `core` (OPENBLAS_CORETYPE's names; nullptr: OpenBLAS's own pick)
// and returns the core now running; the environment is left as it was. Only while no thread
// is inside OpenBLAS.
std::string switch_openblas_core(const char* core);

}  // namespace typetune::torch::detail
