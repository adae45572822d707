#include "host/io/npy_convert.hpp"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "host/io/number_format.hpp"

namespace kseg {
namespace {

uint8_t bytes_swap(uint8_t v) { return v; }
uint16_t bytes_swap(uint16_t v) { return __builtin_bswap16(v); }
uint32_t bytes_swap(uint32_t v) { return __builtin_bswap32(v); }
uint64_t bytes_swap(uint64_t v) { return __builtin_bswap64(v); }

// IEEE 754 binary16 to float32: every half value (subnormals, infinities, NaN) has an exact float32.
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  uint32_t bits = 0;
  if (exponent == 0) {  // zero or subnormal: mantissa · 2^−24, exact in float32
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    std::memcpy(&bits, &magnitude, sizeof bits);
    bits |= sign;
  } else if (exponent == 31) {  // infinity or NaN
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  }
  float value = 0.0f;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// The element's bits as the unsigned integer of its size, in host byte order.
template <typename Bits>
Bits bits_load(const char* p, bool swapped) {
  Bits bits = 0;
  std::memcpy(&bits, p, sizeof bits);
  return swapped ? bytes_swap(bits) : bits;
}

// One loop per dtype: Value is how the bits are read (int8_t ... double), Bits their unsigned twin.
template <typename Value, typename Bits>
size_t values_convert(const char* src, size_t n, float* out, size_t stride, bool swapped, std::string* problem) {
  for (size_t i = 0; i < n; ++i) {
    const Bits bits = bits_load<Bits>(src + i * sizeof(Bits), swapped);
    Value value;
    std::memcpy(&value, &bits, sizeof value);
    if constexpr (std::is_floating_point_v<Value>) {
      if (!std::isfinite(value)) {
        *problem = std::isnan(value) ? "NaN value" : "infinite value";
        return i;
      }
      if (std::fabs(value) > static_cast<Value>(FLT_MAX)) {
        *problem = "value ";
        double_append(*problem, static_cast<double>(value));
        *problem += " is outside the float32 range";
        return i;
      }
    }
    out[i * stride] = static_cast<float>(value);
  }
  return n;
}

size_t halves_convert(const char* src, size_t n, float* out, size_t stride, bool swapped, std::string* problem) {
  for (size_t i = 0; i < n; ++i) {
    const float value = half_to_float(bits_load<uint16_t>(src + 2 * i, swapped));
    if (!std::isfinite(value)) {
      *problem = std::isnan(value) ? "NaN value" : "infinite value";
      return i;
    }
    out[i * stride] = value;
  }
  return n;
}

}  // namespace

size_t npy_elements_convert(const NpyDtype& dtype, const char* src, size_t n, float* out, size_t stride,
                            std::string* problem) {
  const bool s = dtype.swapped;
  if (dtype.kind == 'f') {
    if (dtype.size == 2) return halves_convert(src, n, out, stride, s, problem);
    if (dtype.size == 4) return values_convert<float, uint32_t>(src, n, out, stride, s, problem);
    return values_convert<double, uint64_t>(src, n, out, stride, s, problem);
  }
  const bool is_signed = dtype.kind == 'i';
  switch (dtype.size) {
    case 1:
      return is_signed ? values_convert<int8_t, uint8_t>(src, n, out, stride, s, problem)
                       : values_convert<uint8_t, uint8_t>(src, n, out, stride, s, problem);
    case 2:
      return is_signed ? values_convert<int16_t, uint16_t>(src, n, out, stride, s, problem)
                       : values_convert<uint16_t, uint16_t>(src, n, out, stride, s, problem);
    case 4:
      return is_signed ? values_convert<int32_t, uint32_t>(src, n, out, stride, s, problem)
                       : values_convert<uint32_t, uint32_t>(src, n, out, stride, s, problem);
    default:
      return is_signed ? values_convert<int64_t, uint64_t>(src, n, out, stride, s, problem)
                       : values_convert<uint64_t, uint64_t>(src, n, out, stride, s, problem);
  }
}

}  // namespace kseg
