// The paired comparison of two classifiers: exact McNemar values, the bootstrap interval (where
// it lies, how it shrinks with n, that a seed repeats it), the summary line and bad inputs.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "typetune/engine/paired_test.hpp"

using namespace typetune;

namespace {

// n test samples: `both` right for both models, `only_a` right for a alone, `only_b` for b alone,
// the rest wrong for both; interleaved so that no cell is one block.
struct samples {
  std::vector<std::uint8_t> a, b;
};

samples make(std::size_t n, std::size_t both, std::size_t only_a, std::size_t only_b) {
  REQUIRE(both + only_a + only_b <= n);
  samples s;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t cell = (i * 7919) % n;  // a permutation of 0..n-1 for n not divisible by 7919
    const bool a = cell < both + only_a;
    const bool b = cell < both || (cell >= both + only_a && cell < both + only_a + only_b);
    s.a.push_back(a ? 1 : 0);
    s.b.push_back(b ? 1 : 0);
  }
  return s;
}

paired_comparison compare(const samples& s, std::uint64_t seed = 0, std::size_t resamples = 10000) {
  return compare_paired(s.a, s.b, seed, resamples);
}

std::string error_of(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b, std::size_t resamples = 10000) {
  try {
    (void)compare_paired(a, b, 0, resamples);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  FAIL("no std::invalid_argument was thrown");
  return {};
}

}  // namespace

TEST_CASE("exact McNemar: known p-values, 1 without discordant pairs or when they balance", "[paired]") {
  // Exact values: 2 * sum_{i <= min} C(m, i) / 2^m, computed with integer binomials.
  CHECK(mcnemar_exact_p(10, 2) == Approx(0.03857421875).epsilon(1e-9));
  CHECK(mcnemar_exact_p(2, 10) == Approx(0.03857421875).epsilon(1e-9));
  CHECK(mcnemar_exact_p(5, 0) == Approx(0.0625).epsilon(1e-9));
  CHECK(mcnemar_exact_p(20, 40) == Approx(0.01348929373119186).epsilon(1e-9));
  CHECK(mcnemar_exact_p(520, 480) == Approx(0.21744829320414094).epsilon(1e-9));
  CHECK(mcnemar_exact_p(300, 100) == Approx(2.5918869069720767e-24).epsilon(1e-6));
  // 4000 discordant pairs: C(4000, 1000) alone overflows a double; in log space it does not.
  CHECK(mcnemar_exact_p(3000, 1000) == Approx(2.4915145386299067e-229).epsilon(1e-6));
  CHECK(mcnemar_exact_p(1, 0) == 1.0);
  CHECK(mcnemar_exact_p(0, 0) == 1.0);
  for (std::size_t k : {1u, 7u, 500u, 50000u}) CHECK(mcnemar_exact_p(k, k) == 1.0);

  const auto c = compare(make(200, 150, 10, 2));
  CHECK(c.only_a_right == 10);
  CHECK(c.only_b_right == 2);
  CHECK(std::round(c.mcnemar_p * 1e5) / 1e5 == Approx(0.03857));
}

TEST_CASE("the counts and accuracies of the 2x2 table", "[paired]") {
  const auto c = compare(make(1000, 800, 30, 10));
  CHECK(c.samples == 1000);
  CHECK(c.accuracy_a == Approx(0.83));
  CHECK(c.accuracy_b == Approx(0.81));
  CHECK(c.difference == Approx(0.02));
  CHECK(c.only_a_right == 30);
  CHECK(c.only_b_right == 10);
  CHECK(c.mcnemar_p == Approx(0.0022214337732293643).epsilon(1e-9));
}

TEST_CASE("identical predictions: difference 0, a zero-width interval, p = 1, within noise", "[paired]") {
  const auto s = make(500, 400, 0, 0);
  const auto c = compare_paired(s.a, s.a);
  CHECK(c.difference == 0.0);
  CHECK(c.ci_low == 0.0);
  CHECK(c.ci_high == 0.0);
  CHECK(c.mcnemar_p == 1.0);
  CHECK_FALSE(c.beyond_noise());
  CHECK(describe(c) == "+0.00 points (95 % CI +0.00 to +0.00; McNemar p = 1.000): within noise");
}

TEST_CASE("a clear difference (10000 samples, 300 vs 100 discordant) is beyond noise", "[paired]") {
  const auto c = compare(make(10000, 8000, 300, 100), 1);
  CHECK(c.difference == Approx(0.02));
  CHECK(c.ci_low < c.difference);
  CHECK(c.ci_high > c.difference);
  CHECK(c.ci_low > 0.0);
  CHECK(c.beyond_noise());
  CHECK(c.mcnemar_p < 1e-20);
  // The normal approximation of the paired difference's spread: sqrt((p10 + p01 - d^2) / n).
  const double se = std::sqrt((0.03 + 0.01 - 0.02 * 0.02) / 10000);
  CHECK(c.ci_low == Approx(0.02 - 1.96 * se).margin(0.15 * 1.96 * se));
  CHECK(c.ci_high == Approx(0.02 + 1.96 * se).margin(0.15 * 1.96 * se));
  CHECK_THAT(describe(c), Catch::StartsWith("+2.00 points (95 % CI +1.") && Catch::EndsWith("): beyond noise"));

  // The same gain the other way round: the interval mirrored, below 0, still beyond noise.
  const auto s = make(10000, 8000, 300, 100);
  const auto reversed = compare_paired(s.b, s.a, 1);
  CHECK(reversed.difference == Approx(-0.02));
  CHECK(reversed.ci_high < 0.0);
  CHECK(reversed.beyond_noise());
  CHECK(reversed.mcnemar_p == c.mcnemar_p);
}

