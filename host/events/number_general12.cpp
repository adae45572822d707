#include "host/events/number_general12.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>

namespace kseg {

namespace {

__extension__ typedef unsigned __int128 uint128;  // __extension__: g++/clang's 128-bit type under -Wpedantic

constexpr uint64_t kPow10[20] = {1ull,
                                 10ull,
                                 100ull,
                                 1000ull,
                                 10000ull,
                                 100000ull,
                                 1000000ull,
                                 10000000ull,
                                 100000000ull,
                                 1000000000ull,
                                 10000000000ull,
                                 100000000000ull,
                                 1000000000000ull,
                                 10000000000000ull,
                                 100000000000000ull,
                                 1000000000000000ull,
                                 10000000000000000ull,
                                 100000000000000000ull,
                                 1000000000000000000ull,
                                 10000000000000000000ull};

// "00" to "99": two digits a division.
constexpr char kDigitPairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// The decimal digits of n, no leading zeros. Writes 20 bytes at out (fixed-size copies are a few instructions).
char* integer_write(char* out, uint64_t n) {
  char text[40] = {};
  char* const end = text + 20;
  char* at = end;
  for (; n >= 100; n /= 100) std::memcpy(at -= 2, kDigitPairs + 2 * (n % 100), 2);
  if (n >= 10)
    std::memcpy(at -= 2, kDigitPairs + 2 * n, 2);
  else
    *--at = static_cast<char>('0' + n);
  std::memcpy(out, at, 20);
  return out + (end - at);
}

// The 12 decimal digits of n < 10^12, leading zeros included: two halves of 6 digits in 32-bit arithmetic.
void digits12_write(char* out, uint64_t n) {
  const auto halves = {static_cast<uint32_t>(n / 1000000), static_cast<uint32_t>(n % 1000000)};
  for (uint32_t half : halves) {
    const uint32_t high = half / 10000, low = half % 10000;
    std::memcpy(out, kDigitPairs + 2 * high, 2);
    std::memcpy(out + 2, kDigitPairs + 2 * (low / 100), 2);
    std::memcpy(out + 4, kDigitPairs + 2 * (low % 100), 2);
    out += 6;
  }
}

// 10^e for e in -6..16 (the nearest doubles: a first guess of the exponent, checked exactly below).
constexpr double kPow10Near[23] = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0,  1e1,  1e2,  1e3,  1e4, 1e5,
                                   1e6,  1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};

char* fallback_write(char* out, double v) {
  return std::to_chars(out, out + kNumberGeneral12Max, v, std::chars_format::general, 12).ptr;
}

// x = m · 2^q (m < 2^53, x in [1e-5, 1e15)) rounded to 12 significant digits: digits in [1e11, 1e12), exponent the
// decimal exponent of the rounded value (what printf's %e would print).
struct Rounded {
  uint64_t digits = 0;
  int exponent = 0;
};

Rounded round12(uint64_t m, int q, int e) {
  for (;;) {  // e: a guess of ⌊log10 x⌋, off by one at most, corrected by the quotient's size
    const int s = 11 - e;
    uint64_t quotient = 0;
    bool above_half = false, half = false;
    if (s >= 0) {  // x · 10^s = m · 10^s / 2^-q; x < 1e12 here, so q ≤ -13 and the shift is 13..~75
      const uint128 num = static_cast<uint128>(m) * kPow10[s];
      const int shift = -q;
      const uint128 rest = num & ((static_cast<uint128>(1) << shift) - 1);
      const uint128 halfway = static_cast<uint128>(1) << (shift - 1);
      quotient = static_cast<uint64_t>(num >> shift);
      above_half = rest > halfway;
      half = rest == halfway;
    } else {  // x · 10^s = m / (2^-q · 10^-s); x ≥ 1e11 here, x < 1e15, so -q is 3..17
      const uint64_t den = kPow10[-s] << (-q);
      quotient = m / den;
      const uint64_t rest = m % den;
      above_half = 2 * rest > den;
      half = 2 * rest == den;
    }
    if (quotient >= kPow10[12]) {
      ++e;
      continue;
    }
    if (quotient < kPow10[11]) {
      --e;
      continue;
    }
    const uint64_t digits = quotient + ((above_half || (half && (quotient & 1) != 0)) ? 1 : 0);
    if (digits == kPow10[12]) return {kPow10[11], e + 1};
    return {digits, e};
  }
}

char* rounded_write(char* out, Rounded r) {
  char digits[24] = {};  // the 12 digits; room to copy 12 bytes from any of them
  digits12_write(digits, r.digits);
  int count = r.digits % 1000000 == 0 ? 6 : 12;  // significant digits without the trailing zeros (digits[0] ≠ 0)
  while (digits[count - 1] == '0') --count;
  const int x = r.exponent;
  if (x >= -4 && x < 12) {  // fixed notation
    if (x < 0) {
      *out++ = '0';
      *out++ = '.';
      for (int i = 0; i < -x - 1; ++i) *out++ = '0';
      std::memcpy(out, digits, 12);
      return out + count;
    }
    const int whole = x + 1;
    if (count <= whole) {
      std::memcpy(out, digits, 12);
      out += count;
      for (int i = count; i < whole; ++i) *out++ = '0';
      return out;
    }
    std::memcpy(out, digits, 12);
    out += whole;
    *out++ = '.';
    std::memcpy(out, digits + whole, 12);
    return out + (count - whole);
  }
  *out++ = digits[0];
  if (count > 1) {
    *out++ = '.';
    std::memcpy(out, digits + 1, 12);
    out += count - 1;
  }
  *out++ = 'e';
  *out++ = x < 0 ? '-' : '+';
  const int magnitude = x < 0 ? -x : x;
  if (magnitude < 10) *out++ = '0';
  return integer_write(out, static_cast<uint64_t>(magnitude));
}

}  // namespace

char* number_general12_write(char* out, double v) {
  const double magnitude = std::fabs(v);
  // Counts, days, whole amounts (NaN fails the first test; the conversion is exact below 1e12).
  if (magnitude < 1e12 && static_cast<double>(static_cast<int64_t>(magnitude)) == magnitude) {
    if (std::signbit(v)) *out++ = '-';
    return integer_write(out, static_cast<uint64_t>(magnitude));
  }
  if (!(magnitude >= 1e-5 && magnitude < 1e15)) return fallback_write(out, v);
  uint64_t bits = 0;
  std::memcpy(&bits, &magnitude, sizeof(bits));
  const int biased = static_cast<int>(bits >> 52);  // normal: magnitude ≥ 1e-5
  const uint64_t m = (bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1} << 52);
  const int q = biased - 1075;
  const int binary_exponent = biased - 1023;   // magnitude in [2^b, 2^(b+1))
  int guess = (binary_exponent * 1233) >> 12;  // ⌊b · log10 2⌋ (b in -17..49): ⌊log10 magnitude⌋ or one less
  if (magnitude >= kPow10Near[guess + 7]) ++guess;
  if (std::signbit(v)) *out++ = '-';
  return rounded_write(out, round12(m, q, guess));
}

}  // namespace kseg
