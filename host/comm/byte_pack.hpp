// The bytes that travel through Communicator::allgather_bytes and root_collect: trivially copyable values, arrays of
// them and sized strings written one after another, then read back in the same order. Both ends are processes of
// one job (the same program on the same architecture), so values travel in their in-memory representation.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "host/comm/communicator.hpp"
#include "host/error.hpp"

namespace kseg {

class BytePacker {
 public:
  // One value.
  template <class T>
  BytePacker& put(const T& value) {
    return put_values(&value, 1);
  }
  // n values (no count is written: the reader must know n).
  template <class T>
  BytePacker& put_values(const T* values, size_t n) {
    static_assert(std::is_trivially_copyable_v<T>, "only trivially copyable values travel as bytes");
    if (n > 0) bytes_.append(reinterpret_cast<const char*>(values), n * sizeof(T));
    return *this;
  }
  template <class T>
  BytePacker& put_values(const std::vector<T>& values) {
    return put_values(values.data(), values.size());
  }
  // A uint64_t size, then the bytes.
  BytePacker& put_string(std::string_view text) {
    put(static_cast<uint64_t>(text.size()));
    bytes_.append(text);
    return *this;
  }
  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class ByteUnpacker {
 public:
  explicit ByteUnpacker(std::string_view bytes) : bytes_(bytes) {}

  template <class T>
  T get() {
    T value{};
    get_values(&value, 1);
    return value;
  }
  template <class T>
  void get_values(T* out, size_t n) {
    static_assert(std::is_trivially_copyable_v<T>, "only trivially copyable values travel as bytes");
    const char* from = take(n * sizeof(T));
    if (n > 0) std::memcpy(out, from, n * sizeof(T));
  }
  // Appends n values to out.
  template <class T>
  void get_values_append(std::vector<T>& out, size_t n) {
    const size_t old = out.size();
    out.resize(old + n);
    get_values(out.data() + old, n);
  }
  // A string written by put_string; the view points into the bytes given at construction.
  std::string_view get_string() {
    const uint64_t size = get<uint64_t>();
    return std::string_view(take(static_cast<size_t>(size)), static_cast<size_t>(size));
  }
  size_t remaining() const { return bytes_.size() - at_; }
  bool done() const { return at_ == bytes_.size(); }

 private:
  const char* take(size_t n) {
    KSEG_EXPECTS(n <= remaining(), DataError, "a message between processes ended early (the ranks disagree)");
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }

  std::string_view bytes_;
  size_t at_ = 0;
};

// The bytes of an array of trivially copyable values, as they are in memory (no copy): what BytePacker::put_values
// writes, for sending one large array alone.
template <class T>
std::string_view values_bytes(const std::vector<T>& values) {
  static_assert(std::is_trivially_copyable_v<T>, "only trivially copyable values travel as bytes");
  return std::string_view(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// Every rank's value of a trivially copyable type, indexed by rank, on every rank.
template <class T>
std::vector<T> values_allgather(const Communicator& comm, const T& mine) {
  const std::vector<std::string> blobs = comm.allgather_bytes(BytePacker().put(mine).take());
  std::vector<T> all;
  all.reserve(blobs.size());
  for (const std::string& blob : blobs) all.push_back(ByteUnpacker(blob).get<T>());
  return all;
}

}  // namespace kseg
