// Device discovery and build information: plain C++ over the CUDA runtime API (compiled by g++).
#include <cublas_api.h>
#include <cuda_runtime_api.h>

#include <string>
#include <vector>

#include "kernels/cuda_backend.hpp"

#ifndef KSEG_CUDA_ARCHITECTURES
#define KSEG_CUDA_ARCHITECTURES "unknown"
#endif

namespace kseg {

static std::string version_format(int v) {  // CUDA's 1000·major + 10·minor
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

std::vector<CudaDeviceInfo> cuda_devices_list(std::string* why_none) {
  std::vector<CudaDeviceInfo> out;
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    if (why_none)
      *why_none = std::string("cudaGetDeviceCount: ") + cudaGetErrorName(status) + ": " + cudaGetErrorString(status);
    return out;
  }
  int previous = 0;
  cudaGetDevice(&previous);
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    size_t free_bytes = 0, total_bytes = prop.totalGlobalMem;
    if (cudaSetDevice(i) == cudaSuccess) cudaMemGetInfo(&free_bytes, &total_bytes);
    out.push_back({i, prop.name, prop.major, prop.minor, total_bytes, free_bytes});
  }
  cudaGetLastError();
  if (count > 0) cudaSetDevice(previous);
  if (out.empty() && why_none) *why_none = count == 0 ? "no CUDA device found" : "no CUDA device could be queried";
  return out;
}

std::string cuda_build_info() {
  std::string s = "CUDA " + version_format(CUDART_VERSION) +
                  " (compiled), architectures " KSEG_CUDA_ARCHITECTURES ", cuBLAS headers " +
                  std::to_string(CUBLAS_VER_MAJOR) + "." + std::to_string(CUBLAS_VER_MINOR) + "." +
                  std::to_string(CUBLAS_VER_PATCH);
  int runtime = 0, driver = 0;
  if (cudaRuntimeGetVersion(&runtime) == cudaSuccess) s += ", runtime " + version_format(runtime);
  if (cudaDriverGetVersion(&driver) == cudaSuccess && driver > 0) s += ", driver supports " + version_format(driver);
  std::string why;
  if (!cuda_devices_list(&why).empty()) {
    int major = 0, minor = 0, patch = 0;
    cublasGetProperty(MAJOR_VERSION, &major);
    cublasGetProperty(MINOR_VERSION, &minor);
    cublasGetProperty(PATCH_LEVEL, &patch);
    s += ", cuBLAS library " + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  } else {
    s += " (no device: " + why + ")";
  }
  cudaGetLastError();
  return s;
}

}  // namespace kseg
