// Parquet outputs (--out-format parquet): segments.parquet streamed row group by row group, and small tables such as
// centroids.parquet. Written through an AtomicFile, so they appear whole or not at all like every output. No Arrow
// in this header; without Parquet support the calls throw a UsageError saying how to get it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kseg {

class AtomicFile;

// True when path names a Parquet output (ends with .parquet).
bool parquet_output_path_is(const std::string& path);

// segments.parquet: columns id (string; int64 when the ids are the row numbers), segment (int32), distance
// (float32, Euclidean in the prepared space), and with paths (fit --with-path) path (string: paths[segment]). Rows in
// the order appended.
class ParquetSegmentsSink {
 public:
  ParquetSegmentsSink(AtomicFile& file, std::map<int64_t, std::string> paths);
  ~ParquetSegmentsSink();
  ParquetSegmentsSink(const ParquetSegmentsSink&) = delete;
  ParquetSegmentsSink& operator=(const ParquetSegmentsSink&) = delete;

  // n rows with text ids: id r is id_text[id_ends[r-1], id_ends[r]) (from 0 for r = 0).
  void rows_append(const std::string& id_text, const std::vector<size_t>& id_ends, const int32_t* labels,
                   const float* sq_distances, int64_t n);
  // n rows whose ids are the row numbers first, first + 1, ...
  void rows_numbered_append(int64_t first, const int32_t* labels, const float* sq_distances, int64_t n);
  // Writes the footer; the caller then commits the file.
  void finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One column of a small table: int64 values (ints), or float32 values (floats) when is_float.
struct ParquetColumn {
  std::string name;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  bool is_float = false;
};

// Writes the columns (all of one length) as one Parquet file into file (the caller commits it).
void parquet_columns_write(AtomicFile& file, const std::vector<ParquetColumn>& columns);

// --out-format: UsageError (naming option) unless format is csv or parquet, or for parquet in a build without
// Parquet support (saying how to get it).
void out_format_check(const std::string& format, const std::string& option = "--out-format");

// The segments file of assign's --out with --out-format: the writer picks Parquet by the name's .parquet ending, so
// the two must agree (UsageError otherwise); format "" follows the name; with format parquet the default name
// (default_out, e.g. assigned.csv) becomes *.parquet.
std::string segments_out_resolve(const std::string& out, const std::string& format, const std::string& default_out);

// The segment files fit writes in the format other than format ("segments.parquet", "centroids.parquet" for csv):
// an earlier run's in that format would sit beside this run's as if they belonged to it (OutputSet::drop them).
std::vector<std::string> segment_files_other_format(const std::string& format);

}  // namespace kseg
