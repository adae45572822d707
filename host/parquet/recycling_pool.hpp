// An Arrow memory pool that keeps the large blocks freed by one record batch for the next, for a reader that decodes
// batch after batch of about the same size (profile-build's Parquet events). Arrow's default pool (mimalloc) hands the
// pages of a freed batch back to the kernel after a short delay, so each new batch was written into fresh pages that
// the kernel faulted in and cleared: a fifth of the CPU time of a Parquet aggregation (bench/RESULTS.md). Arrow's
// jemalloc pool told to keep freed pages (jemalloc_set_decay_ms(-1)) measured 7 % slower, and that setting is the
// whole process's (a Python session's pyarrow included). Part of the Arrow code (includes Arrow).
#pragma once

#include <arrow/memory_pool.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace kseg {

// Blocks of 64 KiB to 1 TiB (aligned to at most a page) are taken in power-of-two sizes, page-aligned, and
// kept when freed, for any later request of that size (from any thread); other requests go to Arrow's default pool. The
// kept blocks are released when the pool is destroyed, so it must outlive every buffer it gave out (the readers and
// batches that use it). Memory: the most the reader ever held at once, rounded up to powers of two (it keeps what it
// freed, up to that peak).
class RecyclingPool final : public arrow::MemoryPool {
 public:
  static constexpr int64_t kRecycledMin = int64_t{1} << 16;  // 64 KiB: smaller blocks are not worth keeping

  RecyclingPool() = default;
  RecyclingPool(const RecyclingPool&) = delete;
  RecyclingPool& operator=(const RecyclingPool&) = delete;
  ~RecyclingPool() override;

  using arrow::MemoryPool::Allocate;
  using arrow::MemoryPool::Free;
  using arrow::MemoryPool::Reallocate;

  arrow::Status Allocate(int64_t size, int64_t alignment, uint8_t** out) override;
  // In place while the new size takes the same power of two (a growing buffer then moves once per doubling).
  arrow::Status Reallocate(int64_t old_size, int64_t new_size, int64_t alignment, uint8_t** ptr) override;
  void Free(uint8_t* buffer, int64_t size, int64_t alignment) override;
  // Frees the kept blocks (the ones in use stay).
  void ReleaseUnused() override;

  int64_t bytes_allocated() const override { return bytes_.load(std::memory_order_relaxed); }
  int64_t max_memory() const override { return max_bytes_.load(std::memory_order_relaxed); }
  int64_t total_bytes_allocated() const override { return total_bytes_.load(std::memory_order_relaxed); }
  int64_t num_allocations() const override { return allocations_.load(std::memory_order_relaxed); }
  std::string backend_name() const override { return "kseg-recycling"; }

  // Blocks taken from the system so far (not from the kept ones): for tests.
  int64_t system_allocations() const { return system_allocations_.load(std::memory_order_relaxed); }

 private:
  static constexpr int kClasses = 25;                        // power-of-two sizes 2^16 .. 2^40
  static constexpr int64_t kRecycledMax = int64_t{1} << 40;  // larger requests go to the default pool
  static constexpr int64_t kPage = 4096;                     // the kept blocks' alignment
  static bool recycled(int64_t size, int64_t alignment) {
    return size >= kRecycledMin && size <= kRecycledMax && alignment <= kPage;
  }
  void counted(int64_t delta);
  arrow::Status block_take(int size_class, uint8_t** out);  // page-aligned (recycled: alignment <= kPage)
  void block_keep(uint8_t* block, int size_class);

  std::mutex mutex_;
  std::array<std::vector<uint8_t*>, kClasses> kept_;  // freed blocks by size class
  std::atomic<int64_t> bytes_{0}, max_bytes_{0}, total_bytes_{0}, allocations_{0}, system_allocations_{0};
};

}  // namespace kseg
