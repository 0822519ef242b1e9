// Index <-> configuration for finite spaces: a mixed-radix numbering in which the options of a
// branch and the counts of a repeat are summed. The one runtime count of a grid: space_desc's
// grid_size(), the grid sampler and sampling without replacement all use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "typetune/desc/space_desc.hpp"

namespace typetune {

// The configurations of a parameter's subtree number sum over its values of the product of the
// sizes of the child subtrees active under that value; a space is the product over its roots.
// Index n is decoded mixed-radix: among siblings the last varies fastest, and within a subtree
// the values come in order, each owning a block as large as the product under it.
class grid_codec {
 public:
  explicit grid_codec(const space_desc& space);

  // Number of configurations; nullopt when a reachable parameter is a continuous real.
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept { return size_; }
  // True when some count exceeded 2^64 - 1 (decode is then not defined).
  [[nodiscard]] bool saturated() const noexcept { return saturated_; }
  // The first reachable continuous real, for error messages.
  [[nodiscard]] std::optional<std::size_t> first_continuous() const noexcept { return continuous_; }

  // Configuration `index` (< size()): exactly the active parameters hold values.
  [[nodiscard]] assignment decode(std::uint64_t index) const;

 private:
  struct node {
    std::uint64_t cardinality = 0;
    std::uint64_t count = 0;  // configurations of the subtree
    bool infinite = false;
    // For parameters with children: per value, the active children and the block size.
    std::vector<std::vector<std::size_t>> active_children;
    std::vector<std::uint64_t> blocks;
  };

  void decode_subtree(std::size_t i, std::uint64_t index, assignment& a) const;
  void decode_product(const std::vector<std::size_t>& siblings, std::uint64_t index,
                      assignment& a) const;

  const space_desc* space_;
  std::vector<node> nodes_;
  std::vector<std::size_t> roots_;
  std::optional<std::uint64_t> size_;
  bool saturated_ = false;
  std::optional<std::size_t> continuous_;
};

}  // namespace typetune
