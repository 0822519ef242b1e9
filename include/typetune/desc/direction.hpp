// Which of two objective values is better for a study's direction: the one rule the best trial,
// the torch layer's best model, its ranking of candidates and the report's best-so-far line share.
#pragma once

#include <cmath>
#include <optional>

#include "typetune/desc/trial.hpp"

namespace typetune {

// Whether `a` is strictly better than `b`: lower when minimizing, higher when maximizing.
// A tie is not better, so whichever value was seen first (the lower trial number, in a scan or a
// stable sort by number) stays ahead. Plain IEEE comparison: a NaN on either side is never
// better and nothing is better than it. The engine records a complete trial only with a finite
// value (study_core::finish), so the values compared for complete trials are finite.
[[nodiscard]] constexpr bool better(direction dir, double a, double b) noexcept {
  return dir == direction::minimize ? a < b : a > b;
}

// Whether `value` takes the place of `best` (nullopt: none yet) as the best seen so far: only a
// finite value does, when there is no best yet or it is better() than the best. For tallies fed
// values that may be NaN or infinite (a diverged run), which then never become the best.
[[nodiscard]] inline bool improves(direction dir, double value, std::optional<double> best) noexcept {
  return std::isfinite(value) && (!best || better(dir, value, *best));
}

}  // namespace typetune
