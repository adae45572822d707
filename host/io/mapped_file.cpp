#include "host/io/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "host/error.hpp"
#include "host/io/input_file.hpp"

namespace kseg {

namespace {

std::string errno_message() { return std::error_code(errno, std::generic_category()).message(); }

}  // namespace

MappedFile::MappedFile(const std::string& path, bool sequential) {
  // O_NONBLOCK: a FIFO would otherwise block the open until a writer comes; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw DataError("cannot read " + path + ": " + errno_message());
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const std::string reason = errno_message();
    ::close(fd);
    throw DataError("cannot read " + path + ": " + reason);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw DataError("cannot read " + path + ": it is " + file_kind_describe(st.st_mode) + ", not a regular file");
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const std::string reason = errno_message();
      ::close(fd);
      throw DataError("cannot map " + path + ": " + reason);
    }
    // Read-ahead is only a hint: a failure changes speed, not results.
    if (sequential) ::madvise(p, size_, MADV_SEQUENTIAL);
    data_ = static_cast<const char*>(p);
  }
  // The mapping keeps the file alive; the descriptor is no longer needed.
  ::close(fd);
}

void MappedFile::pages_release(size_t begin, size_t end) const {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  begin = (begin + page - 1) / page * page;  // whole pages inside the range only
  end = std::min(end, size_) / page * page;
  // Only a hint about memory: on failure the pages simply stay resident.
  if (data_ != nullptr && begin < end) ::madvise(const_cast<char*>(data_) + begin, end - begin, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
}

}  // namespace kseg
