// What the LibTorch example programs share: wall time, stratified slices of a data set for
// their quick runs, and images flattened for an MLP.
#pragma once

#include <chrono>
#include <cstdint>

#include <typetune/torch/data.hpp>

namespace examples {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A stratified slice of `count` samples (all of them when count is 0 or at least their number).
inline typetune::torch::tensor_dataset slice(const typetune::torch::tensor_dataset& d, std::int64_t count,
                                             std::uint64_t seed) {
  if (count <= 0 || count >= d.size()) return d;
  const double fraction = static_cast<double>(count) / static_cast<double>(d.size());
  return d.subset(typetune::torch::stratified_split(d.y(), fraction, seed).validation);
}

// Images [N, 28, 28] as rows of 784 features.
inline typetune::torch::tensor_dataset flatten(const typetune::torch::tensor_dataset& d) {
  return {d.x().reshape({d.size(), -1}), d.y()};
}

}  // namespace examples
