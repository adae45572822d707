#include "host/io/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "host/error.hpp"

namespace kseg {
namespace {

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

std::string subject(const std::string& path, const std::string& what) {
  return what.empty() ? path : what + " " + path;
}

std::string mib(int64_t bytes) {
  if (bytes < (int64_t{1} << 20)) return std::to_string((bytes + 1023) >> 10) + " KiB";
  return std::to_string((bytes + (int64_t{1} << 20) - 1) >> 20) + " MiB";
}

void stat_check(const struct stat& info, const std::string& path, const std::string& what, int64_t max_bytes) {
  const std::string kind = file_kind_describe(info.st_mode);
  KSEG_EXPECTS(kind.empty(), DataError,
               "cannot read " + subject(path, what) + ": it is " + kind + ", not a regular file");
  KSEG_EXPECTS(max_bytes <= 0 || info.st_size <= max_bytes, DataError,
               "cannot read " + subject(path, what) + ": it is " + mib(info.st_size) +
                   "; kseg reads this file whole and accepts at most " + mib(max_bytes));
}

}  // namespace

std::string file_kind_describe(unsigned mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

void input_file_check(const std::string& path, const std::string& what, int64_t max_bytes) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0)
    throw DataError("cannot read " + subject(path, what) + ": " + errno_text(errno));
  stat_check(info, path, what, max_bytes);
}

std::string input_file_read(const std::string& path, const std::string& what, int64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw DataError("cannot read " + subject(path, what) + ": " + errno_text(errno));
  std::string text;
  try {
    struct stat info {};
    if (::fstat(fd, &info) != 0) throw DataError("cannot read " + subject(path, what) + ": " + errno_text(errno));
    stat_check(info, path, what, max_bytes);
    text.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw DataError("cannot read " + subject(path, what) + ": " + errno_text(errno));
      if (n == 0) break;  // shrank while read
      done += static_cast<size_t>(n);
    }
    text.resize(done);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  return text;
}

}  // namespace kseg
