// The Communicator over MPI_COMM_WORLD: one object per process, made by main() when a launcher (mpirun, srun)
// started kseg. The header does not include <mpi.h>, so code that takes a Communicator never needs MPI.
#pragma once

#include "host/comm/communicator.hpp"

namespace kseg {

class MpiCommunicator final : public Communicator {
 public:
  // MPI_Init (threads: funneled, only the main thread calls MPI); the destructor calls MPI_Finalize.
  MpiCommunicator(int* argc, char*** argv);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  // Deterministic: a reduce-scatter by chunks (MPI_Alltoallv) where the owner of each chunk adds the ranks' pieces
  // in rank order, then MPI_Allgatherv of the reduced chunks. Each rank sends and receives 2·(N−1)/N of the vector,
  // as a ring all-reduce does; unlike MPI_Allreduce the summation order is fixed by the standard of this code, not
  // by the MPI library's algorithm choice.
  void sum_all(double* values, size_t n) const override;
  // Integer sums are exact in any order: MPI_Allreduce.
  void sum_all(int64_t* values, size_t n) const override;
  std::vector<std::string> allgather_bytes(std::string_view mine) const override;
  void root_collect(std::string_view mine, const std::function<void(int, std::string_view)>& fn) const override;
  // MPI_Alltoall of the sizes, then non-blocking sends and receives of the pieces (1 GiB messages at most).
  std::vector<std::string> exchange_bytes(const std::vector<std::string>& to_each) const override;
  double seconds_communicating() const override { return seconds_; }
  // From MPI_Comm_split_type(MPI_COMM_TYPE_SHARED); where that fails, the launcher's environment
  // (node_rank_from_environment).
  int node_rank() const override { return node_rank_; }
  int node_size() const override { return node_size_; }

  // Ends every rank of the job with this exit code (MPI_Abort): after one rank failed, the others may be waiting
  // in a collective call that would never return.
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0;
  int size_ = 1;
  int node_rank_ = 0;
  int node_size_ = 1;
  mutable double seconds_ = 0.0;
};

}  // namespace kseg
