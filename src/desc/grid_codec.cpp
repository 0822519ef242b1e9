// Index <-> configuration numbering of finite spaces (see typetune/desc/grid_codec.hpp).
#include <limits>
#include <stdexcept>

#include "typetune/desc/grid_codec.hpp"

namespace typetune {
namespace {

constexpr auto max_u64 = std::numeric_limits<std::uint64_t>::max();

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b, bool& saturated) {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) {
    saturated = true;
    return max_u64;
  }
  return r;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b, bool& saturated) {
  std::uint64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    saturated = true;
    return max_u64;
  }
  return r;
}

}  // namespace

grid_codec::grid_codec(const space_desc& space) : space_(&space), nodes_(space.size()) {
  const std::size_t n = space.size();
  std::vector<std::vector<std::size_t>> children(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = space.params[i];
    if (p.active_if && p.active_if->parent < i) {
      children[p.active_if->parent].push_back(i);
    } else if (!p.active_if) {
      roots_.push_back(i);
    } else {
      throw std::invalid_argument("typetune: parameter '" + p.path +
                                  "' names a parent that does not come before it");
    }
  }

  // Children come after their parents, so a reverse sweep sees every subtree before its root.
  for (std::size_t i = n; i-- > 0;) {
    auto& node = nodes_[i];
    const auto& p = space.params[i];
    node.cardinality = p.kind == param_kind::constant ? 1 : p.cardinality();
    if (node.cardinality == 0) {
      node.infinite = true;
      continue;
    }
    if (children[i].empty()) {
      node.count = node.cardinality;
      continue;
    }
    node.active_children.resize(node.cardinality);
    node.blocks.resize(node.cardinality);
    for (std::uint64_t k = 0; k < node.cardinality; ++k) {
      const param_value v = p.value_at(k);
      std::uint64_t block = 1;
      for (const auto c : children[i]) {
        const auto* parent_value = std::get_if<std::int64_t>(&v);
        if (parent_value == nullptr || !space.params[c].active_if->holds(*parent_value)) continue;
        node.active_children[k].push_back(c);
        node.infinite = node.infinite || nodes_[c].infinite;
        block = saturating_mul(block, nodes_[c].count, saturated_);
      }
      node.blocks[k] = block;
      node.count = saturating_add(node.count, block, saturated_);
    }
  }

  bool infinite = false;
  std::uint64_t total = 1;
  for (const auto r : roots_) {
    infinite = infinite || nodes_[r].infinite;
    total = saturating_mul(total, nodes_[r].count, saturated_);
  }
  if (!infinite) {
    size_ = total;
    return;
  }
  // Name the first continuous parameter that some configuration can reach.
  std::vector<bool> reachable(n, false);
  for (const auto r : roots_) reachable[r] = true;
  for (std::size_t i = 0; i < n; ++i) {
    if (!reachable[i]) continue;
    if (nodes_[i].cardinality == 0) {
      continuous_ = i;
      return;
    }
    for (const auto& active : nodes_[i].active_children) {
      for (const auto c : active) reachable[c] = true;
    }
  }
}

assignment grid_codec::decode(std::uint64_t index) const {
  if (!size_ || saturated_ || index >= *size_) {
    throw std::out_of_range("typetune: grid index " + std::to_string(index) +
                            " is outside the space's configurations");
  }
  assignment a;
  a.values.assign(space_->size(), std::monostate{});
  decode_product(roots_, index, a);
  return a;
}

void grid_codec::decode_product(const std::vector<std::size_t>& siblings, std::uint64_t index,
                                assignment& a) const {
  for (std::size_t j = siblings.size(); j-- > 0;) {
    const auto c = siblings[j];
    const auto count = nodes_[c].count;
    decode_subtree(c, index % count, a);
    index /= count;
  }
}

void grid_codec::decode_subtree(std::size_t i, std::uint64_t index, assignment& a) const {
  const auto& node = nodes_[i];
  const auto& p = space_->params[i];
  if (node.blocks.empty()) {
    a.values[i] = p.kind == param_kind::constant ? param_value{std::int64_t{0}} : p.value_at(index);
    return;
  }
  for (std::uint64_t k = 0; k < node.cardinality; ++k) {
    if (index < node.blocks[k]) {
      a.values[i] = p.value_at(k);
      decode_product(node.active_children[k], index, a);
      return;
    }
    index -= node.blocks[k];
  }
}

}  // namespace typetune
