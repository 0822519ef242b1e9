// Where typetune's dropout draws the key of each mask: from the generator of the trainer that
// is fitting on this thread (seeded by its fit_options::seed), so that a trial draws the same
// masks whether other workers train beside it or not; outside a fit, from LibTorch's default
// CPU generator (torch::manual_seed repeats it).
#pragma once

#include <ATen/core/Generator.h>

namespace typetune::torch::detail {

// While it lives, dropout on this thread draws its keys from `generator`, which must outlive it.
class dropout_generator_scope {
 public:
  explicit dropout_generator_scope(::at::Generator& generator) noexcept;
  ~dropout_generator_scope();
  dropout_generator_scope(const dropout_generator_scope&) = delete;
  dropout_generator_scope& operator=(const dropout_generator_scope&) = delete;

 private:
  ::at::Generator* previous_;
};

}  // namespace typetune::torch::detail
