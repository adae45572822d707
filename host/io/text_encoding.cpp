#include "host/io/text_encoding.hpp"

#include <cstdint>
#include <cstdio>

#include "host/error.hpp"

namespace kseg {

void text_bom_check(std::string_view head, const std::string& path) {
  const auto starts = [&](std::string_view bom) { return head.substr(0, bom.size()) == bom; };
  const char* encoding = nullptr;
  // UTF-32 first: its little-endian mark begins with the UTF-16 one.
  if (starts(std::string_view("\xFF\xFE\0\0", 4))) {
    encoding = "UTF-32LE";
  } else if (starts(std::string_view("\0\0\xFE\xFF", 4))) {
    encoding = "UTF-32BE";
  } else if (starts("\xFF\xFE")) {
    encoding = "UTF-16LE";
  } else if (starts("\xFE\xFF")) {
    encoding = "UTF-16BE";
  }
  if (encoding == nullptr) return;
  throw DataError(path + ": the file is " + encoding +
                  " text (by its byte order mark); kseg reads UTF-8: convert it, e.g. iconv -f " +
                  std::string(encoding).substr(0, 6) + " -t UTF-8 " + path + " > converted.csv");
}

size_t control_byte_offset(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
  }
  return std::string_view::npos;
}

std::string name_text_problem(std::string_view text, const std::string& path) {
  const size_t bad = utf8_invalid_offset(text);
  if (bad != std::string_view::npos) {
    return text_quote(text) + " is not valid UTF-8 (byte " + std::to_string(bad + 1) + "); " + utf8_advice(path);
  }
  const size_t control = control_byte_offset(text);
  if (control == std::string_view::npos) return {};
  const bool nul = text[control] == '\0';
  return text_quote(text) + " holds a control byte (byte " + std::to_string(control + 1) + (nul ? ", NUL" : "") +
         "); remove it from the file";
}

size_t utf8_invalid_offset(std::string_view text) {
  const auto* const begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = begin + text.size();
  const auto* p = begin;
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n = 0;
    uint32_t cp = 0, min = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return static_cast<size_t>(p - begin);
    }
    if (end - p <= n) return static_cast<size_t>(p - begin);
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return static_cast<size_t>(p - begin);
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return static_cast<size_t>(p - begin);
    p += n + 1;
  }
  return std::string_view::npos;
}

std::string text_quote(std::string_view text, size_t max_bytes) {
  std::string out = "\"";
  const bool cut = text.size() > max_bytes;
  if (cut) text = text.substr(0, max_bytes);
  while (!text.empty()) {
    const size_t bad = utf8_invalid_offset(text);
    const std::string_view good = text.substr(0, bad == std::string_view::npos ? text.size() : bad);
    for (char c : good) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        char hex[8];
        std::snprintf(hex, sizeof(hex), "\\x%02X", static_cast<unsigned char>(c));
        out += hex;
      } else {
        out += c;
      }
    }
    if (bad == std::string_view::npos) break;
    char hex[8];
    std::snprintf(hex, sizeof(hex), "\\x%02X", static_cast<unsigned char>(text[bad]));
    out += hex;
    text.remove_prefix(bad + 1);
  }
  return out + (cut ? "...\"" : "\"");
}

std::string utf8_advice(const std::string& path) {
  return "the file is not UTF-8 (Latin-1 or Windows-1252?): convert it, e.g. iconv -f WINDOWS-1252 -t UTF-8 " + path +
         " > converted.csv";
}

}  // namespace kseg
