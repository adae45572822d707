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
  // to_each[r]: the bytes for rank r (comm.size() entries). Returns, indexed by rank, the bytes each rank sent to
  // this one. Collective. The default goes through allgather_bytes (every rank receives all the pieces); MPI sends
  // each piece to its rank only.
  virtual std::vector<std::string> exchange_bytes(const std::vector<std::string>& to_each) const;
  // Seconds this process has spent inside communication calls (waiting included), for per-rank timings.
  virtual double seconds_communicating() const { return 0.0; }
  // This process's rank among the processes on its node (shared memory), and their number: for one GPU per rank.
  virtual int node_rank() const { return 0; }
  virtual int node_size() const { return 1; }

  // Conveniences built on the calls above.
  std::vector<double> allgather(double value) const;    // one value per rank, by rank
  std::vector<int64_t> allgather(int64_t value) const;  // one value per rank, by rank
  int64_t total(int64_t value) const;                   // Σ value over ranks (exact)
  int64_t prefix_exclusive(int64_t value) const;        // Σ value over the ranks before this one
  double max_all(double value) const;                   // the largest value of all ranks
};

// Sums of non-negative doubles over all ranks that do not depend on how the values are split between the ranks, nor
// on their order: each value is truncated to a multiple of 2^−62 × 2^e, where 2^e is the power of two just above the
// largest value any rank adds, and the multiples are summed as integers (exact). The truncation loses at most
// 2^−62 × 2^e per value, so a total of n values is within n · 2^−61 of the largest value of the exact sum.
class ExactSums {
 public:
  // slots: the number of independent sums; max_value: a bound on every value added (the same on all ranks).
  ExactSums(size_t slots, double max_value);
  void add(size_t slot, double value);  // 0 <= value <= max_value (values outside are clamped)
  // Adds another accumulator's sums (made with the same slots and max_value), e.g. one per thread; exact.
  void merge(const ExactSums& other);
  // The sums over all ranks, the same on every rank and for any split of the values. Collective.
  std::vector<double> totals(const Communicator& comm) const;

 private:
  int exponent_ = 0;          // values are scaled by 2^(62 − exponent_) before truncation
  std::vector<uint64_t> lo_;  // per slot: low 64 bits of the integer sum
  std::vector<uint64_t> hi_;  // per slot: carries out of lo_
  double max_value_ = 0.0;
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

// This process's rank among the launcher's processes on its node, from the environment (OMPI_COMM_WORLD_LOCAL_RANK,
// MPI_LOCALRANKID for MPICH/Hydra, SLURM_LOCALID in a Slurm step), or 0 when none is set.
int node_rank_from_environment();

}  // namespace kseg
