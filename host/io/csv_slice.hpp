// Splitting a CSV's data records across processes: each rank reads the records that start in its share of the
// bytes, cut at record boundaries without any rank reading the whole file.
#pragma once

#include <cstddef>
#include <cstdint>

#include "host/io/csv_parse.hpp"
#include "host/kmeans/communicator.hpp"

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

}  // namespace kseg
