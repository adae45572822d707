#include "host/io/input_format.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "host/error.hpp"
#include "host/io/input_file.hpp"

namespace kseg {
namespace {

// The first bytes of a file and its last four: enough for every magic number below.
struct FileEnds {
  char head[16] = {};
  size_t head_size = 0;
  char tail[4] = {};
  bool has_tail = false;
};

FileEnds file_ends_read(const std::string& path) {
  input_file_check(path, "");  // a FIFO or a device is refused here, before an open that could block on it
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw DataError("cannot read " + path + ": " + std::error_code(errno, std::generic_category()).message());
  FileEnds ends;
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  const ssize_t got = ::pread(fd, ends.head, sizeof(ends.head), 0);
  ends.head_size = got > 0 ? static_cast<size_t>(got) : 0;
  if (regular && st.st_size >= 8) ends.has_tail = ::pread(fd, ends.tail, 4, st.st_size - 4) == 4;
  ::close(fd);
  return ends;
}

bool starts_with(const FileEnds& ends, std::string_view magic) {
  return ends.head_size >= magic.size() && std::memcmp(ends.head, magic.data(), magic.size()) == 0;
}

// The name of a compression kseg recognises but does not read, or "" when the bytes are none of them.
std::string other_compression(const FileEnds& ends) {
  // bzip2: "BZh", the block size digit, then the block magic (so a CSV whose header starts "BZh" stays a CSV).
  if (starts_with(ends, "BZh") && ends.head_size >= 10 && ends.head[3] >= '1' && ends.head[3] <= '9' &&
      std::memcmp(ends.head + 4, "1AY&SY", 6) == 0)
    return "bzip2";
  if (starts_with(ends, std::string_view("\xFD"
                                         "7zXZ\0",
                                         6)))
    return "xz";
  if (starts_with(ends, "PK\x03\x04")) return "zip";
  if (starts_with(ends, "7z\xBC\xAF\x27\x1C")) return "7z";
  if (starts_with(ends, "\x04\x22\x4D\x18")) return "lz4";
  return "";
}

bool name_ends_with(const std::string& path, std::string_view suffix) {
  return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

InputFormat input_format_detect(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return InputFormat::parquet;  // read as its Parquet parts
  const FileEnds ends = file_ends_read(path);
  if (starts_with(ends, "\x1F\x8B")) return InputFormat::csv_gzip;
  if (starts_with(ends, "\x28\xB5\x2F\xFD")) return InputFormat::csv_zstd;
  if (starts_with(ends, "\x93NUMPY") || name_ends_with(path, ".npy") || name_ends_with(path, ".NPY"))
    return InputFormat::npy;
  if (starts_with(ends, "PAR1") && ends.has_tail && std::memcmp(ends.tail, "PAR1", 4) == 0) return InputFormat::parquet;
  if (!other_compression(ends).empty()) return InputFormat::other_compressed;
  return InputFormat::csv;
}

std::string input_format_name(const std::string& path) {
  switch (input_format_detect(path)) {
    case InputFormat::csv:
      return "csv";
    case InputFormat::csv_gzip:
      return "csv-gzip";
    case InputFormat::csv_zstd:
      return "csv-zstd";
    case InputFormat::npy:
      return "npy";
    case InputFormat::parquet:
      return "parquet";
    case InputFormat::other_compressed:
      return other_compression(file_ends_read(path));
  }
  return "csv";
}

void input_format_check_supported(const std::string& path) {
  if (input_format_detect(path) != InputFormat::other_compressed) return;
  const std::string name = input_format_name(path);
  throw DataError(path + ": " + name +
                  "-compressed input is not supported; kseg reads plain, gzip (.csv.gz) or Zstandard (.csv.zst) CSV: "
                  "decompress it, or recompress it with gzip or zstd");
}

}  // namespace kseg
