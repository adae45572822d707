// Fast number-to-text for large outputs (millions of rows): shortest text that reads back to the same value.
#pragma once

#include <cstdint>
#include <string>

namespace kseg {

// Appends the shortest decimal text that round-trips to v as a float (std::to_chars), e.g. 0.1f -> "0.1".
void float_append(std::string& out, float v);
// Appends the shortest decimal text that round-trips to v as a double.
void double_append(std::string& out, double v);
// Appends v in decimal.
void int64_append(std::string& out, int64_t v);

}  // namespace kseg
