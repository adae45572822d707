// Reads 2-D NumPy .npy files (format 1.0, 2.0, 3.0) through a memory mapping: float32/float64 in C order straight
// from memory, and the other arrays np.save writes converted to float32 on the fly: Fortran (column-major) order,
// big-endian data, integers (i1..i8, u1..u8) and float16.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "host/io/mapped_file.hpp"

namespace kseg {

class NpyReader {
 public:
  // Maps path and validates the header: magic, version, dict, dtype (f2, f4, f8, i1..i8 or u1..u8, either byte
  // order), a 2-D shape, and file size == header + rows*cols*itemsize. Throws DataError saying what is wrong and
  // what to do.
  explicit NpyReader(std::string path);

  int64_t n_rows() const { return n_rows_; }
  int64_t n_cols() const { return n_cols_; }
  bool is_float64() const { return kind_ == 'f' && item_size_ == 8; }
  const std::string& path() const { return path_; }
  // What reading converts beyond float64 → float32, e.g. "'>i4' (big-endian int32) in Fortran order, converted to
  // float32 row-major"; "" for float32 or float64 in C order and native byte order.
  std::string conversion() const;

  // Converts rows [first, first+count) to float32 into out (count × n_cols, row-major). Throws DataError naming the
  // file, row and column (0-based) of a NaN, an infinity or a float64 value outside float range.
  void rows_read(int64_t first, int64_t count, float* out) const;

 private:
  void header_parse();
  void dtype_parse(const std::string& descr);
  // The general path (any dtype, either order): element by element through one conversion per dtype.
  void rows_convert(int64_t first, int64_t count, float* out) const;

  std::string path_;
  MappedFile file_;
  size_t data_offset_ = 0;  // first byte of the array data
  int64_t n_rows_ = 0;
  int64_t n_cols_ = 0;
  int item_size_ = 4;
  char kind_ = 'f';       // 'f' float, 'i' signed integer, 'u' unsigned integer
  bool swapped_ = false;  // big-endian data: bytes reversed on reading
  bool fortran_ = false;  // column-major: column c's rows are contiguous
  std::string descr_;     // the dtype as the header gives it
};

// What reading path converts (NpyReader::conversion) when it is a .npy file by input_format_detect; "" otherwise.
std::string npy_conversion(const std::string& path);

}  // namespace kseg
