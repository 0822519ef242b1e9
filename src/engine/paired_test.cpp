// The paired comparison (see typetune/engine/paired_test.hpp): counts of the 2x2 table, the
// bootstrap on the discordant counts, the exact McNemar test in log space.
#include "typetune/engine/paired_test.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <vector>

namespace typetune {
namespace {

// The q-quantile of sorted values, interpolated between neighbours (R's type 7).
double quantile(const std::vector<double>& sorted, double q) {
  const double at = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(at));
  const auto above = std::min(below + 1, sorted.size() - 1);
  const double frac = at - static_cast<double>(below);
  return sorted[below] + frac * (sorted[above] - sorted[below]);
}

// "+0.62": a signed number with two decimals, never "-0.00".
std::string signed_fixed(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%+.2f", v);
  std::string text = buf;
  if (text == "-0.00") text = "+0.00";
  return text;
}

}  // namespace

double mcnemar_exact_p(std::size_t n10, std::size_t n01) {
  const std::size_t m = n10 + n01;
  if (m == 0) return 1.0;
  const std::size_t k = std::min(n10, n01);
  // log C(m, i) - m log 2; the terms grow with i up to m/2 >= k, so the last is the largest and
  // the sum is taken relative to it (no overflow at m = 10^5, no underflow of the sum).
  const double md = static_cast<double>(m);
  // lgamma_r: std::lgamma writes the sign to a global (signgam), a race between threads.
  const auto log_gamma = [](double x) {
    int sign = 0;
    return ::lgamma_r(x, &sign);
  };
  const auto log_term = [&](std::size_t i) {
    const double id = static_cast<double>(i);
    return log_gamma(md + 1) - log_gamma(id + 1) - log_gamma(md - id + 1) - md * std::log(2.0);
  };
  const double top = log_term(k);
  double relative = 0;
  for (std::size_t i = 0; i <= k; ++i) relative += std::exp(log_term(i) - top);
  const double tail = std::exp(top + std::log(relative));
  return std::min(1.0, 2.0 * tail);
}

paired_comparison compare_paired(std::span<const std::uint8_t> a_correct, std::span<const std::uint8_t> b_correct,
                                 std::uint64_t seed, std::size_t resamples) {
  const std::string call = "typetune: compare_paired(a_correct, b_correct, seed, resamples): ";
  if (a_correct.size() != b_correct.size()) {
    throw std::invalid_argument(call + "a_correct has " + std::to_string(a_correct.size()) + " values and b_correct " +
                                std::to_string(b_correct.size()) +
                                "; both must hold one value per test sample, the same samples in the same order");
  }
  if (a_correct.empty()) {
    throw std::invalid_argument(call + "no test samples (a_correct and b_correct are empty)");
  }
  if (resamples < 100) {
    throw std::invalid_argument(call + "resamples is " + std::to_string(resamples) +
                                "; the 2.5 and 97.5 percentiles need at least 100 resamples (10000 is the default)");
  }
  const std::size_t n = a_correct.size();
  std::size_t both = 0, only_a = 0, only_b = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& [name, values] : {std::pair{"a_correct", a_correct}, std::pair{"b_correct", b_correct}}) {
      if (values[i] > 1) {
        throw std::invalid_argument(call + name + "[" + std::to_string(i) + "] is " + std::to_string(values[i]) +
                                    "; each value must be 1 (classified right) or 0 (wrong)");
      }
    }
    const bool a = a_correct[i] == 1, b = b_correct[i] == 1;
    both += static_cast<std::size_t>(a && b);
    only_a += static_cast<std::size_t>(a && !b);
    only_b += static_cast<std::size_t>(!a && b);
  }

  paired_comparison out;
  const double nd = static_cast<double>(n);
  out.samples = n;
  out.accuracy_a = static_cast<double>(both + only_a) / nd;
  out.accuracy_b = static_cast<double>(both + only_b) / nd;
  out.difference = (static_cast<double>(only_a) - static_cast<double>(only_b)) / nd;
  out.only_a_right = only_a;
  out.only_b_right = only_b;
  out.mcnemar_p = mcnemar_exact_p(only_a, only_b);

  // n pairs drawn with replacement fall into the four cells multinomially; the difference
  // depends on the two discordant cells alone: N10 ~ Bin(n, p10), then N01 among the rest.
  std::mt19937_64 engine(seed);
  const double p10 = static_cast<double>(only_a) / nd;
  const double p01 = only_a == n ? 0.0 : static_cast<double>(only_b) / static_cast<double>(n - only_a);
  const auto total = static_cast<long long>(n);
  std::vector<double> differences(resamples);
  for (auto& d : differences) {
    const long long n10 = std::binomial_distribution<long long>(total, p10)(engine);
    const long long n01 = std::binomial_distribution<long long>(total - n10, p01)(engine);
    d = static_cast<double>(n10 - n01) / nd;
  }
  std::sort(differences.begin(), differences.end());
  out.ci_low = quantile(differences, 0.025);
  out.ci_high = quantile(differences, 0.975);
  return out;
}

std::string describe(const paired_comparison& c) {
  char p[48];
  if (c.mcnemar_p >= 0.001) {
    std::snprintf(p, sizeof p, "%.3f", c.mcnemar_p);
  } else {
    std::snprintf(p, sizeof p, "%.1e", c.mcnemar_p);
  }
  return signed_fixed(100 * c.difference) + " points (95 % CI " + signed_fixed(100 * c.ci_low) + " to " +
         signed_fixed(100 * c.ci_high) + "; McNemar p = " + p + "): " +
         (c.beyond_noise() ? "beyond noise" : "within noise");
}

}  // namespace typetune
