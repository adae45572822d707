// What kind of file an input path holds, named by its leading bytes (magic numbers), not by its name: a gzip file
// called users.csv is still gzip, and a CSV called users.txt is still a CSV.
#pragma once

#include <string>

namespace kseg {

enum class InputFormat {
  csv,               // anything else: read as CSV text
  csv_gzip,          // 1f 8b: gzip (one or more concatenated members) holding CSV
  csv_zstd,          // 28 b5 2f fd: Zstandard (one or more frames) holding CSV
  npy,               // 93 'NUMPY', or a name ending in .npy (so a damaged .npy is reported as one)
  parquet,           // 'PAR1' at the start and at the end of the file; a directory (of Parquet parts)
  other_compressed,  // bzip2, xz, zip, 7z, lz4: recognised but not read
};

// The format of path from its first (and, for Parquet, last) bytes. Throws DataError when the file cannot be opened.
InputFormat input_format_detect(const std::string& path);

// "csv", "csv-gzip", "csv-zstd", "npy", "parquet", or the compression's name for other_compressed ("bzip2", "xz",
// "zip", "7z", "lz4"), as it is detected for path; for summaries and messages.
std::string input_format_name(const std::string& path);

// Throws DataError for a compressed format kseg does not read, naming it and the formats it does read; returns
// otherwise.
void input_format_check_supported(const std::string& path);

}  // namespace kseg
