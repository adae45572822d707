// CSV records from a decompressed stream: a window of decompressed bytes, cut at record boundaries, feeds the same
// batch parser (csv_range_parse) that reads memory-mapped files, so compressed and plain input parse alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "host/io/csv_parse.hpp"
#include "host/io/csv_record_batch.hpp"
#include "host/io/decompress_stream.hpp"

namespace kseg {

// The decompressed bytes [offset(), offset() + size()) of a stream; data()[0] is always a record boundary.
class CsvStreamWindow {
 public:
  // record_limit: the longest record the window grows to hold (memory stays bounded whatever the stream holds).
  explicit CsvStreamWindow(std::unique_ptr<DecompressStream> in, size_t record_limit = kRecordLimit)
      : in_(std::move(in)), record_limit_(record_limit) {}

  // Reads until the window holds at least want bytes and a record boundary (a line feed outside quotes) after from
  // (a record boundary on physical line `line`), or the stream has ended; returns the last record boundary in the
  // window (size() once the stream ended). Throws DataError at file:line when record_limit bytes after from hold no
  // record boundary.
  size_t fill(size_t from, size_t want, std::string_view file, int64_t line);

  static constexpr size_t kRecordLimit = size_t{256} << 20;
  // Drops the first n bytes (n: a record boundary); the rest moves to the front.
  void consume(size_t n);

  const char* data() const { return bytes_.data(); }
  size_t size() const { return size_; }
  int64_t offset() const { return offset_; }
  int64_t compressed_bytes_read() const { return in_->compressed_bytes_read(); }
  bool ended() const { return ended_; }

 private:
  size_t boundary_last();

  std::unique_ptr<DecompressStream> in_;
  size_t record_limit_ = kRecordLimit;
  std::vector<char> bytes_;  // size: the largest want plus one read (more only for a record longer than that)
  size_t size_ = 0;
  size_t scanned_ = 0;        // bytes [0, scanned_) searched for boundaries already
  bool quotes_odd_ = false;   // an odd number of quotes in [0, scanned_)
  size_t last_boundary_ = 0;  // the last record boundary in [0, scanned_] (0: none)
  int64_t offset_ = 0;
  bool ended_ = false;
};

// Where in the stream a pass starts and which records it delivers.
struct CsvStreamPass {
  int64_t data_begin = 0;         // stream offset of the first data record (after the header)
  int64_t data_line = 0;          // its physical line
  int64_t range_begin = 0;        // only records at the first record boundary at or after range_begin ...
  int64_t range_end = INT64_MAX;  // ... up to the first boundary at or after range_end (one MPI rank's share)
  int64_t first_record = 0;       // batch.first_record of the first record delivered
};

// Reads window (fresh: offset 0) from pass.data_begin to the end of pass's range, calling fn for batches of about
// batch_bytes of records tokenised with n_threads threads. src names the file and gives the delimiter (its data and
// size are ignored). Line numbers count the decompressed text. Throws DataError as csv_range_parse does.
void csv_stream_for_each(CsvStreamWindow& window, const CsvSource& src, const CsvStreamPass& pass, size_t batch_bytes,
                         int n_fields, int n_threads, const std::function<void(const CsvRecordBatch&)>& fn);

}  // namespace kseg
