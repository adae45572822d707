#include "host/io/npy_writer.hpp"

#include <string_view>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"

namespace kseg {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "kseg writes '<f4' .npy data straight from memory");

void npy_write(const std::string& path, const float* data, int64_t rows, int64_t cols) {
  KSEG_EXPECTS(rows >= 0 && cols >= 0, DataError, "cannot write " + path + ": negative array shape");
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                     std::to_string(cols) + "), }";
  // The spec pads with spaces and a final newline so the data starts at a multiple of 64 bytes.
  const size_t preamble = 10;  // magic (6), version (2), header length (2)
  const size_t header_size = (preamble + dict.size() + 1 + 63) / 64 * 64 - preamble;
  dict.append(header_size - dict.size() - 1, ' ');
  dict += '\n';

  std::string head = "\x93NUMPY";
  head += '\x01';
  head += '\x00';
  head += static_cast<char>(header_size & 0xff);
  head += static_cast<char>(header_size >> 8);
  head += dict;

  AtomicFile file(path);
  file.write(head);
  file.write(std::string_view(reinterpret_cast<const char*>(data), static_cast<size_t>(rows * cols) * sizeof(float)));
  file.commit();
}

}  // namespace kseg
