#include "host/io/decompress_stream.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <system_error>
#include <vector>

#include "host/error.hpp"

namespace kseg {
namespace {

// Compressed bytes are read this much at a time.
constexpr size_t kInputBytes = size_t{1} << 20;

// The compressed file, read sequentially into a reused buffer.
class CompressedInput {
 public:
  explicit CompressedInput(const std::string& path) : path_(path), buffer_(kInputBytes) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw DataError("cannot read " + path + ": " + errno_message());
    // Read-ahead is only a hint: a failure changes speed, not results.
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  ~CompressedInput() { ::close(fd_); }
  CompressedInput(const CompressedInput&) = delete;
  CompressedInput& operator=(const CompressedInput&) = delete;

  // Refills the buffer when it is used up; returns false at the end of the file.
  bool refill() {
    if (begin_ < end_) return true;
    ssize_t got = 0;
    do {
      got = ::read(fd_, buffer_.data(), buffer_.size());
    } while (got < 0 && errno == EINTR);
    if (got < 0) throw DataError("cannot read " + path_ + ": " + errno_message());
    begin_ = 0;
    end_ = static_cast<size_t>(got);
    bytes_read_ += got;
    return got > 0;
  }
  const unsigned char* data() const { return buffer_.data() + begin_; }
  size_t size() const { return end_ - begin_; }
  void consume(size_t n) { begin_ += n; }
  const std::string& path() const { return path_; }
  int64_t bytes_read() const { return bytes_read_; }

 private:
  static std::string errno_message() { return std::error_code(errno, std::generic_category()).message(); }

  std::string path_;
  std::vector<unsigned char> buffer_;
  size_t begin_ = 0, end_ = 0;
  int64_t bytes_read_ = 0;
  int fd_ = -1;
};

[[noreturn]] void truncated_throw(const std::string& path, const char* format) {
  throw DataError(path + ": the " + std::string(format) +
                  " data is truncated (the file ends inside the compressed stream); copy or export it again");
}

[[noreturn]] void corrupt_throw(const std::string& path, const char* format, const std::string& detail) {
  throw DataError(path + ": the " + std::string(format) + " data is corrupt (" + detail + "); copy or export it again");
}

class GzipStream final : public DecompressStream {
 public:
  explicit GzipStream(const std::string& path) : in_(path) {
    // 16 + 15: a gzip wrapper (header and CRC-32 trailer checked), the largest window.
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw DataError(path + ": cannot start gzip decompression");
  }
  ~GzipStream() override { inflateEnd(&z_); }

  size_t read(char* out, size_t capacity) override {
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(std::min<size_t>(capacity, UINT32_MAX));
    while (z_.avail_out > 0 && !done_) {
      if (!in_.refill()) {
        if (in_member_) truncated_throw(in_.path(), "gzip");
        done_ = true;
        break;
      }
      if (!in_member_) member_start();
      z_.next_in = const_cast<Bytef*>(in_.data());
      z_.avail_in = static_cast<uInt>(in_.size());
      const int status = inflate(&z_, Z_NO_FLUSH);
      in_.consume(in_.size() - z_.avail_in);
      if (status == Z_STREAM_END) {
        in_member_ = false;  // another member may follow (concatenated gzip files decompress to the concatenation)
      } else if (status == Z_DATA_ERROR || status == Z_NEED_DICT) {
        corrupt_throw(in_.path(), "gzip", z_.msg != nullptr ? z_.msg : "bad data");
      } else if (status == Z_MEM_ERROR) {
        throw DataError(in_.path() + ": out of memory while decompressing");
      }
    }
    return static_cast<size_t>(reinterpret_cast<char*>(z_.next_out) - out);
  }
  int64_t compressed_bytes_read() const override { return in_.bytes_read(); }

 private:
  // At a member boundary with bytes left: they must be another member, whose header inflate then checks (bytes
  // that are not one fail it as corrupt).
  void member_start() {
    if (members_ > 0 && inflateReset(&z_) != Z_OK) corrupt_throw(in_.path(), "gzip", "cannot restart");
    ++members_;
    in_member_ = true;
  }

  CompressedInput in_;
  z_stream z_{};
  bool in_member_ = false;  // inside a member: the end of the file here means truncation
  int64_t members_ = 0;     // members started so far
  bool done_ = false;
};

class ZstdStream final : public DecompressStream {
 public:
  explicit ZstdStream(const std::string& path) : in_(path), dctx_(ZSTD_createDCtx()) {
    if (dctx_ == nullptr) throw DataError(path + ": cannot start Zstandard decompression");
  }
  ~ZstdStream() override { ZSTD_freeDCtx(dctx_); }

  size_t read(char* out, size_t capacity) override {
    ZSTD_outBuffer output{out, capacity, 0};
    while (output.pos < output.size && !done_) {
      // Flush what the context still holds before reading more: a frame may end with output pending.
      if (!in_.refill() && pending_ == 0) {
        if (in_frame_) truncated_throw(in_.path(), "Zstandard");
        done_ = true;
        break;
      }
      ZSTD_inBuffer input{in_.data(), in_.size(), 0};
      const size_t status = ZSTD_decompressStream(dctx_, &output, &input);
      in_.consume(input.pos);
      if (ZSTD_isError(status)) corrupt_throw(in_.path(), "Zstandard", ZSTD_getErrorName(status));
      // 0: a frame is complete and flushed; otherwise more input (or room for output) is needed.
      in_frame_ = status != 0;
      pending_ = status != 0 && output.pos == output.size ? 1 : 0;
    }
    return output.pos;
  }
  int64_t compressed_bytes_read() const override { return in_.bytes_read(); }

 private:
  CompressedInput in_;
  ZSTD_DCtx* dctx_ = nullptr;
  bool in_frame_ = false;  // a frame has started and not ended: the end of the file here means truncation
  int pending_ = 0;        // the context may hold decoded bytes that did not fit the last output
  bool done_ = false;
};

}  // namespace

std::unique_ptr<DecompressStream> decompress_stream_open(const std::string& path, InputFormat format) {
  if (format == InputFormat::csv_gzip) return std::make_unique<GzipStream>(path);
  KSEG_EXPECTS(format == InputFormat::csv_zstd, DataError, path + ": not a gzip or Zstandard file");
  return std::make_unique<ZstdStream>(path);
}

}  // namespace kseg
