// libFuzzer target: the .npy reader (header dictionary, shape and size checks, value conversion) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "host/error.hpp"
#include "host/io/npy_reader.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = kseg::fuzz::input_file(data, size, ".npy");
  try {
    kseg::NpyReader reader(path);
    // A valid header promises exactly the file's bytes, so the rows are readable whatever the shape.
    if (reader.n_rows() > 0 && reader.n_cols() > 0 && reader.n_rows() * reader.n_cols() <= (int64_t{1} << 20)) {
      std::vector<float> out(static_cast<size_t>(reader.n_rows() * reader.n_cols()));
      reader.rows_read(0, reader.n_rows(), out.data());
    }
  } catch (const kseg::DataError&) {
  }
  return 0;
}
