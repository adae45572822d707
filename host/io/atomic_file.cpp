#include "host/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "host/error.hpp"
#include "host/io/output_set.hpp"
#include "host/io/signal_cleanup.hpp"

namespace kseg {

namespace {

constexpr size_t buffer_bytes = size_t{1} << 20;

std::string errno_message(int error) { return std::error_code(error, std::generic_category()).message(); }

// Makes the rename durable; best effort, since the file itself is already safely on disk.
void directory_sync(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string symlink_target(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  std::error_code ec;
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {
    const fs::path to = fs::read_symlink(p, ec);
    if (ec) break;
    p = to.is_absolute() ? to : p.parent_path() / to;
  }
  return p.string();
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)), target_(symlink_target(path_)) {
  struct stat info {};
  if (::stat(path_.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
    error_throw(S_ISDIR(info.st_mode) ? "it is a directory; give a file path"
                                      : "it is a device, FIFO or socket, not a regular file; kseg replaces its "
                                        "output files whole, so give the path of a regular file");
  const std::filesystem::path target(target_);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  const std::string pattern = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  fd_ = ::mkstemp(name.data());
  if (fd_ < 0) error_throw(errno_message(errno));
  temp_path_ = name.data();
  cleanup_ = std::make_unique<SignalCleanupPath>(temp_path_, false);
  // mkstemp creates 0600; outputs are ordinary shareable files.
  ::fchmod(fd_, 0644);
  buffer_.reserve(buffer_bytes);
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  if (fd_ >= 0) ::close(fd_);
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void AtomicFile::error_throw(const std::string& what) const {
  throw DataError("cannot write " + output_path_shown(path_) + ": " + what);
}

void AtomicFile::write(std::string_view bytes) {
  if (fd_ < 0) error_throw("file already committed");
  if (buffer_.size() + bytes.size() > buffer_bytes) buffer_flush();
  // Large blocks go straight to the file instead of being copied through the buffer.
  if (bytes.size() >= buffer_bytes) {
    bytes_write(bytes.data(), bytes.size());
  } else {
    buffer_.append(bytes);
  }
}

void AtomicFile::buffer_flush() {
  bytes_write(buffer_.data(), buffer_.size());
  buffer_.clear();
}

void AtomicFile::bytes_write(const char* p, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) error_throw(errno_message(errno));
    p += n;
    size -= static_cast<size_t>(n);
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) error_throw("file already committed");
  buffer_flush();
  if (::fsync(fd_) != 0) error_throw(errno_message(errno));
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) error_throw(errno_message(errno));
  if (::rename(temp_path_.c_str(), target_.c_str()) != 0) error_throw(errno_message(errno));
  committed_ = true;
  cleanup_.reset();
  directory_sync(std::filesystem::path(temp_path_).parent_path().string());
}

void directory_ensure(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw DataError("cannot create directory " + dir + ": " + ec.message());
  if (!std::filesystem::is_directory(dir, ec)) throw DataError("cannot create directory " + dir + ": not a directory");
}

}  // namespace kseg
