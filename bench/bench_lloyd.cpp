// The CPU backend's passes on 1,000,000 random rows, next to this machine's own SGEMM rate measured with Eigen in
// the same binary. Counters: rows/s, GFLOP/s (2·n·k·d per pass) and vs_sgemm (that rate over the SGEMM rate, the
// SGEMM measured right before each run so both come from the same conditions).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/seeding.hpp"

namespace {

constexpr int64_t kRows = 1'000'000;
constexpr uint64_t kSeed = 2026;
constexpr int kSgemmSize = 2048;

std::vector<float> uniform_matrix(int64_t n, int64_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n * d));
  for (float& v : x) v = u(rng);
  return x;
}

// The data for one width, generated once and kept for the whole run.
const std::vector<float>& data_for(int64_t d) {
  static std::map<int64_t, std::vector<float>> cache;
  auto it = cache.find(d);
  if (it == cache.end()) it = cache.emplace(d, uniform_matrix(kRows, d, kSeed + static_cast<uint64_t>(d))).first;
  return it->second;
}

// k rows of the data as centroids (what seeding would pick), fixed by the seed.
std::vector<float> centroids_for(const std::vector<float>& x, int64_t d, int64_t k) {
  std::mt19937_64 rng(kSeed);
  std::vector<float> c(static_cast<size_t>(k * d));
  for (int64_t j = 0; j < k; ++j) {
    const int64_t row = static_cast<int64_t>(rng() % static_cast<uint64_t>(kRows));
    std::copy(x.begin() + row * d, x.begin() + (row + 1) * d, c.begin() + j * d);
  }
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One 2048³ product with Eigen's OpenMP threading on all cores; returns GFLOP/s.
double sgemm_once(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b, Eigen::MatrixXf& c) {
  const auto start = std::chrono::steady_clock::now();
  c.noalias() = a * b;
  benchmark::ClobberMemory();
  return 2.0 * double(a.rows()) * double(a.cols()) * double(b.cols()) / seconds_since(start) * 1e-9;
}

// The median of 3 SGEMM runs after a warm-up, on `threads` threads.
double sgemm_gflops(int threads) {
  Eigen::setNbThreads(threads);
  const Eigen::MatrixXf a = Eigen::MatrixXf::Random(kSgemmSize, kSgemmSize);
  const Eigen::MatrixXf b = Eigen::MatrixXf::Random(kSgemmSize, kSgemmSize);
  Eigen::MatrixXf c(kSgemmSize, kSgemmSize);
  sgemm_once(a, b, c);
  double rates[3];
  for (double& r : rates) r = sgemm_once(a, b, c);
  std::sort(rates, rates + 3);
  return rates[1];
}

void BM_Sgemm(benchmark::State& state) {
  Eigen::setNbThreads(static_cast<int>(state.range(0)));
  const Eigen::MatrixXf a = Eigen::MatrixXf::Random(kSgemmSize, kSgemmSize);
  const Eigen::MatrixXf b = Eigen::MatrixXf::Random(kSgemmSize, kSgemmSize);
  Eigen::MatrixXf c(kSgemmSize, kSgemmSize);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * kSgemmSize * kSgemmSize * double(kSgemmSize);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = Eigen::nbThreads();
}

// Runs pass() in the timing loop and sets the counters; flops_per_pass = 0 reports rows/s only. The SGEMM rate is
// measured on as many threads as the pass uses.
template <class Pass>
void pass_measure(benchmark::State& state, int threads, double flops_per_pass, const Pass& pass) {
  const double sgemm = flops_per_pass > 0 ? sgemm_gflops(threads) : 0.0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) pass();
  const double seconds = seconds_since(start);
  state.counters["rows/s"] = benchmark::Counter(double(kRows), benchmark::Counter::kIsIterationInvariantRate);
  if (flops_per_pass > 0) {
    const double gflops = flops_per_pass * double(state.iterations()) / seconds * 1e-9;
    state.counters["GFLOP/s"] = gflops;
    state.counters["sgemm_GFLOP/s"] = sgemm;
    state.counters["vs_sgemm"] = gflops / sgemm;
  }
}

void BM_LloydPass(benchmark::State& state) {
  const int64_t d = state.range(0), k = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  const std::vector<float>& x = data_for(d);
  const std::vector<float> c = centroids_for(x, d, k);
  kseg::CpuBackend backend(kseg::DataView{x.data(), nullptr, kRows, d}, threads);
  kseg::LloydPartials partials;
  pass_measure(state, threads, 2.0 * double(kRows) * double(k) * double(d), [&] {
    backend.lloyd_pass(c.data(), k, partials);
    benchmark::DoNotOptimize(partials.inertia);
  });
}

void BM_Assign(benchmark::State& state) {
  const int64_t d = state.range(0), k = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  const std::vector<float>& x = data_for(d);
  const std::vector<float> c = centroids_for(x, d, k);
  kseg::CpuBackend backend(kseg::DataView{x.data(), nullptr, kRows, d}, threads);
  pass_measure(state, threads, 2.0 * double(kRows) * double(k) * double(d), [&] {
    double inertia = backend.assign(c.data(), k);
    benchmark::DoNotOptimize(inertia);
  });
}

// Greedy k-means++ with scikit-learn's 2 + ⌊ln k⌋ candidates per step: the whole seeding of k centres.
void BM_SeedingKMeansPlusPlus(benchmark::State& state) {
  const int64_t d = state.range(0), k = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  const std::vector<float>& x = data_for(d);
  kseg::CpuBackend backend(kseg::DataView{x.data(), nullptr, kRows, d}, threads);
  pass_measure(state, threads, 0.0, [&] {
    std::vector<float> seeds = kseg::seeds_kmeans_plus_plus(backend, k, kSeed, 0);
    benchmark::DoNotOptimize(seeds.data());
  });
}

// Shapes: (d, k) = (32, 64), (8, 8), (16, 8) and (8, 16); threads: all cores (2 here) and 1.
void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"d", "k", "threads"});
  for (const int64_t threads : {int64_t(omp_get_num_procs()), int64_t(1)}) {
    b->Args({32, 64, threads});
    b->Args({8, 8, threads});
    b->Args({16, 8, threads});
    b->Args({8, 16, threads});
  }
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_Sgemm)
    ->ArgName("threads")
    ->Arg(omp_get_num_procs())
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(1.0);
BENCHMARK(BM_LloydPass)->Apply(shapes);
BENCHMARK(BM_Assign)->Apply(shapes);
BENCHMARK(BM_SeedingKMeansPlusPlus)->Apply(shapes)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
