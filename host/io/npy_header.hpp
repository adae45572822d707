// The header of a NumPy .npy file, read the same way by every .npy reader (matrices for fit, event columns for
// profile-build).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

// What the header declares, and where the data starts.
struct NpyHeader {
  std::string descr;           // the dtype as written: '<f4', '|S12', '<M8[ms]', ...
  bool fortran_order = false;  // column-major data
  std::vector<int64_t> shape;
  size_t data_offset = 0;  // first byte of the array data
};

// Reads the magic, version (1.0, 2.0 or 3.0), header length and dict of the .npy bytes data[0, size). DataError naming
// path for bad magic, an unsupported version, a truncated or malformed header (the data size is not checked here).
NpyHeader npy_header_read(const char* data, size_t size, const std::string& path);

}  // namespace kseg
