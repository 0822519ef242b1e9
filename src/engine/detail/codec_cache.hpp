// A grid_codec built once per space: samplers are called once per trial with the same space,
// and rebuilding the per-value tables each time would dominate random search's cost.
#pragma once

#include <memory>
#include <optional>

#include "typetune/desc/grid_codec.hpp"

namespace typetune::detail {

class codec_cache {
 public:
  // The codec of `space`, rebuilt only when the space differs from the cached one.
  const grid_codec& get(const space_desc& space) {
    if (!space_ || !(*space_ == space)) {
      space_ = std::make_unique<space_desc>(space);
      codec_.emplace(*space_);
    }
    return *codec_;
  }

 private:
  std::unique_ptr<space_desc> space_;  // stable address: the codec points into it
  std::optional<grid_codec> codec_;
};

}  // namespace typetune::detail
