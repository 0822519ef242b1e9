// Loaders, splits and folds of include/typetune/torch/data.hpp.
#include "typetune/torch/data.hpp"
namespace typetune::torch {
tensor_dataset::tensor_dataset(::torch::Tensor x, ::torch::Tensor y) : x_(std::move(x)), y_(std::move(y)) {}
tensor_dataset tensor_dataset::subset(const ::torch::Tensor& i) const { return {x_.index_select(0, i), y_.index_select(0, i)}; }
tensor_dataset tensor_dataset::to(const ::torch::Device& d) const { return {x_.to(d), y_.to(d)}; }
}
