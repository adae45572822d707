// Decompressed bytes of a gzip or Zstandard file, read front to back in pieces: a compressed input is streamed
// through a fixed-size window, never inflated to disk or held whole in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "host/io/input_format.hpp"

namespace kseg {

class DecompressStream {
 public:
  virtual ~DecompressStream() = default;
  // Writes up to capacity decompressed bytes to out and returns how many; 0 only at the end of the data. Throws
  // DataError naming the file when it is truncated (ends inside a gzip member or a Zstandard frame) or corrupt
  // (bad data, a failed checksum, bytes after the last member that are not another member). Checksums are checked at
  // the end of each member or frame: damage that still decodes may first surface as a CSV error at its line.
  virtual size_t read(char* out, size_t capacity) = 0;
  // Compressed bytes read from the file so far (ahead of what read() has returned by at most a read buffer): how far
  // a pass is, for progress lines.
  virtual int64_t compressed_bytes_read() const = 0;
};

// Opens path as format (csv_gzip: every concatenated member is read in turn, as gunzip does; csv_zstd: every frame).
// Throws DataError when the file cannot be opened.
std::unique_ptr<DecompressStream> decompress_stream_open(const std::string& path, InputFormat format);

}  // namespace kseg
