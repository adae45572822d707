// A read-only memory mapping of a whole file: inputs may be larger than RAM, so readers view them, never copy them.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

namespace kseg {

class MappedFile {
 public:
  // Maps path read-only; sequential asks the kernel for aggressive read-ahead. Throws DataError when the file
  // cannot be opened, is not a regular file or cannot be mapped. An empty file maps to data() == nullptr, size() 0.
  explicit MappedFile(const std::string& path, bool sequential = false);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  // Moves hand the mapping over, so readers holding one can be returned and stored.
  MappedFile(MappedFile&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  MappedFile& operator=(MappedFile&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    return *this;
  }

  const char* data() const { return data_; }
  size_t size() const { return size_; }
  // Done reading bytes [begin, end) for now: their pages leave this process's resident set (the page cache keeps
  // them; reading them again faults them back in). The content seen through data() does not change.
  void pages_release(size_t begin, size_t end) const;

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace kseg
