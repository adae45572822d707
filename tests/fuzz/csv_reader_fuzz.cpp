// libFuzzer target: the CSV reader (header, record count, parallel tokenising, numbers) on arbitrary bytes. Errors
// are DataError exceptions; anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>

#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = kseg::fuzz::input_file(data, size, ".csv");
  try {
    kseg::CsvReader reader(path);
    const int64_t n = reader.records_count();
    int64_t seen = 0;
    reader.batches_for_each(1 << 10, 2, [&](const kseg::CsvRecordBatch& batch) {
      for (int64_t r = 0; r < batch.n_records; ++r)
        for (int c = 0; c < batch.n_fields; ++c) {
          float v = 0.0f;
          kseg::csv_float_try_parse(batch.field(r, c), v);
          (void)batch.field_raw(r, c);
        }
      seen += batch.n_records;
    });
    if (seen != n) __builtin_trap();  // the count and the batches must agree
  } catch (const kseg::DataError&) {
  }
  return 0;
}
