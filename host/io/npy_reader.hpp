// Reads 2-D C-order float32/float64 NumPy .npy files (format 1.0, 2.0, 3.0) through a memory mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "host/io/mapped_file.hpp"

namespace kseg {

class NpyReader {
 public:
  // Maps path and validates the header: magic, version, dict, dtype ('<f4' or '<f8'), fortran_order False, a 2-D
  // shape, and file size == header + rows*cols*itemsize. Throws DataError saying what is wrong and what to do.
  explicit NpyReader(std::string path);

  int64_t n_rows() const { return n_rows_; }
  int64_t n_cols() const { return n_cols_; }
  bool is_float64() const { return item_size_ == 8; }
  const std::string& path() const { return path_; }

  // Converts rows [first, first+count) to float32 into out (count × n_cols). Throws DataError naming the file, row
  // and column (0-based) of a NaN, an infinity or a float64 value outside float range.
  void rows_read(int64_t first, int64_t count, float* out) const;

 private:
  void header_parse();

  std::string path_;
  MappedFile file_;
  size_t data_offset_ = 0;  // first byte of the array data
  int64_t n_rows_ = 0;
  int64_t n_cols_ = 0;
  int item_size_ = 4;
};

}  // namespace kseg
