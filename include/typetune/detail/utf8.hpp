// Whether a string is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF), as the JSON a space is stored and shown in requires.
#pragma once

#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace typetune::detail {

constexpr bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead < 0x80) length = 1;
    else if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead == 0xE0) length = 3, low = 0xA0;
    else if (lead == 0xED) length = 3, high = 0x9F;
    else if (lead >= 0xE1 && lead <= 0xEF) length = 3;
    else if (lead == 0xF0) length = 4, low = 0x90;
    else if (lead == 0xF4) length = 4, high = 0x8F;
    else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
    else return false;
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if (k == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF)) return false;
    }
    i += length;
  }
  return true;
}

// The byte offset of the first byte that is not part of well-formed UTF-8, or npos.
inline std::size_t first_non_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = 1;
    while (n <= 4 && i + n <= text.size() && !is_utf8(text.substr(i, n))) ++n;
    if (n > 4 || i + n > text.size()) return i;
    i += n;
  }
  return std::string_view::npos;
}

// `text` for a message: bytes that are not UTF-8 and control characters as \xNN, the rest as
// it is, so that a message naming a bad name neither breaks its own JSON nor acts on a terminal.
inline std::string shown_text(std::string_view text) {
  std::string out;
  char buf[8];
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = 1;
    if (c >= 0x80) {
      n = 2;
      while (n <= 4 && i + n <= text.size() && !is_utf8(text.substr(i, n))) ++n;
    }
    if (c < 0x20 || c == 0x7f || n > 4 || i + n > text.size()) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      ++i;
      continue;
    }
    out += text.substr(i, n);
    i += n;
  }
  return out;
}

// Throws std::invalid_argument, naming `what` and the text as shown_text shows it, unless `text`
// is well-formed UTF-8: names and attributes are stored as JSON text, which holds nothing else.
inline void require_utf8(std::string_view text, std::string_view what) {
  const auto at = first_non_utf8(text);
  if (at == std::string_view::npos) return;
  throw std::invalid_argument("typetune: " + std::string(what) + " '" + shown_text(text) +
                              "' is not UTF-8 text (byte " + std::to_string(at) + ")");
}

}  // namespace typetune::detail
