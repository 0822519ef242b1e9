// The keyed bijection behind random search without replacement (see detail/feistel.hpp).
#include <algorithm>
#include <bit>

#include "engine/detail/feistel.hpp"
#include "typetune/engine/random_stream.hpp"

namespace typetune::detail {
namespace {

// SplitMix64's finaliser: a cheap full-avalanche mix, enough for a round function.
constexpr std::uint64_t mix(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

feistel_permutation::feistel_permutation(std::uint64_t n,
                                         std::array<std::uint64_t, 6> round_keys) noexcept
    : n_(n), keys_(round_keys) {
  const unsigned bits = n <= 1 ? 0u : static_cast<unsigned>(64 - std::countl_zero(n - 1));
  half_bits_ = std::max(1u, (bits + 1) / 2);
  half_mask_ = half_bits_ >= 32 ? 0xFFFFFFFFull : (1ull << half_bits_) - 1;
}

std::uint64_t feistel_permutation::encrypt(std::uint64_t x) const noexcept {
  std::uint64_t left = x >> half_bits_;
  std::uint64_t right = x & half_mask_;
  for (const auto key : keys_) {
    const std::uint64_t f = mix(right ^ key) & half_mask_;
    const std::uint64_t next_right = left ^ f;
    left = right;
    right = next_right;
  }
  return (left << half_bits_) | right;
}

std::uint64_t feistel_permutation::operator()(std::uint64_t x) const noexcept {
  if (n_ <= 1) return 0;
  // Cycle walking: the network permutes [0, 2^(2h)); following the cycle until it re-enters
  // [0, n) gives a permutation of [0, n).
  do {
    x = encrypt(x);
  } while (x >= n_);
  return x;
}

feistel_permutation seeded_permutation(std::uint64_t n, std::uint64_t seed) {
  random_stream keys(seed, 0, stream_ids::permutation_key);
  std::array<std::uint64_t, 6> round_keys{};
  for (auto& k : round_keys) k = keys();
  return {n, round_keys};
}

}  // namespace typetune::detail
