// One check for every CUDA and cuBLAS call: a failure throws CudaError naming the statement and file:line.
// Also the device memory the backend allocates, counted against its budget.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstddef>
#include <string>
#include <utility>

#include "kernels/cuda_error.hpp"

namespace kseg {

inline void cuda_check(cudaError_t status, const char* statement, const char* file, int line) {
  if (status == cudaSuccess) return;
  cudaGetLastError();  // clear a sticky launch error so the next call reports its own status
  throw CudaError(cuda_error_format(statement, file, line,
                                    std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status)));
}

inline void cuda_check(cublasStatus_t status, const char* statement, const char* file, int line) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw CudaError(cuda_error_format(statement, file, line,
                                    std::string(cublasGetStatusName(status)) + ": " + cublasGetStatusString(status)));
}

}  // namespace kseg

#define KSEG_CUDA_CHECK(call) ::kseg::cuda_check((call), #call, __FILE__, __LINE__)
// After a kernel launch: reports a bad configuration at the launch site.
#define KSEG_CUDA_LAUNCH_CHECK() ::kseg::cuda_check(cudaGetLastError(), "kernel launch", __FILE__, __LINE__)

namespace kseg {

// Device memory the backend may still take; every allocation goes through it.
struct DeviceBudget {
  size_t budget_bytes = 0;
  size_t used_bytes = 0;
};

// One device allocation, freed on destruction; over the budget or failed throws CudaError with the bytes asked.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept { *this = std::move(o); }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(bytes_, o.bytes_);
    std::swap(budget_, o.budget_);
    return *this;
  }
  ~DeviceBuffer() { release(); }

  // Makes the buffer at least `bytes` long (contents are lost when it grows). `what` names it in errors.
  void reserve(DeviceBudget& budget, size_t bytes, const char* what, const char* file, int line) {
    if (bytes <= bytes_) return;
    release();
    if (budget.used_bytes + bytes > budget.budget_bytes) {
      throw CudaError(cuda_error_format("device allocation", file, line,
                                        "out of the memory budget: asked " + std::to_string(bytes) + " bytes for " +
                                            what + ", " + std::to_string(budget.used_bytes) + " of the budget of " +
                                            std::to_string(budget.budget_bytes) +
                                            " bytes in use (raise --gpu-memory, or use the CPU backend)"));
    }
    void* p = nullptr;
    const cudaError_t status = cudaMalloc(&p, bytes);
    if (status != cudaSuccess) {
      cudaGetLastError();
      throw CudaError(cuda_error_format("cudaMalloc", file, line,
                                        std::string(cudaGetErrorName(status)) + ": asked " + std::to_string(bytes) +
                                            " bytes for " + what + ", budget " + std::to_string(budget.budget_bytes) +
                                            " bytes"));
    }
    ptr_ = p;
    bytes_ = bytes;
    budget_ = &budget;
    budget.used_bytes += bytes;
  }

  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  size_t bytes() const { return bytes_; }

 private:
  void release() {
    if (!ptr_) return;
    cudaFree(ptr_);  // never throws from a destructor; a failure here resurfaces on the next checked call
    budget_->used_bytes -= bytes_;
    ptr_ = nullptr;
    bytes_ = 0;
  }

  void* ptr_ = nullptr;
  size_t bytes_ = 0;
  DeviceBudget* budget_ = nullptr;
};

}  // namespace kseg

#define KSEG_DEVICE_RESERVE(buffer, budget, bytes, what) (buffer).reserve((budget), (bytes), (what), __FILE__, __LINE__)
