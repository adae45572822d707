// A growable array of trivially copyable values in an anonymous memory mapping of its own, for the per-user tables
// of the event aggregation. Growing remaps the pages (mremap) instead of copying the values into fresh memory:
// std::vector's doubling touched about twice the final table's pages, and on the project machine a fresh page costs
// about 1.5 µs (fault, clearing, accounting), which was a fifth of an RFM build from a CSV log. Linux only, as the
// memory-mapped readers are.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#if defined(__SANITIZE_THREAD__)
#define KSEG_PAGE_ARRAY_NO_MREMAP 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KSEG_PAGE_ARRAY_NO_MREMAP 1
#endif
#endif
#ifndef KSEG_PAGE_ARRAY_NO_MREMAP
#define KSEG_PAGE_ARRAY_NO_MREMAP 0
#endif

namespace kseg {

template <class T>
class PageArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "values are moved with their pages, never copied or destroyed one by one");

 public:
  PageArray() = default;
  PageArray(const PageArray&) = delete;
  PageArray& operator=(const PageArray&) = delete;
  PageArray(PageArray&& other) noexcept { swap(other); }
  PageArray& operator=(PageArray&& other) noexcept {
    PageArray(std::move(other)).swap(*this);
    return *this;
  }
  ~PageArray() { release(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return bytes_ / sizeof(T); }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

  void push_back(const T& value) {
    if (size_ == capacity()) grow(size_ + 1);
    data_[size_++] = value;
  }
  // A value-initialised value at the end.
  T& emplace_back() {
    if (size_ == capacity()) grow(size_ + 1);
    return *new (data_ + size_++) T();
  }
  // Appends values[0, n).
  void append(const T* values, size_t n) {
    if (size_ + n > capacity()) grow(size_ + n);
    if (n > 0) std::memcpy(static_cast<void*>(data_ + size_), values, n * sizeof(T));
    size_ += n;
  }
  // Room for n values without moving them again; the pages beyond the values are mapped but not touched.
  void reserve(size_t n) {
    if (n > capacity()) remap(n);
  }
  // Grows to n >= size() values, the new ones all zero bytes (not value-initialised): nothing is ever written past
  // the values, so those bytes still hold the zeros the kernel mapped them with. Their pages are then populated for
  // writing at once: a fresh page read before it is written maps the shared zero page, and the write after that is
  // a copy-on-write fault that flushes every thread's TLB (a hash table probes its empty slots before filling them).
  void resize_zeroed(size_t n) {
    if (n <= size_) return;
    if (n > capacity()) remap(n);
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t first = (reinterpret_cast<uintptr_t>(data_ + size_) + page - 1) / page * page;
    const uintptr_t last = reinterpret_cast<uintptr_t>(data_ + n);
    size_ = n;
#if defined(MADV_POPULATE_WRITE)
    if (last <= first || madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE) == 0) return;
    if (errno == ENOMEM) throw std::bad_alloc();  // out of memory (a cgroup's limit): an error, not the OOM killer
#endif
    for (uintptr_t at = first; at < last; at += page) *reinterpret_cast<volatile char*>(at) = 0;  // kernels before 5.14
  }
  // Frees the mapping (size and capacity 0).
  void release() {
    if (data_ != nullptr) munmap(data_, bytes_);
    data_ = nullptr;
    bytes_ = size_ = 0;
  }
  void swap(PageArray& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(bytes_, other.bytes_);
  }

 private:
  void grow(size_t n) { remap(std::max(n, 2 * capacity())); }
  void remap(size_t n) {
    const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    if (n > (SIZE_MAX - page) / sizeof(T)) throw std::bad_alloc();
    const size_t bytes = (n * sizeof(T) + page - 1) / page * page;
#if KSEG_PAGE_ARRAY_NO_MREMAP
    // ThreadSanitizer does not intercept mremap: the pages an array left would keep their old shadow, and another
    // thread's array later mapped there would be reported racing with it. Under TSan: a fresh mapping and a copy.
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (data_ != nullptr) {
      std::memcpy(p, data_, size_ * sizeof(T));
      munmap(data_, bytes_);
    }
#else
    void* p = data_ == nullptr ? mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                               : mremap(data_, bytes_, bytes, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) throw std::bad_alloc();
#endif
    data_ = static_cast<T*>(p);
    bytes_ = bytes;
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t bytes_ = 0;  // mapped
};

}  // namespace kseg
