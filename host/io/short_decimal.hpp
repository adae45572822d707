// Short decimal texts ("42", "-3", "0.033", "77.48"), the cells most numeric columns hold, read without a general
// parser: the CSV reader's floats and the event scan's amounts (doubles).
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "host/io/word_digits.hpp"

namespace kseg {

// "-?D+(.D+)?" with at most 7 digits for a float, 15 for a double: the significand m (< 2^24, < 2^53) and 10^k
// (k <= those digits) are then exact, so m / 10^k is one correctly rounded division (Clinger's fast path) and the
// value is the one fast_float returns for the same text. false for any other text (blanks, exponents, '+', longer
// numbers), which the caller gives to fast_float.
template <class Real>
bool short_decimal_parse(std::string_view text, Real& value) {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>, "float or double");
  constexpr int kMaxDigits = std::is_same_v<Real, float> ? 7 : 15;
  // static: a local array was copied to the stack on every call (16 stores per cell).
  static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char* p = text.data();
  const char* const end = p + text.size();
  const bool negative = p < end && *p == '-';
  p += negative;
  uint64_t m = 0;
  int digits = 0, fraction = -1;  // fraction: digits after the point (-1: no point)
  for (; p < end; ++p) {
    const auto d = static_cast<unsigned>(*p - '0');
    if (d <= 9) {
      m = m * 10 + d;
      ++digits;
      fraction += fraction >= 0;
    } else if (*p == '.' && fraction < 0 && digits > 0) {
      fraction = 0;
    } else {
      return false;
    }
  }
  if (digits == 0 || digits > kMaxDigits || fraction == 0) return false;
  const auto significand = static_cast<Real>(m);
  const Real v = fraction > 0 ? significand / static_cast<Real>(kPowersOfTen[fraction]) : significand;
  value = negative ? -v : v;
  return true;
}

// The same value and acceptance for a text inside a buffer readable up to readable_end: a text of at most 8 bytes
// with 8 readable bytes from its start is read as one word, its point found and its digits checked and combined
// without a branch per character (the loop above mispredicts on the number's length and the place of its point:
// half a misprediction per amount cell of a generated log in callgrind's model, a twentieth with the word). Any other
// text goes to the loop.
template <class Real>
bool short_decimal_parse(std::string_view text, const char* readable_end, Real& value) {
  constexpr int kMaxDigits = std::is_same_v<Real, float> ? 7 : 15;
  static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7};
  constexpr uint64_t kOnes = 0x0101010101010101ull, kLow7 = 0x7F * kOnes, kHigh = 0x80 * kOnes;
  const size_t n = text.size();
  if (n == 0 || n > 8 || readable_end - text.data() < 8) return short_decimal_parse(text, value);
  uint64_t w = word_load(text.data());
  const bool negative = (w & 0xFF) == '-';
  const size_t len = n - negative;  // bytes after the sign
  if (len == 0) return false;
  w >>= 8 * negative;
  const uint64_t keep = len == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * len)) - 1;
  w &= keep;
  // The point: a zero byte of w ^ '.'s, found exactly (no borrow between bytes), among the text's bytes.
  const uint64_t x = w ^ ('.' * kOnes);
  const uint64_t points = ~(((x & kLow7) + kLow7) | x) & kHigh & keep;
  if ((points & (points - 1)) != 0) return false;  // two points
  const size_t point = points == 0 ? len : static_cast<size_t>(__builtin_ctzll(points)) / 8;
  // Its place: digits before it and after it (a point ends no number and starts none).
  if (points != 0 && (point == 0 || point + 1 == len)) return false;
  const uint64_t point_byte = points == 0 ? 0 : uint64_t{0xFF} << (8 * point);
  uint64_t v = 0;  // every other byte of the text a digit: their values, the point's byte and those past the text 0
  if (!digits_word(w, keep & ~point_byte, v)) return false;
  const size_t digits = len - (points != 0);
  if (static_cast<int>(digits) > kMaxDigits) return false;
  if (points != 0) {  // the digits after the point moved down onto it
    const uint64_t below = (uint64_t{1} << (8 * point)) - 1;
    v = (v & below) | ((v >> 8) & ~below);
  }
  // Right-aligned as the last of 8 digits (leading zeros), then combined in pairs, fours and eights.
  v = digit_pairs(v << (8 * (8 - digits)));
  v = (((v & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
       (((v >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >>
      32;
  const size_t fraction = len - point - (points != 0);  // 0 without a point
  const auto significand = static_cast<Real>(static_cast<uint32_t>(v));
  const Real r = fraction > 0 ? significand / static_cast<Real>(kPowersOfTen[fraction]) : significand;
  value = negative ? -r : r;
  return true;
}

}  // namespace kseg
