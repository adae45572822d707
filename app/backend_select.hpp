// Chooses the backend for --device: cpu, cuda, cuda:N, or auto (a usable GPU, otherwise the CPU with a notice).
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "app/options.hpp"
#include "host/backend.hpp"
#include "host/comm/communicator.hpp"

namespace kseg {

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
