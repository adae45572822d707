// log1p of a non-negative value, from a table for the small whole numbers that skewed marketing columns hold (order
// and session counts, days since an event): the same double std::log1p gives, a table read instead of a call.
#pragma once

#include <array>
#include <cmath>

namespace kseg {

constexpr int kLog1pTableSize = 1 << 12;  // whole numbers 0 .. 4095 (32 KB of doubles)

// The argument hidden from the optimiser (an empty asm that may change it), so that log1p of it is the C library's at
// run time: a compiler folds log1p of a known constant correctly rounded, where the library is one unit in the last
// place off for some arguments (2, 13, 47, ...), and even a volatile copy did not stop GCC 12 from folding the table.
inline double double_opaque(double v) {
  asm volatile("" : "+m"(v));
  return v;
}

// The table, filled by the C library's log1p at first use (never changed afterwards), so that a value from it is the
// one a call to std::log1p on data gives.
inline const std::array<double, kLog1pTableSize>& log1p_table() {
  static const std::array<double, kLog1pTableSize> table = [] {
    std::array<double, kLog1pTableSize> t{};
    for (int i = 0; i < kLog1pTableSize; ++i) t[i] = std::log1p(double_opaque(static_cast<double>(i)));
    return t;
  }();
  return table;
}

// std::log1p(v) for v >= 0 (or -0.0, which goes to std::log1p and keeps its sign).
inline double log1p_nonnegative(double v, const std::array<double, kLog1pTableSize>& table) {
  if (v > 0.0 && v < kLog1pTableSize) {
    const int whole = static_cast<int>(v);
    if (static_cast<double>(whole) == v) return table[whole];
  } else if (v == 0.0 && !std::signbit(v)) {
    return table[0];
  }
  return std::log1p(v);
}

}  // namespace kseg
