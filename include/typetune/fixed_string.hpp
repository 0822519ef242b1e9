// A string usable as a template argument, so that parameter names live in types and the
// compiler prints them in diagnostics: fixed_string<8>{"momentum"}.
#pragma once

#include <cstddef>
#include <string_view>

namespace typetune {

template <std::size_t N>
struct fixed_string {
  char value[N]{};

  constexpr fixed_string(const char (&text)[N]) {  // NOLINT: implicit by design ("name" literals)
    for (std::size_t i = 0; i < N; ++i) value[i] = text[i];
  }
  [[nodiscard]] constexpr std::string_view view() const { return {value, N - 1}; }
  [[nodiscard]] static constexpr std::size_t size() { return N - 1; }

  template <std::size_t M>
  [[nodiscard]] constexpr bool operator==(const fixed_string<M>& other) const {
    return view() == other.view();
  }
};

}  // namespace typetune
