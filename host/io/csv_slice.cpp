#include "host/io/csv_slice.hpp"

#include <string>
#include <vector>

#include "host/comm/byte_pack.hpp"

namespace kseg {

CsvByteRange csv_range_split(const CsvSource& src, size_t data_begin, int64_t data_line, const Communicator& comm) {
  const size_t n_ranks = static_cast<size_t>(comm.size());
  if (n_ranks == 1) return {data_begin, src.size, data_line};
  const size_t rank = static_cast<size_t>(comm.rank());
  const size_t length = src.size - data_begin;
  const auto share_begin = [&](size_t r) {  // data_begin + ⌊length · r / N⌋ without overflow
    return data_begin + length / n_ranks * r + length % n_ranks * r / n_ranks;
  };
  const size_t begin = share_begin(rank), end = share_begin(rank + 1);
  const CsvByteCounts mine = csv_bytes_count(src, begin, end);
  const std::vector<CsvByteCounts> counts = values_allgather(comm, mine);
  CsvByteCounts before;  // in [data_begin, begin)
  for (size_t r = 0; r < rank; ++r) {
    before.quotes += counts[r].quotes;
    before.newlines += counts[r].newlines;
  }
  CsvByteRange range;
  int64_t newlines = before.newlines;
  range.begin = rank == 0 ? data_begin : csv_boundary_next(src, begin, before.quotes % 2 != 0, newlines);
  range.line = data_line + newlines;
  int64_t ignored = 0;
  range.end =
      rank + 1 == n_ranks ? src.size : csv_boundary_next(src, end, (before.quotes + mine.quotes) % 2 != 0, ignored);
  return range;
}

CsvByteRange csv_range_split(CsvReader& reader, const Communicator& comm) {
  if (!reader.compressed()) return csv_range_split(reader.source(), reader.data_begin(), reader.data_line(), comm);
  const size_t n_ranks = static_cast<size_t>(comm.size());
  if (n_ranks == 1) return {reader.data_begin(), SIZE_MAX, reader.data_line()};
  const size_t rank = static_cast<size_t>(comm.rank());
  const size_t data_begin = reader.data_begin();
  const size_t length = static_cast<size_t>(reader.decompressed_size()) - data_begin;
  const auto share_begin = [&](size_t r) { return data_begin + length / n_ranks * r + length % n_ranks * r / n_ranks; };
  return {share_begin(rank), rank + 1 == n_ranks ? SIZE_MAX : share_begin(rank + 1), reader.data_line()};
}

}  // namespace kseg
