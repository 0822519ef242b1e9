// Unit number -> parameter value (see detail/param_mapping.hpp).
#include <algorithm>
#include <cmath>

#include "engine/detail/param_mapping.hpp"

namespace typetune::detail {

param_value value_from_unit(const param_desc& p, double u) {
  u = std::clamp(u, 0.0, std::nextafter(1.0, 0.0));
  switch (p.kind) {
    case param_kind::constant: return std::int64_t{0};
    case param_kind::categorical: {
      const auto k = static_cast<std::uint64_t>(p.choices.size());
      if (k == 0) return std::int64_t{0};
      return static_cast<std::int64_t>(std::min<std::uint64_t>(
          static_cast<std::uint64_t>(u * static_cast<double>(k)), k - 1));
    }
    case param_kind::integer:
    case param_kind::real: break;
  }
  const std::uint64_t card = p.cardinality();
  if (card == 0) {  // continuous real
    const double x = p.log ? std::exp(std::log(p.low) + u * (std::log(p.high) - std::log(p.low)))
                           : p.low + u * (p.high - p.low);
    return std::clamp(x, p.low, p.high);
  }
  std::uint64_t k = 0;
  if (p.log && card > 1) {
    double lo = p.low - p.step / 2;
    const double hi = p.high + p.step / 2;
    if (lo <= 0) lo = p.low;  // the first cell then gets half its log-width; still legal
    const double x = std::exp(std::log(lo) + u * (std::log(hi) - std::log(lo)));
    const double cell = std::round((x - p.low) / p.step);
    k = static_cast<std::uint64_t>(std::clamp(cell, 0.0, static_cast<double>(card - 1)));
  } else {
    k = std::min<std::uint64_t>(static_cast<std::uint64_t>(u * static_cast<double>(card)), card - 1);
  }
  return p.value_at(k);
}

}  // namespace typetune::detail
