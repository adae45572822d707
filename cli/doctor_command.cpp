// kseg doctor: what this build contains, which devices it sees, and a self-check that runs the GPU backend against
// the CPU backend on the same generated data (on a machine with a GPU), or the CPU backend alone otherwise.
#include <omp.h>

#include <CLI/CLI.hpp>
#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <ostream>
#include <random>
#include <string>

#include "app/option_limits.hpp"
#include "cli/commands.hpp"
#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/cpu_kernels.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/kmeans/seeding.hpp"
#if defined(KSEG_WITH_CUDA)
#include "kernels/cuda_backend.hpp"
#endif

namespace kseg {
namespace {

struct CheckRun {
  KMeansResult result;
  double seconds = 0.0;
};

std::vector<float> blobs_generate(int64_t n, int64_t d, int64_t k, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> centres(static_cast<size_t>(k * d)), x(static_cast<size_t>(n * d));
  for (float& c : centres) c = 4.0f * normal(rng);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < d; ++t) x[i * d + t] = centres[(i % k) * d + t] + normal(rng);
  return x;
}

CheckRun check_run(Backend& backend, const DataView& view, const KMeansParams& params) {
  SingleProcess comm;
  const auto start = std::chrono::steady_clock::now();
  CheckRun run{kmeans_fit(backend, view, params, 0.0, comm), 0.0};
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

// Agreement of two runs from the same start: labels, centroids, inertia. Returns true when within tolerance.
bool runs_compare(const CheckRun& a, const CheckRun& b, const char* name_a, const char* name_b, std::ostream& out) {
  int64_t same = 0;
  for (size_t i = 0; i < a.result.labels.size(); ++i) same += a.result.labels[i] == b.result.labels[i];
  double centroid_diff = 0.0;
  for (size_t t = 0; t < a.result.centroids.size(); ++t)
    centroid_diff = std::max(centroid_diff, double(std::abs(a.result.centroids[t] - b.result.centroids[t])));
  const double agreement = double(same) / double(a.result.labels.size());
  const double ratio = b.result.inertia / a.result.inertia;
  const bool ok = agreement >= 0.999 && centroid_diff <= 1e-3 && std::abs(ratio - 1.0) <= 1e-4;
  out << "  " << name_b << " vs " << name_a << ": labels equal " << agreement * 100.0 << "%, max centroid difference "
      << centroid_diff << ", inertia ratio " << ratio << ", time " << b.seconds << " s vs " << a.seconds << " s  ["
      << (ok ? "ok" : "DISAGREE") << "]\n";
  return ok;
}

// The CPU backend's kernel set (chosen at run time) and what the rest of the program was compiled for.
void cpu_build_print(const CpuKernels& kernels, std::ostream& out) {
  std::string supported;
  for (const CpuKernels* set : cpu_kernels_supported())
    supported += (supported.empty() ? "" : ", ") + std::string(set->name);
#if defined(KSEG_NATIVE_BUILD)
  const char* target = "native (-march=native: CPUs like the build machine's only)";
#else
  const char* target = "portable (the architecture's baseline; any CPU of it)";
#endif
  out << "  CPU backend: " << kernels.name << " kernels (this CPU runs " << supported
      << "; KSEG_CPU_KERNEL forces one), OpenMP " << omp_get_max_threads() << " threads\n  build: " << target
      << "; Eigen " << EIGEN_WORLD_VERSION << "." << EIGEN_MAJOR_VERSION << "." << EIGEN_MINOR_VERSION << " ("
      << Eigen::SimdInstructionSetsInUse() << ") for the silhouette's matrix products\n";
}

}  // namespace

void doctor_command_register(CLI::App& app, DoctorArgs& args) {
  app.add_option("--users", args.users, "Rows of generated data for the self-check")->capture_default_str();
  app.add_option("--k", args.k, "Segments for the self-check")->capture_default_str();
  app.add_option("--threads", args.threads, "CPU threads; 0 = all cores")->capture_default_str();
}

int doctor_command_run(const DoctorArgs& args_given, std::ostream& out, std::ostream& err) {
  // Options are checked before anything is printed, as for every command.
  KSEG_EXPECTS(args_given.users >= args_given.k && args_given.k >= 1, UsageError, "--users must be >= --k >= 1");
  KSEG_EXPECTS(args_given.threads >= 0, UsageError, "--threads must be >= 0 (0 = all cores)");
  DoctorArgs args = args_given;
  args.threads = threads_cap(args.threads, false, err);
  const CpuKernels& kernels = cpu_kernels_default();
  out << "kseg " << KSEG_VERSION << "\n";
  cpu_build_print(kernels, out);
  std::string why_none = "this kseg was built without CUDA";
  bool gpu = false;
#if defined(KSEG_WITH_CUDA)
  out << "  CUDA backend: compiled in (" << cuda_build_info() << ")\n";
  const std::vector<CudaDeviceInfo> devices = cuda_devices_list(&why_none);
  for (const CudaDeviceInfo& dev : devices)
    out << "  GPU " << dev.ordinal << ": " << dev.name << ", compute capability " << dev.cc_major << "." << dev.cc_minor
        << ", " << dev.free_bytes / 1048576 << " / " << dev.total_bytes / 1048576 << " MiB free\n";
  gpu = !devices.empty();
#else
  out << "  CUDA backend: not compiled in\n";
#endif
  if (!gpu) out << "  no usable GPU: " << why_none << "\n";

  const int64_t d = 16;
  std::vector<float> x = blobs_generate(args.users, d, args.k, 7);
  const DataView view{x.data(), nullptr, args.users, d};
  KMeansParams params;
  params.n_clusters = args.k;
  params.max_iter = 20;
  params.tol = 0.0;
  CpuBackend seeder(view, args.threads);
  params.init = InitMethod::given;
  params.init_centroids = seeds_kmeans_plus_plus(seeder, args.k, 7, 0);
  out << "self-check: " << args.users << " × " << d << ", k = " << args.k << ", 20 iterations from the same start\n";
  CpuBackend cpu_one(view, 1);
  CpuBackend cpu_all(view, args.threads);
  const CheckRun one = check_run(cpu_one, view, params);
  const CheckRun all = check_run(cpu_all, view, params);
  bool ok = runs_compare(one, all, "cpu 1 thread", "cpu all threads", out);
  // The other vector kernel sets this CPU runs, from the same start (the scalar set is left out: without FMA
  // instructions in the baseline it calls the C library's fma, too slow for this size).
  for (const CpuKernels* other : cpu_kernels_supported()) {
    if (other == &kernels || std::string(other->name) == "scalar") continue;
    CpuBackend cpu_other(view, args.threads, CpuPassMode::full, other);
    const std::string name = std::string("cpu ") + other->name;
    ok = runs_compare(all, check_run(cpu_other, view, params), (std::string("cpu ") + kernels.name).c_str(),
                      name.c_str(), out) &&
         ok;
  }
#if defined(KSEG_WITH_CUDA)
  if (gpu) {
    std::string log;
    auto cuda = cuda_backend_create(view, CudaOptions{}, &log);
    const CheckRun on_gpu = check_run(*cuda, view, params);
    ok = runs_compare(all, on_gpu, "cpu", "cuda:0", out) && ok;
  }
#endif
  out << (ok ? "doctor: all checks passed\n" : "doctor: backends DISAGREE: please report this with the output above\n");
  return ok ? 0 : 1;
}

}  // namespace kseg
