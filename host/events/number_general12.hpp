// The text of a number in users.csv: exactly what std::to_chars(first, last, v, std::chars_format::general, 12)
// writes (printf's "%.12g"), written without its general, slower path for the values a profile holds.
#pragma once

namespace kseg {

// Room that number_general12_write needs at out: it may write scratch bytes past the end it returns (fixed-size
// copies), never more than this many from out.
constexpr int kNumberGeneral12Max = 48;

// Writes v as std::to_chars with chars_format::general and precision 12 does (12 significant digits, halves to even,
// trailing zeros dropped, "1e+15" style exponents outside [1e-4, 1e12), "-0", "inf", "nan") and returns the end.
// Integers below 1e12 and values in [1e-5, 1e15) take an exact integer path (the 12 digits from the double's
// binary value by 128-bit arithmetic); the rest go to std::to_chars.
char* number_general12_write(char* out, double v);

}  // namespace kseg
