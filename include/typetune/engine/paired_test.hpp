// A paired comparison of two classifiers on the same test samples: the accuracy difference with
// a paired bootstrap interval and the exact McNemar test, to tell a gain from test-set noise.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace typetune {

struct paired_comparison {
  std::size_t samples = 0;
  double accuracy_a = 0, accuracy_b = 0;
  double difference = 0;            // accuracy_a - accuracy_b
  double ci_low = 0, ci_high = 0;   // 95 % paired bootstrap percentile interval of the difference
  std::size_t only_a_right = 0, only_b_right = 0;  // discordant pairs
  double mcnemar_p = 1;             // exact two-sided McNemar (binomial on the discordant pairs)
  [[nodiscard]] bool beyond_noise() const noexcept { return ci_low > 0 || ci_high < 0; }
};

// a_correct[i], b_correct[i]: 1 when model a (b) classified test sample i right. The bootstrap
// resamples the n pairs with replacement; only the discordant pairs move the difference, so a
// replicate draws their counts (binomially, from std::mt19937_64 seeded with `seed`) instead of
// n indices. The interval is the 2.5 and 97.5 percentiles of `resamples` replicates. Throws
// std::invalid_argument, naming what is wrong, for inputs of different lengths, empty inputs,
// a value other than 0 or 1, or fewer than 100 resamples.
[[nodiscard]] paired_comparison compare_paired(std::span<const std::uint8_t> a_correct,
                                               std::span<const std::uint8_t> b_correct, std::uint64_t seed = 0,
                                               std::size_t resamples = 10000);

// The exact two-sided McNemar p-value for n10 and n01 discordant pairs: min(1, 2 P(X <= min))
// for X ~ Bin(n10 + n01, 1/2), summed in log space; 1 when there are none.
[[nodiscard]] double mcnemar_exact_p(std::size_t n10, std::size_t n01);

// One line, in accuracy points (percent): "+0.62 points (95 % CI +0.21 to +1.03; McNemar
// p = 0.003): beyond noise", or "... within noise" when the interval holds 0.
[[nodiscard]] std::string describe(const paired_comparison& c);

}  // namespace typetune
