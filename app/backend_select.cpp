#include "app/backend_select.hpp"

#include <omp.h>

#include <algorithm>
#include <ostream>

#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#if defined(KSEG_WITH_CUDA)
#include "kernels/cuda_backend.hpp"
#endif

namespace kseg {
namespace {

// "cuda" → 0, "cuda:N" → N, anything else → -1.
int cuda_ordinal_parse(const std::string& device) {
  if (device == "cuda") return 0;
  if (device.rfind("cuda:", 0) != 0 || device.size() == 5) return -1;
  const std::string digits = device.substr(5);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 4) return -1;
  return std::stoi(digits);
}

}  // namespace

bool cuda_compiled() {
#if defined(KSEG_WITH_CUDA)
  return true;
#else
  return false;
#endif
}

ThreadLimitScope::ThreadLimitScope(int threads) : previous_(omp_get_max_threads()) {
  if (threads > 0) omp_set_num_threads(threads);
}

ThreadLimitScope::~ThreadLimitScope() { omp_set_num_threads(previous_); }

void device_options_validate(const DeviceOptions& options) {
  KSEG_EXPECTS(options.device == "auto" || options.device == "cpu" || cuda_ordinal_parse(options.device) >= 0,
               UsageError, "--device: expected auto, cpu, cuda or cuda:N, got \"" + options.device + "\"");
  KSEG_EXPECTS(options.precision == "fp32" || options.precision == "tf32", UsageError,
               "--precision: expected fp32 or tf32, got \"" + options.precision + "\"");
  KSEG_EXPECTS(options.threads >= 0, UsageError, "--threads must be >= 0 (0 = all cores)");
  KSEG_EXPECTS(options.gpu_memory_gb >= 0.0, UsageError, "--gpu-memory must be >= 0 GiB");
  cpu_pass_mode_parse(options.algorithm);
}

int cuda_device_choose(const std::string& device, int node_rank, int device_count) {
  if (device == "auto" || device == "cuda") return device_count > 0 ? std::max(0, node_rank) % device_count : -1;
  return cuda_ordinal_parse(device);
}

std::unique_ptr<Backend> backend_create(const DataView& data, const DeviceOptions& options, bool quiet,
                                        std::ostream& notices, const Communicator& comm) {
  device_options_validate(options);
  const CpuPassMode pass = cpu_pass_mode_parse(options.algorithm);
  if (options.device == "cpu") return std::make_unique<CpuBackend>(data, options.threads, pass);
  const int node_rank = comm.size() > 1 ? comm.node_rank() : node_rank_from_environment();
  std::string why_none = "this kseg was built without CUDA (rebuild with the CUDA toolkit installed)";
#if defined(KSEG_WITH_CUDA)
  const std::vector<CudaDeviceInfo> devices = cuda_devices_list(&why_none);
  const int ordinal = cuda_device_choose(options.device, node_rank, static_cast<int>(devices.size()));
  if (ordinal >= 0 && ordinal < static_cast<int>(devices.size())) {
    CudaOptions cuda;
    cuda.device = ordinal;
    cuda.tf32 = options.precision == "tf32";
    cuda.memory_budget_bytes = static_cast<size_t>(options.gpu_memory_gb * 1073741824.0);
    std::string log;
    auto backend = cuda_backend_create(data, cuda, &log);
    if (!quiet && !log.empty()) notices << "kseg: " << log << "\n";
    if (!quiet && pass == CpuPassMode::bounded)
      notices << "kseg: --algorithm hamerly is a CPU pass; the GPU runs full Lloyd passes (the same segments)\n";
    return backend;
  }
  if (!devices.empty())
    why_none = "device " + std::to_string(ordinal) + " does not exist (" + std::to_string(devices.size()) + " found)";
#else
  (void)node_rank;
#endif
  KSEG_EXPECTS(options.device == "auto", DataError,
               "--device " + options.device + ": no usable GPU: " + why_none + "; use --device cpu or auto");
  auto cpu = std::make_unique<CpuBackend>(data, options.threads, pass);
  if (!quiet)
    notices << "kseg: no usable GPU (" << why_none << "); running on the CPU with " << cpu->threads() << " threads\n";
  return cpu;
}

}  // namespace kseg
