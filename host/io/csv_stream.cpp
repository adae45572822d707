#include "host/io/csv_stream.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "host/error.hpp"

namespace kseg {
namespace {

// Decompressed bytes asked of the stream at a time.
constexpr size_t kReadBytes = size_t{1} << 20;

}  // namespace

size_t CsvStreamWindow::fill(size_t from, size_t want, std::string_view file, int64_t line) {
  for (;;) {
    if (ended_) return size_;
    if (size_ >= want) {
      const size_t boundary = boundary_last();
      if (boundary > from) return boundary;
      if (size_ - from >= record_limit_)
        throw DataError(location_format(
            std::string(file), line, 0,
            "a record longer than " + std::to_string(record_limit_ >> 20) + " MiB starts here; is a quote left open?"));
      want = size_ + kReadBytes;  // one record longer than the window: read on until it ends
    }
    // Room for want and one more read; a record outgrowing the window grows it by half again (amortised copies).
    const size_t needed = std::max(want, size_) + kReadBytes;
    if (bytes_.size() < needed) bytes_.resize(std::max(needed, bytes_.size() + bytes_.size() / 2));
    const size_t got = in_->read(bytes_.data() + size_, bytes_.size() - size_);
    size_ += got;
    ended_ = got == 0;
  }
}

// The last line feed outside quotes, plus one; 0 when the window has none. data()[0] starts a record, so a line feed
// is outside quotes when an even number of quotes precedes it (RFC 4180: quotes only open, close or double up). Only
// the bytes read since the last call are scanned, so a record growing over many reads costs linear time.
size_t CsvStreamWindow::boundary_last() {
  const char* const data = bytes_.data();
  const int64_t fresh = std::count(data + scanned_, data + size_, '"');
  int64_t quotes = fresh;  // in [scanned_, end)
  for (size_t end = size_; end > scanned_;) {
    const void* nl = ::memrchr(data + scanned_, '\n', end - scanned_);
    if (nl == nullptr) break;
    const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - data);
    quotes -= std::count(data + at, data + end, '"');
    if ((quotes + (quotes_odd_ ? 1 : 0)) % 2 == 0) {
      last_boundary_ = at + 1;
      break;
    }
    end = at;
  }
  quotes_odd_ = (fresh + (quotes_odd_ ? 1 : 0)) % 2 != 0;
  scanned_ = size_;
  return last_boundary_;
}

void CsvStreamWindow::consume(size_t n) {
  std::memmove(bytes_.data(), bytes_.data() + n, size_ - n);
  size_ -= n;
  offset_ += static_cast<int64_t>(n);
  // n is a record boundary: an even number of quotes precedes it, so the parity of what was scanned holds.
  scanned_ -= std::min(scanned_, n);
  last_boundary_ -= std::min(last_boundary_, n);
}

namespace {

// The first record boundary at or after window position at (pos <= at <= src.size, pos a boundary on line `line`);
// adds the line feeds between pos and it to line.
size_t boundary_from(const CsvSource& src, size_t pos, size_t at, int64_t& line) {
  const CsvByteCounts counts = csv_bytes_count(src, pos, at);
  line += counts.newlines;
  return csv_boundary_next(src, at, counts.quotes % 2 != 0, line);
}

}  // namespace

void csv_stream_for_each(CsvStreamWindow& window, const CsvSource& src, const CsvStreamPass& pass, size_t batch_bytes,
                         int n_fields, int n_threads, const std::function<void(const CsvRecordBatch&)>& fn) {
  CsvRecordBatch batch;  // reused: its buffers keep their capacity from batch to batch
  int64_t line = pass.data_line;
  int64_t first_record = pass.first_record;
  size_t pos = static_cast<size_t>(pass.data_begin - window.offset());
  for (;;) {
    const size_t cut = window.fill(pos, pos + batch_bytes, src.file, line);
    if (pos >= cut) break;  // the stream has ended
    CsvSource view = src;
    view.data = window.data();
    view.size = cut;
    const int64_t offset = window.offset();
    // Records before the range: skipped, their line feeds counted.
    if (pass.range_begin > offset + static_cast<int64_t>(pos)) {
      const auto at = static_cast<size_t>(std::min<int64_t>(pass.range_begin - offset, static_cast<int64_t>(cut)));
      pos = boundary_from(view, pos, at, line);
    }
    // The range ends in this window: stop at the boundary the next range starts from.
    size_t stop = cut;
    const bool last = pass.range_end < offset + static_cast<int64_t>(cut);
    if (last) {
      int64_t ignored = 0;
      const auto at = static_cast<size_t>(std::max<int64_t>(pass.range_end - offset, static_cast<int64_t>(pos)));
      stop = boundary_from(view, pos, at, ignored);
    }
    if (pos < stop) {
      const CsvScanResult scan = csv_range_parse(view, pos, stop, SIZE_MAX, line, n_fields, n_threads, batch);
      batch.first_record = first_record;
      batch.input_bytes_read = window.compressed_bytes_read();
      if (batch.n_records > 0) fn(batch);
      first_record += batch.n_records;
      pos = scan.next;
      line = scan.next_line;
    }
    if (last) break;
    window.consume(pos);
    pos = 0;
  }
}

}  // namespace kseg
