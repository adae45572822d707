// Temporary storage for Thrust algorithms, taken from the backend's budget and kept between calls (a Thrust
// allocator: thrust::cuda::par(cache).on(stream)).
#pragma once

#include <cstddef>
#include <vector>

#include "kernels/cuda_check.cuh"

namespace kseg {

class ThrustTempCache {
 public:
  using value_type = char;

  explicit ThrustTempCache(DeviceBudget& budget) : budget_(&budget) {}

  char* allocate(std::ptrdiff_t bytes) {
    const size_t want = static_cast<size_t>(bytes);
    for (Block& b : blocks_) {
      if (!b.in_use && b.buffer.bytes() >= want) {
        b.in_use = true;
        return b.buffer.as<char>();
      }
    }
    blocks_.emplace_back();
    KSEG_DEVICE_RESERVE(blocks_.back().buffer, *budget_, want, "Thrust temporary storage (label sort)");
    blocks_.back().in_use = true;
    return blocks_.back().buffer.as<char>();
  }

  void deallocate(char* p, size_t) {
    for (Block& b : blocks_) {
      if (b.buffer.as<char>() == p) b.in_use = false;
    }
  }

 private:
  struct Block {
    DeviceBuffer buffer;
    bool in_use = false;
  };
  DeviceBudget* budget_;
  std::vector<Block> blocks_;
};

}  // namespace kseg
