// Splitting a CSV's data records across processes: each rank reads the records that start in its share of the
// bytes, cut at record boundaries without any rank reading the whole file.
#pragma once

#include <cstddef>
#include <cstdint>

#include "host/comm/communicator.hpp"
#include "host/io/csv_parse.hpp"
#include "host/io/csv_reader.hpp"

namespace kseg {

// The records whose first byte lies in [begin, end); line is the physical line of begin.
struct CsvByteRange {
  size_t begin = 0;
  size_t end = 0;
  int64_t line = 0;
};

// Cuts the data bytes [data_begin, src.size) into comm.size() equal shares and returns this rank's, moved to record
// boundaries: every rank counts the quotes and line feeds of its share, an exclusive prefix of the counts (one
// allgather) tells it whether its share starts inside a quoted field, then it moves its start and its end to the
// next record boundary (reading at most one record beyond its share). Collective. One process gets the whole range.
CsvByteRange csv_range_split(const CsvSource& src, size_t data_begin, int64_t data_line, const Communicator& comm);

// This rank's range of reader's data records, for reader.range_for_each. A plain file: as above. A compressed file
// cannot be entered in the middle: every rank decompresses it once to learn its size, takes the same equal share of
// the decompressed bytes, and its passes decompress from the start, parsing only the records of its share (so the
// ranks read the records a plain copy of the file would give them). Collective.
CsvByteRange csv_range_split(CsvReader& reader, const Communicator& comm);

}  // namespace kseg
