#include "host/io/number_format.hpp"

#include <charconv>

namespace kseg {

namespace {

// Formats into a stack buffer then appends: large enough for any float, double or int64 in shortest form.
template <typename T>
void value_append(std::string& out, T v) {
  char buffer[32];
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  out.append(buffer, result.ptr);
}

}  // namespace

void float_append(std::string& out, float v) { value_append(out, v); }

void double_append(std::string& out, double v) { value_append(out, v); }

void int64_append(std::string& out, int64_t v) { value_append(out, v); }

}  // namespace kseg
