// The Parquet events reader's memory pool (host/parquet/recycling_pool.hpp): a freed large block serves the next
// request of its power-of-two size without a new allocation, a reallocation within that size keeps the block and a
// larger one moves the bytes, small and over-aligned requests go to Arrow's default pool, and the counts follow.
#include "host/parquet/recycling_pool.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace kseg {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;

TEST(RecyclingPool, AFreedBlockServesTheNextRequestOfItsSize) {
  RecyclingPool pool;
  uint8_t* first = nullptr;
  ASSERT_TRUE(pool.Allocate(3 * kMiB, &first).ok());  // a 4 MiB block
  EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % 4096, 0u);
  std::memset(first, 7, static_cast<size_t>(3 * kMiB));
  EXPECT_EQ(pool.bytes_allocated(), 3 * kMiB);
  pool.Free(first, 3 * kMiB);
  EXPECT_EQ(pool.bytes_allocated(), 0);
  uint8_t* second = nullptr;
  ASSERT_TRUE(pool.Allocate(4 * kMiB, &second).ok());  // the same size class: the kept block
  EXPECT_EQ(second, first);
  EXPECT_EQ(pool.system_allocations(), 1);
  uint8_t* third = nullptr;
  ASSERT_TRUE(pool.Allocate(4 * kMiB + 1, &third).ok());  // the next class: a new block
  EXPECT_NE(third, second);
  EXPECT_EQ(pool.system_allocations(), 2);
  EXPECT_EQ(pool.max_memory(), 8 * kMiB + 1);
  EXPECT_EQ(pool.num_allocations(), 3);
  pool.Free(second, 4 * kMiB);
  pool.Free(third, 4 * kMiB + 1);
}

TEST(RecyclingPool, ReallocationKeepsTheBlockWithinItsSizeAndMovesTheBytesBeyond) {
  RecyclingPool pool;
  uint8_t* p = nullptr;
  ASSERT_TRUE(pool.Allocate(100 * 1024, &p).ok());  // a 128 KiB block
  for (int i = 0; i < 100 * 1024; ++i) p[i] = static_cast<uint8_t>(i * 31);
  uint8_t* const block = p;
  ASSERT_TRUE(pool.Reallocate(100 * 1024, 128 * 1024, &p).ok());
  EXPECT_EQ(p, block);
  ASSERT_TRUE(pool.Reallocate(128 * 1024, 1 * kMiB, &p).ok());
  EXPECT_NE(p, block);
  for (int i = 0; i < 100 * 1024; ++i) ASSERT_EQ(p[i], static_cast<uint8_t>(i * 31)) << i;
  EXPECT_EQ(pool.bytes_allocated(), 1 * kMiB);
  uint8_t* again = nullptr;  // the 128 KiB block was kept when the bytes moved
  ASSERT_TRUE(pool.Allocate(128 * 1024, &again).ok());
  EXPECT_EQ(again, block);
  pool.Free(again, 128 * 1024);
  // Shrinking below the smallest kept size hands the bytes to the default pool's block.
  ASSERT_TRUE(pool.Reallocate(1 * kMiB, 1000, &p).ok());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(p[i], static_cast<uint8_t>(i * 31)) << i;
  EXPECT_EQ(pool.bytes_allocated(), 0);  // the small block is counted by the default pool
  pool.Free(p, 1000);
}

TEST(RecyclingPool, SmallAndOverAlignedRequestsGoToTheDefaultPool) {
  RecyclingPool pool;
  uint8_t* small = nullptr;
  ASSERT_TRUE(pool.Allocate(1000, &small).ok());
  uint8_t* aligned = nullptr;
  ASSERT_TRUE(pool.Allocate(1 * kMiB, 8192, &aligned).ok());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(aligned) % 8192, 0u);
  EXPECT_EQ(pool.system_allocations(), 0);
  EXPECT_EQ(pool.bytes_allocated(), 0);
  pool.Free(small, 1000);
  pool.Free(aligned, 1 * kMiB, 8192);
}

TEST(RecyclingPool, ThreadsShareTheKeptBlocks) {
  RecyclingPool pool;
  const auto churn = [&pool] {
    for (int round = 0; round < 200; ++round) {
      uint8_t* p = nullptr;
      ASSERT_TRUE(pool.Allocate(256 * 1024, &p).ok());
      p[0] = 1;
      p[256 * 1024 - 1] = 2;
      pool.Free(p, 256 * 1024);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(churn);
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(pool.bytes_allocated(), 0);
  EXPECT_LE(pool.system_allocations(), 4);  // at most one block per thread held at once
  EXPECT_EQ(pool.num_allocations(), 800);
}

}  // namespace
}  // namespace kseg
