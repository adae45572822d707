// Integer division rounded toward minus infinity (C++ rounds toward zero): the day of a time before 1970, a timestamp
// in a coarser unit. b > 0.
#pragma once

#include <cstdint>

namespace kseg {

inline int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace kseg
