// The CUDA backend's Lloyd pass on the large shapes, timed with CUDA events, next to the cuBLAS SGEMM rate
// measured in the same run. Needs a GPU; prints one table. Usage: kseg_gpu_bench [--quick]
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/cuda_backend.hpp"

namespace {

#define BENCH_CHECK(call)                                                                     \
  do {                                                                                        \
    if ((call) != 0) {                                                                        \
      std::fprintf(stderr, "kseg_gpu_bench: %s failed (%s:%d)\n", #call, __FILE__, __LINE__); \
      std::exit(1);                                                                           \
    }                                                                                         \
  } while (0)

struct Workload {
  int64_t n, d, k;
};

std::vector<float> random_rows(int64_t n, int64_t d, uint64_t seed) {
  std::vector<float> x(static_cast<size_t>(n * d));
#pragma omp parallel
  {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(omp_get_thread_num()));
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
#pragma omp for schedule(static)
    for (int64_t i = 0; i < n * d; ++i) x[static_cast<size_t>(i)] = u(rng);
  }
  return x;
}

// TFLOP/s of cublasSgemm (or TF32 tensor cores) on an m × n × kk product, best of 5 after a warm-up.
double sgemm_rate(int m, int n, int kk, bool tf32) {
  cublasHandle_t handle;
  BENCH_CHECK(cublasCreate(&handle));
  BENCH_CHECK(cublasSetMathMode(handle, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
  float *a, *b, *c;
  BENCH_CHECK(cudaMalloc(reinterpret_cast<void**>(&a), sizeof(float) * size_t(m) * kk));
  BENCH_CHECK(cudaMalloc(reinterpret_cast<void**>(&b), sizeof(float) * size_t(kk) * n));
  BENCH_CHECK(cudaMalloc(reinterpret_cast<void**>(&c), sizeof(float) * size_t(m) * n));
  BENCH_CHECK(cudaMemset(a, 0, sizeof(float) * size_t(m) * kk));
  BENCH_CHECK(cudaMemset(b, 0, sizeof(float) * size_t(kk) * n));
  const float one = 1.0f, zero = 0.0f;
  cudaEvent_t start, stop;
  BENCH_CHECK(cudaEventCreate(&start));
  BENCH_CHECK(cudaEventCreate(&stop));
  float best_ms = 1e30f;
  for (int rep = 0; rep < 6; ++rep) {
    BENCH_CHECK(cudaEventRecord(start));
    BENCH_CHECK(cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, m, n, kk, &one, a, m, b, kk, &zero, c, m));
    BENCH_CHECK(cudaEventRecord(stop));
    BENCH_CHECK(cudaEventSynchronize(stop));
    float ms = 0.0f;
    BENCH_CHECK(cudaEventElapsedTime(&ms, start, stop));
    if (rep > 0 && ms < best_ms) best_ms = ms;
  }
  cudaFree(a);
  cudaFree(b);
  cudaFree(c);
  cublasDestroy(handle);
  return 2.0 * m * n * double(kk) / (best_ms * 1e-3) / 1e12;
}

// Milliseconds per Lloyd pass (median of `reps` after a warm-up), CUDA events around the synchronous pass.
double lloyd_ms(const Workload& w, const std::vector<float>& x, bool tf32, int reps, std::string& log) {
  kseg::CudaOptions options;
  options.tf32 = tf32;
  const kseg::DataView view{x.data(), nullptr, w.n, w.d};
  auto backend = kseg::cuda_backend_create(view, options, &log);
  std::vector<float> centroids(x.begin(), x.begin() + w.k * w.d);
  kseg::LloydPartials partials;
  backend->lloyd_pass(centroids.data(), w.k, partials);
  cudaEvent_t start, stop;
  BENCH_CHECK(cudaEventCreate(&start));
  BENCH_CHECK(cudaEventCreate(&stop));
  std::vector<float> times;
  for (int rep = 0; rep < reps; ++rep) {
    BENCH_CHECK(cudaEventRecord(start));
    backend->lloyd_pass(centroids.data(), w.k, partials);
    BENCH_CHECK(cudaEventRecord(stop));
    BENCH_CHECK(cudaEventSynchronize(stop));
    float ms = 0.0f;
    BENCH_CHECK(cudaEventElapsedTime(&ms, start, stop));
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  std::string why;
  const auto devices = kseg::cuda_devices_list(&why);
  if (devices.empty()) {
    std::fprintf(stderr, "kseg_gpu_bench: no CUDA device: %s\n", why.c_str());
    return 1;
  }
  std::printf("device: %s (cc %d.%d, %zu MiB); %s\n", devices[0].name.c_str(), devices[0].cc_major, devices[0].cc_minor,
              devices[0].total_bytes >> 20, kseg::cuda_build_info().c_str());
  const std::vector<Workload> workloads =
      quick ? std::vector<Workload>{{1 << 20, 64, 1024}, {1 << 20, 128, 4096}}
            : std::vector<Workload>{{10000000, 64, 1024}, {int64_t(1) << 24, 128, 4096}};
  std::printf("\n%-24s %-5s %10s %12s %14s %7s  %s\n", "n x d, k", "prec", "ms/iter", "pass TFLOP/s", "SGEMM TFLOP/s",
              "ratio", "target");
  for (const Workload& w : workloads) {
    const std::vector<float> x = random_rows(w.n, w.d, 1);
    for (bool tf32 : {false, true}) {
      std::string log;
      const double ms = lloyd_ms(w, x, tf32, quick ? 3 : 5, log);
      // The same product shape as one pass: (k × d) · (d × n-tile), measured on a 2^16-row tile.
      const double sgemm = sgemm_rate(static_cast<int>(w.k), 1 << 16, static_cast<int>(w.d), tf32);
      const double rate = 2.0 * double(w.n) * double(w.k) * double(w.d) / (ms * 1e-3) / 1e12;
      const char* target = !tf32 ? ">= 70% of SGEMM" : (w.d == 128 && w.k == 4096 ? "<= 160 ms on H100" : "-");
      char shape[64];
      std::snprintf(shape, sizeof(shape), "%lld x %lld, %lld", static_cast<long long>(w.n), static_cast<long long>(w.d),
                    static_cast<long long>(w.k));
      std::printf("%-24s %-5s %10.2f %12.2f %14.2f %6.0f%%  %s\n", shape, tf32 ? "tf32" : "fp32", ms, rate, sgemm,
                  100.0 * rate / sgemm, target);
      std::fflush(stdout);
      if (!log.empty()) std::fprintf(stderr, "  plan: %s\n", log.c_str());
    }
  }
  return 0;
}