TEST_CASE("a small difference on few samples is within noise", "[paired]") {
  const auto c = compare(make(200, 150, 6, 4), 3);
  CHECK(c.difference == Approx(0.01));
  CHECK(c.ci_low < 0.0);
  CHECK(c.ci_high > 0.0);
  CHECK_FALSE(c.beyond_noise());
  CHECK(c.mcnemar_p > 0.5);
  CHECK_THAT(describe(c), Catch::StartsWith("+1.00 points (95 % CI -") && Catch::EndsWith("): within noise"));
}

TEST_CASE("the interval holds the observed difference and shrinks as the test set grows", "[paired]") {
  double previous_width = 1.0;
  for (std::size_t n : {1000u, 10000u, 100000u}) {
    INFO("n = " << n);
    // The same proportions: 3 % right for a alone, 1 % for b alone.
    const auto c = compare(make(n, n * 8 / 10, n * 3 / 100, n / 100), 11);
    CHECK(c.difference == Approx(0.02));
    CHECK(c.ci_low <= c.difference);
    CHECK(c.ci_high >= c.difference);
    const double width = c.ci_high - c.ci_low;
    CHECK(width > 0.0);
    // Ten times the samples: about sqrt(10) = 3.16 times narrower.
    CHECK(width < previous_width / 2.5);
    CHECK(std::isfinite(c.mcnemar_p));
    previous_width = width;
  }
}

TEST_CASE("the same seed gives the same interval, another seed one close to it", "[paired]") {
  const auto s = make(3000, 2000, 80, 50);
  const auto first = compare(s, 42);
  const auto again = compare(s, 42);
  CHECK(first.ci_low == again.ci_low);
  CHECK(first.ci_high == again.ci_high);
  // Another seed: the bootstrap's own noise, small beside the interval's width.
  const auto other = compare(s, 43);
  CHECK(other.ci_low == Approx(first.ci_low).margin(0.003));
  CHECK(other.ci_high == Approx(first.ci_high).margin(0.003));
  // Fewer resamples still give an interval around the difference.
  const auto few = compare(s, 42, 100);
  CHECK(few.ci_low < few.difference);
  CHECK(few.ci_high > few.difference);
}

TEST_CASE("describe() writes the difference in points, the interval, the p-value and the verdict", "[paired]") {
  paired_comparison c;
  c.difference = 0.0062;
  c.ci_low = 0.0021;
  c.ci_high = 0.0103;
  c.mcnemar_p = 0.003;
  CHECK(describe(c) == "+0.62 points (95 % CI +0.21 to +1.03; McNemar p = 0.003): beyond noise");
  c.difference = -0.0015;
  c.ci_low = -0.0051;
  c.ci_high = 0.0022;
  c.mcnemar_p = 0.41;
  CHECK(describe(c) == "-0.15 points (95 % CI -0.51 to +0.22; McNemar p = 0.410): within noise");
  c.difference = -0.02;
  c.ci_low = -0.024;
  c.ci_high = -0.016;
  c.mcnemar_p = 2.59e-24;
  CHECK(describe(c) == "-2.00 points (95 % CI -2.40 to -1.60; McNemar p = 2.6e-24): beyond noise");
}

TEST_CASE("bad inputs throw std::invalid_argument naming the problem", "[paired]") {
  const std::vector<std::uint8_t> three{1, 0, 1}, two{1, 0}, empty;
  CHECK_THAT(error_of(three, two), Catch::Contains("a_correct has 3 values and b_correct 2") &&
                                       Catch::Contains("the same samples in the same order"));
  CHECK_THAT(error_of(empty, empty), Catch::Contains("no test samples"));
  CHECK_THAT(error_of({1, 0, 2}, three), Catch::Contains("a_correct[2] is 2") && Catch::Contains("must be 1"));
  CHECK_THAT(error_of(three, {1, 255, 1}), Catch::Contains("b_correct[1] is 255"));
  CHECK_THAT(error_of(three, three, 99), Catch::Contains("resamples is 99") && Catch::Contains("at least 100"));
  CHECK_NOTHROW(compare_paired(three, three, 0, 100));
  for (const auto& message : {error_of(three, two), error_of(empty, empty), error_of(three, three, 0)})
    CHECK_THAT(message, Catch::StartsWith("typetune: compare_paired("));
}
