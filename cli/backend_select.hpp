// Chooses the backend for --device: cpu, cuda, cuda:N, or auto (a usable GPU, otherwise the CPU with a notice).
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "host/backend.hpp"
#include "host/kmeans/communicator.hpp"

namespace kseg {

struct DeviceOptions {
  std::string device = "auto";      // --device
  int threads = 0;                  // --threads for the CPU backend; 0 = all cores
  std::string precision = "fp32";   // --precision fp32|tf32 (CUDA)
  double gpu_memory_gb = 0.0;       // --gpu-memory budget in GiB; 0 = a safe fraction of free memory
  std::string algorithm = "lloyd";  // --algorithm lloyd|hamerly: the CPU backend's pass (CpuPassMode)
};

// --threads for every OpenMP loop of a command (reading, preparation, outputs), not only the backend's: set for the
// command's lifetime and restored after, so commands run in one process (the tests) do not leak it. 0 = unchanged.
class ThreadLimitScope {
 public:
  explicit ThreadLimitScope(int threads);
  ~ThreadLimitScope();
  ThreadLimitScope(const ThreadLimitScope&) = delete;
  ThreadLimitScope& operator=(const ThreadLimitScope&) = delete;

 private:
  int previous_;
};

// Validates the option values (UsageError) before any work starts.
void device_options_validate(const DeviceOptions& options);

// Builds the backend on data. `auto` falls back to the CPU with one line on notices (unless quiet); an explicit
// cuda request without a usable GPU is a DataError saying why. Under MPI, `cuda` and `auto` give each process the
// GPU cuda_device_choose picks from its node-local rank (comm.node_rank(), or the launcher's environment when comm
// is a single process).
std::unique_ptr<Backend> backend_create(const DataView& data, const DeviceOptions& options, bool quiet,
                                        std::ostream& notices, const Communicator& comm = single_process());

// The CUDA device ordinal for --device: `cuda:N` → N (an explicit choice, whatever the rank); `cuda` and `auto` →
// node_rank mod device_count, one GPU per node-local rank (0 for a single process); -1 for `cpu`, an unparsable
// value, or `cuda`/`auto` without devices.
int cuda_device_choose(const std::string& device, int node_rank, int device_count);

// Whether this build includes the CUDA backend.
bool cuda_compiled();

}  // namespace kseg
