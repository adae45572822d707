// Short decimal texts ("42", "-3", "0.033", "77.48"), the cells most numeric columns hold, read without a general
// parser: the CSV reader's floats and the event scan's amounts (doubles).
#pragma once

#include <cstdint>
#include <string_view>
#include <type_traits>

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

}  // namespace kseg
