// A keyed bijection of [0, n) for any n <= 2^64: a balanced Feistel network on the next even
// power of two, with cycle walking, so "trial number -> grid index" never repeats an index.
#pragma once

#include <array>
#include <cstdint>

namespace typetune::detail {

class feistel_permutation {
 public:
  feistel_permutation(std::uint64_t n, std::array<std::uint64_t, 6> round_keys) noexcept;

  // The image of x < n. Expected fewer than 4 network passes (the domain is < 4n).
  [[nodiscard]] std::uint64_t operator()(std::uint64_t x) const noexcept;

 private:
  [[nodiscard]] std::uint64_t encrypt(std::uint64_t x) const noexcept;

  std::uint64_t n_;
  unsigned half_bits_;
  std::uint64_t half_mask_;
  std::array<std::uint64_t, 6> keys_;
};

// The permutation random search uses for `seed`: keys from the study-level permutation stream.
[[nodiscard]] feistel_permutation seeded_permutation(std::uint64_t n, std::uint64_t seed);

}  // namespace typetune::detail
