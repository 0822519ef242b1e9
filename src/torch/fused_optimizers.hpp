// LibTorch's Adam, AdamW and SGD (with momentum) with a step that makes one pass over each
// parameter (cpu_kernels.hpp) instead of LibTorch's seven to nine tensor operations and two
// temporaries: the same rule, the same state (so state_dict and serialisation are unchanged),
// and LibTorch's own step for anything the kernels do not cover (another device or dtype,
// non-contiguous or sparse tensors, AMSGrad, SGD without momentum).
#pragma once

#include <memory>
#include <vector>

#include <torch/torch.h>

namespace typetune::torch::detail {

[[nodiscard]] std::unique_ptr<::torch::optim::Optimizer> fused_adam(std::vector<::torch::Tensor> params,
                                                                     const ::torch::optim::AdamOptions& options);
[[nodiscard]] std::unique_ptr<::torch::optim::Optimizer> fused_adamw(std::vector<::torch::Tensor> params,
                                                                      const ::torch::optim::AdamWOptions& options);
[[nodiscard]] std::unique_ptr<::torch::optim::Optimizer> fused_sgd(std::vector<::torch::Tensor> params,
                                                                    const ::torch::optim::SGDOptions& options);

}  // namespace typetune::torch::detail
