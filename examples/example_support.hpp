// What the examples share: printing a space's description and checking that a typed
// assignment survives the round trip through the runtime description.
#pragma once

#include <cstdio>
#include <iostream>
#include <string_view>

#include <typetune/typetune.hpp>

namespace examples {

// The assignment with every parameter at its default (else its lowest value), the first
// option of every branch and the fewest items of every repeat.
inline typetune::assignment lowest_assignment(const typetune::space_desc& desc) {
  typetune::assignment a;
  a.values.resize(desc.size());
  for (std::size_t i = 0; i < desc.size(); ++i) {
    if (!desc.condition_holds(i, a)) continue;
    const auto& p = desc.params[i];
    if (!std::holds_alternative<std::monostate>(p.default_value)) a.values[i] = p.default_value;
    else if (p.kind == typetune::param_kind::real) a.values[i] = p.low;
    else a.values[i] = p.value_at(0);
  }
  return a;
}

inline void print_description(std::string_view title, const typetune::space_desc& desc) {
  std::cout << "== " << title << " ==\n" << desc.to_text() << '\n';
}

}  // namespace examples
