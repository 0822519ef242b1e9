// A number as the command line and the list of studies show it: six significant digits, and
// inf, -inf or nan as format_real writes them.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

#include "typetune/desc/space_desc.hpp"

namespace typetune::cli {

inline std::string short_number(double v) {
  if (!std::isfinite(v)) return format_real(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace typetune::cli
