// Chooses the backend for --device: cpu, cuda, cuda:N, or auto (a usable GPU, otherwise the CPU with a notice).
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "host/backend.hpp"

namespace kseg {

struct DeviceOptions {
  std::string device = "auto";     // --device
  int threads = 0;                 // --threads for the CPU backend; 0 = all cores
  std::string precision = "fp32";  // --precision fp32|tf32 (CUDA)
  double gpu_memory_gb = 0.0;      // --gpu-memory budget in GiB; 0 = a safe fraction of free memory
};

// Validates the option values (UsageError) before any work starts.
void device_options_validate(const DeviceOptions& options);

// Builds the backend on data. `auto` falls back to the CPU with one line on notices (unless quiet); an explicit
// cuda request without a usable GPU is a DataError saying why.
std::unique_ptr<Backend> backend_create(const DataView& data, const DeviceOptions& options, bool quiet,
                                        std::ostream& notices);

// Whether this build includes the CUDA backend.
bool cuda_compiled();

}  // namespace kseg
