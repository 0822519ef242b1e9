// Counter-based random streams: a Philox-4x32-10 generator keyed by the study seed and
// positioned by (trial number, stream id), so any trial's draws can be recomputed from its number.
#pragma once

#include <array>
#include <cstdint>
#include <limits>

namespace typetune {

// Stream ids keep the draws of different consumers of one trial independent: two samplers (or a
// sampler and a pruner) never see correlated numbers even with the same seed and trial number.
namespace stream_ids {
inline constexpr std::uint32_t random_sampler = 0;
inline constexpr std::uint32_t permutation_key = 1;  // study-level: the without-replacement order
inline constexpr std::uint32_t sobol_scramble = 2;   // study-level: the Sobol scrambling
inline constexpr std::uint32_t trial_seed = 3;       // per-trial: the seed an objective is handed
inline constexpr std::uint32_t tpe = 16;             // reserved for model-based samplers
inline constexpr std::uint32_t gp = 32;
inline constexpr std::uint32_t nsga2 = 48;   // NSGA-II: tournaments, crossover, mutation
inline constexpr std::uint32_t user = 1024;  // first id free for users' own draws
}  // namespace stream_ids

namespace detail {

// One Philox-4x32 block: 10 rounds of the Salmon et al. (SC'11) bijection. Counter-based, so
// there is no state to share between threads and no sequence to replay.
[[nodiscard]] constexpr std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> ctr,
                                                                   std::array<std::uint32_t, 2> key) noexcept {
  constexpr std::uint64_t m0 = 0xD2511F53u;
  constexpr std::uint64_t m1 = 0xCD9E8D57u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += 0x9E3779B9u;
      key[1] += 0xBB67AE85u;
    }
    const std::uint64_t p0 = m0 * ctr[0];
    const std::uint64_t p1 = m1 * ctr[2];
    ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
  }
  return ctr;
}

}  // namespace detail

// A UniformRandomBitGenerator whose output is a pure function of (seed, trial, stream): usable
// with <random> distributions and Boost.Random. 2^32 blocks of 128 bits per stream.
class random_stream {
 public:
  using result_type = std::uint64_t;

  constexpr random_stream(std::uint64_t seed, std::uint64_t trial, std::uint32_t stream = 0) noexcept
      : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)},
        counter_{0, stream, static_cast<std::uint32_t>(trial), static_cast<std::uint32_t>(trial >> 32)} {}

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  constexpr result_type operator()() noexcept {
    if (used_ == 2) {
      block_ = detail::philox4x32_10(counter_, key_);
      ++counter_[0];
      used_ = 0;
    }
    const auto lo = block_[2 * used_];
    const auto hi = block_[2 * used_ + 1];
    ++used_;
    return (static_cast<std::uint64_t>(hi) << 32) | lo;
  }

  // A double in [0, 1) with 53 random bits.
  constexpr double uniform01() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  // An integer in [0, n) without modulo bias: reject the few draws below 2^64 mod n.
  constexpr std::uint64_t below(std::uint64_t n) noexcept {
    if (n <= 1) return 0;
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
      const auto x = (*this)();
      if (x >= threshold) return x % n;
    }
  }

  constexpr void discard(unsigned long long n) noexcept {
    for (; n > 0; --n) (*this)();
  }

 private:
  std::array<std::uint32_t, 2> key_;
  std::array<std::uint32_t, 4> counter_;
  std::array<std::uint32_t, 4> block_{};
  int used_ = 2;
};

}  // namespace typetune
