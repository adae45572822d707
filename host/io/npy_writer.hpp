// Writes NumPy .npy files ('<f4', format 1.0) atomically.
#pragma once

#include <cstdint>
#include <string>

namespace kseg {

// Writes data (rows × cols, row-major) to path as a 2-D '<f4' .npy, version 1.0; throws DataError on error.
void npy_write(const std::string& path, const float* data, int64_t rows, int64_t cols);

}  // namespace kseg
