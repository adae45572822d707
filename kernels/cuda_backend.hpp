// The CUDA backend behind a plain C++ header: g++ code (driver, CLI, tests) creates it and uses it as a Backend.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "host/backend.hpp"
#include "kernels/cuda_error.hpp"

namespace kseg {

struct CudaOptions {
  int device = 0;                  // CUDA device ordinal (--device cuda:N); default 0
  bool tf32 = false;               // cuBLAS TF32 tensor-core mode for the x·c product (--precision tf32); default off
  size_t memory_budget_bytes = 0;  // device memory kseg may use, bytes; 0 = 80% of free memory (--gpu-memory)
};

struct CudaDeviceInfo {
  int ordinal;
  std::string name;
  int cc_major, cc_minor;
  size_t total_bytes, free_bytes;
};

// Devices usable now. Never throws: on machines without a driver cudaGetDeviceCount returns an error; that means
// "no GPU" and *why_none (when not null) gets a one-line reason.
std::vector<CudaDeviceInfo> cuda_devices_list(std::string* why_none);

// CUDA version compiled against, architectures built, and the cuBLAS version when a device exists.
std::string cuda_build_info();

// Builds the backend on the data (host memory, must outlive the backend). Appends workspace and tiling to *log
// (when not null). Throws CudaError with the failed call and file:line, and for OOM the bytes asked and the budget.
std::unique_ptr<Backend> cuda_backend_create(const DataView& data, const CudaOptions& options, std::string* log);

}  // namespace kseg
