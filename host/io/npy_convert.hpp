// Element conversion for the .npy arrays that cannot be copied as float32: float16, float64, integers, either byte
// order, written to float32 with a stride (so a column of a Fortran-order array lands in its row-major place).
#pragma once

#include <cstddef>
#include <string>

namespace kseg {

struct NpyDtype {
  char kind = 'f';       // 'f' float, 'i' signed integer, 'u' unsigned integer
  int size = 4;          // bytes per element: 1, 2, 4 or 8
  bool swapped = false;  // stored big-endian: bytes are reversed on this little-endian host
};

// Converts the n elements at src (contiguous, possibly unaligned) to out[0], out[stride], ... Returns n, or the index
// of the first element that is NaN, infinite or (float64) outside the float32 range, with what is wrong in *problem.
size_t npy_elements_convert(const NpyDtype& dtype, const char* src, size_t n, float* out, size_t stride,
                            std::string* problem);

}  // namespace kseg
