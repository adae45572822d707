// How the driver combines per-process partial results. One process is the default; an MPI communicator makes the
// same driver data-parallel across ranks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kseg {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Element-wise sums across all processes, in a fixed order so results do not depend on timing.
  virtual void sum_all(double* values, size_t n) const = 0;
  virtual void sum_all(int64_t* values, size_t n) const = 0;
};

class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum_all(double*, size_t) const override {}
  void sum_all(int64_t*, size_t) const override {}
};

}  // namespace kseg
