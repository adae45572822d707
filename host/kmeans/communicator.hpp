// How the driver combines per-process partial results. One process is the default; an MPI communicator
// (host/mpi/mpi_communicator.hpp) makes the same driver, data loading and outputs data-parallel across ranks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace kseg {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Element-wise sums across all processes, in a fixed order so results do not depend on timing: every element is
  // summed over ranks 0, 1, …, N−1 in that order, whatever N, the network or the arrival order.
  virtual void sum_all(double* values, size_t n) const = 0;
  virtual void sum_all(int64_t* values, size_t n) const = 0;
  // Every rank's bytes, indexed by rank, on every rank.
  virtual std::vector<std::string> allgather_bytes(std::string_view mine) const = 0;
  // Streams every rank's bytes to rank 0 one rank at a time, in rank order: on rank 0, fn(r, bytes of rank r) for
  // r = 0 … N−1 (memory: one rank's bytes at a time); on other ranks fn is not called.
  virtual void root_collect(std::string_view mine, const std::function<void(int, std::string_view)>& fn) const = 0;
  // Seconds this process has spent inside communication calls (waiting included), for per-rank timings.
  virtual double seconds_communicating() const { return 0.0; }

  // Conveniences built on the calls above.
  std::vector<double> allgather(double value) const;    // one value per rank, by rank
  std::vector<int64_t> allgather(int64_t value) const;  // one value per rank, by rank
  int64_t total(int64_t value) const;                   // Σ value over ranks (exact)
  int64_t prefix_exclusive(int64_t value) const;        // Σ value over the ranks before this one
};

class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum_all(double*, size_t) const override {}
  void sum_all(int64_t*, size_t) const override {}
  std::vector<std::string> allgather_bytes(std::string_view mine) const override { return {std::string(mine)}; }
  void root_collect(std::string_view mine, const std::function<void(int, std::string_view)>& fn) const override {
    fn(0, mine);
  }
};

// A process-wide SingleProcess, for default arguments.
const Communicator& single_process();

// Detects a launcher (mpirun, srun, …) from its environment variables (OMPI_COMM_WORLD_SIZE, PMI_SIZE,
// or a Slurm job step's SLURM_STEP_NUM_TASKS): the number of processes it started, or 1 when none is found.
int launcher_process_count();

}  // namespace kseg
