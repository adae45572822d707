#include "host/parquet/recycling_pool.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace kseg {
namespace {

constexpr int kMinShift = 16;  // log2 of RecyclingPool::kRecycledMin

// The size class of a block of `size` bytes (size >= kRecycledMin): the power of two 2^(kMinShift + class) >= size.
int size_class_of(int64_t size) {
  const int shift = 64 - __builtin_clzll(static_cast<unsigned long long>(size - 1));
  return shift - kMinShift;
}

int64_t class_bytes(int size_class) { return int64_t{1} << (kMinShift + size_class); }

}  // namespace

RecyclingPool::~RecyclingPool() { ReleaseUnused(); }

void RecyclingPool::counted(int64_t delta) {
  const int64_t now = bytes_.fetch_add(delta, std::memory_order_relaxed) + delta;
  int64_t peak = max_bytes_.load(std::memory_order_relaxed);
  while (now > peak && !max_bytes_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  if (delta > 0) total_bytes_.fetch_add(delta, std::memory_order_relaxed);
}

arrow::Status RecyclingPool::block_take(int size_class, uint8_t** out) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<uint8_t*>& kept = kept_[static_cast<size_t>(size_class)];
    if (!kept.empty()) {
      *out = kept.back();
      kept.pop_back();
      return arrow::Status::OK();
    }
  }
  void* block = nullptr;
  if (posix_memalign(&block, kPage, static_cast<size_t>(class_bytes(size_class))) != 0)
    return arrow::Status::OutOfMemory("kseg: failed to allocate ", class_bytes(size_class), " bytes");
  system_allocations_.fetch_add(1, std::memory_order_relaxed);
  *out = static_cast<uint8_t*>(block);
  return arrow::Status::OK();
}

void RecyclingPool::block_keep(uint8_t* block, int size_class) {
  std::lock_guard<std::mutex> lock(mutex_);
  kept_[static_cast<size_t>(size_class)].push_back(block);
}

arrow::Status RecyclingPool::Allocate(int64_t size, int64_t alignment, uint8_t** out) {
  if (!recycled(size, alignment)) return arrow::default_memory_pool()->Allocate(size, alignment, out);
  ARROW_RETURN_NOT_OK(block_take(size_class_of(size), out));
  counted(size);
  allocations_.fetch_add(1, std::memory_order_relaxed);
  return arrow::Status::OK();
}

arrow::Status RecyclingPool::Reallocate(int64_t old_size, int64_t new_size, int64_t alignment, uint8_t** ptr) {
  const bool old_recycled = recycled(old_size, alignment), new_recycled = recycled(new_size, alignment);
  if (!old_recycled && !new_recycled)
    return arrow::default_memory_pool()->Reallocate(old_size, new_size, alignment, ptr);
  if (old_recycled && new_recycled && size_class_of(old_size) == size_class_of(new_size)) {
    counted(new_size - old_size);
    allocations_.fetch_add(1, std::memory_order_relaxed);
    return arrow::Status::OK();
  }
  uint8_t* moved = nullptr;
  ARROW_RETURN_NOT_OK(Allocate(new_size, alignment, &moved));
  std::memcpy(moved, *ptr, static_cast<size_t>(std::min(old_size, new_size)));
  Free(*ptr, old_size, alignment);
  *ptr = moved;
  return arrow::Status::OK();
}

void RecyclingPool::Free(uint8_t* buffer, int64_t size, int64_t alignment) {
  if (!recycled(size, alignment)) return arrow::default_memory_pool()->Free(buffer, size, alignment);
  block_keep(buffer, size_class_of(size));
  counted(-size);
}

void RecyclingPool::ReleaseUnused() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::vector<uint8_t*>& kept : kept_) {
    for (uint8_t* block : kept) std::free(block);
    kept.clear();
  }
}

}  // namespace kseg
