// The CUDA backend against the CPU backend (the oracle) and the kernels' CPU twins. Every test that needs a GPU
// skips with the reason where none exists, or fails when KSEG_REQUIRE_GPU=1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "host/kmeans/cpu_backend.hpp"
#include "common/cpu_twins.hpp"
#include "kernels/cuda_backend.hpp"
#include "kernels/workspace_plan.hpp"

namespace kseg {
namespace {

bool gpu_required() {
  const char* v = std::getenv("KSEG_REQUIRE_GPU");
  return v && std::string(v) == "1";
}

#define KSEG_NEED_GPU()                                                                        \
  do {                                                                                         \
    std::string why;                                                                           \
    if (cuda_devices_list(&why).empty()) {                                                     \
      if (gpu_required()) FAIL() << "KSEG_REQUIRE_GPU=1 but there is no CUDA device: " << why; \
      GTEST_SKIP() << "no CUDA device: " << why;                                               \
    }                                                                                          \
  } while (0)

// Gaussian blobs around k random centres, optional weights in [0.5, 1.5) with some zeros.
struct Problem {
  int64_t n, d, k;
  std::vector<float> x, w, centres;
  DataView view(bool weighted) const { return {x.data(), weighted ? w.data() : nullptr, n, d}; }
};

Problem problem_make(uint64_t seed, int64_t n, int64_t d, int64_t k, float spread = 0.3f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::uniform_real_distribution<float> u(0.5f, 1.5f);
  Problem p{n, d, k, std::vector<float>(n * d), std::vector<float>(n), std::vector<float>(k * d)};
  std::vector<float> truth(k * d);
  for (float& v : truth) v = 4.0f * g(rng);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = i % k;
    for (int64_t j = 0; j < d; ++j) p.x[i * d + j] = truth[c * d + j] + spread * g(rng);
    p.w[i] = i % 17 == 3 ? 0.0f : u(rng);
  }
  for (int64_t c = 0; c < k; ++c) {  // start from perturbed rows
    for (int64_t j = 0; j < d; ++j) p.centres[c * d + j] = p.x[((c * 7919) % n) * d + j] + 0.1f * g(rng);
  }
  return p;
}

std::unique_ptr<Backend> gpu_make(const Problem& p, bool weighted, CudaOptions options = {},
                                  std::string* log = nullptr) {
  return cuda_backend_create(p.view(weighted), options, log);
}

// Labels equal except where the two distances tie within tol; partial sums and inertia within rel.
void passes_compare(Backend& cpu, Backend& gpu, const Problem& p, double rel, const std::string& what) {
  LloydPartials a, b;
  cpu.lloyd_pass(p.centres.data(), p.k, a);
  gpu.lloyd_pass(p.centres.data(), p.k, b);
  std::vector<int32_t> la(p.n), lb(p.n);
  std::vector<float> da(p.n), db(p.n);
  cpu.labels_get(la.data());
  gpu.labels_get(lb.data());
  cpu.distances_get(da.data());
  gpu.distances_get(db.data());
  int64_t mismatched = 0;
  for (int64_t i = 0; i < p.n; ++i) {
    ASSERT_NEAR(db[i], da[i], rel * (1.0 + da[i])) << what << " row " << i;
    if (la[i] != lb[i]) {
      ++mismatched;
      ASSERT_GE(lb[i], 0);
      ASSERT_LT(lb[i], p.k);
    }
  }
  EXPECT_LE(mismatched, p.n / 1000 + 1) << what << ": labels differ beyond near-ties";
  EXPECT_NEAR(b.inertia, a.inertia, rel * (1.0 + a.inertia)) << what;
  EXPECT_NEAR(static_cast<double>(b.n_changed), static_cast<double>(a.n_changed), static_cast<double>(mismatched))
      << what;
  if (mismatched == 0) {
    for (size_t e = 0; e < a.sums.size(); ++e)
      ASSERT_NEAR(b.sums[e], a.sums[e], rel * (1.0 + std::abs(a.sums[e]))) << what;
    for (size_t c = 0; c < a.weights.size(); ++c) ASSERT_NEAR(b.weights[c], a.weights[c], 1e-9 * (1 + a.weights[c]));
  }
}

TEST(cuda_backend, devices_list_never_throws_and_explains) {
  std::string why;
  const auto devices = cuda_devices_list(&why);
  if (devices.empty()) {
    EXPECT_FALSE(why.empty());
  }
  for (const auto& d : devices) EXPECT_GT(d.total_bytes, 0u) << d.name;
  const std::string info = cuda_build_info();
  EXPECT_NE(info.find("CUDA "), std::string::npos) << info;
  EXPECT_NE(info.find("architectures"), std::string::npos) << info;
  std::cout << info << "\n";
}

TEST(cuda_backend, create_reports_a_typed_error) {
  const Problem p = problem_make(1, 10, 2, 2);
  std::string why;
  const int count = static_cast<int>(cuda_devices_list(&why).size());
  CudaOptions o;
  if (count == 0) {
    EXPECT_THROW(cuda_backend_create(p.view(false), o, nullptr), CudaError) << why;
  } else {
    o.device = count;  // one past the last
    EXPECT_THROW(cuda_backend_create(p.view(false), o, nullptr), UsageError);
  }
}

TEST(cuda_backend, lloyd_pass_matches_cpu_on_random_shapes) {
  KSEG_NEED_GPU();
  for (uint64_t seed = 100; seed < 106; ++seed) {
    std::mt19937_64 rng(seed);
    const int64_t n = std::uniform_int_distribution<int64_t>(1, 6000)(rng);
    const int64_t d = std::uniform_int_distribution<int64_t>(1, 70)(rng);
    const int64_t k = std::uniform_int_distribution<int64_t>(1, std::min<int64_t>(n, 40))(rng);
    const bool weighted = seed % 2 == 0;
    const Problem p = problem_make(seed, n, d, k);
    CpuBackend cpu(p.view(weighted), 0);
    auto gpu = gpu_make(p, weighted);
    passes_compare(cpu, *gpu, p, 1e-4,
                   "seed " + std::to_string(seed) + " n " + std::to_string(n) + " d " + std::to_string(d) + " k " +
                       std::to_string(k));
  }
}

TEST(cuda_backend, lloyd_pass_edge_sizes) {
  KSEG_NEED_GPU();
  struct Shape {
    int64_t n, d, k;
  };
  for (const Shape s : {Shape{1003, 1, 1}, Shape{777, 600, 5}, Shape{3000, 8, 1500}, Shape{64, 3, 64}, Shape{1, 4, 1},
                        Shape{257, 33, 2}}) {
    const Problem p = problem_make(7, s.n, s.d, s.k);
    CpuBackend cpu(p.view(true), 0);
    auto gpu = gpu_make(p, true);
    passes_compare(cpu, *gpu, p, 1e-4,
                   "seed 7 n " + std::to_string(s.n) + " d " + std::to_string(s.d) + " k " + std::to_string(s.k));
  }
}

TEST(cuda_backend, reductions_equal_their_twins_exactly_and_runs_repeat) {
  KSEG_NEED_GPU();
  const Problem p = problem_make(42, 5000, 12, 9);
  std::string log;
  auto gpu = gpu_make(p, true, {}, &log);
  LloydPartials a;
  gpu->lloyd_pass(p.centres.data(), p.k, a);
  EXPECT_EQ(a.n_changed, p.n);  // first pass: every row
  std::vector<int32_t> labels(p.n);
  std::vector<float> dists(p.n);
  gpu->labels_get(labels.data());
  gpu->distances_get(dists.data());
  std::vector<double> v(p.n);
  for (int64_t i = 0; i < p.n; ++i) v[i] = weighted(p.w[i], dists[i]);
  twin::scan_inclusive(v.data(), p.n);
  EXPECT_EQ(a.inertia, v.back());
  std::vector<double> acc(p.k * (p.d + 1), 0.0);
  twin::centroid_accumulate(p.x.data(), p.w.data(), labels.data(), p.n, p.d, p.k, p.n, acc.data());
  for (int64_t c = 0; c < p.k; ++c) {
    for (int64_t j = 0; j < p.d; ++j) ASSERT_EQ(a.sums[c * p.d + j], acc[c * (p.d + 1) + j]) << log;
    ASSERT_EQ(a.weights[c], acc[c * (p.d + 1) + p.d]);
  }
  LloydPartials b;
  gpu->lloyd_pass(p.centres.data(), p.k, b);
  EXPECT_EQ(b.n_changed, 0);
  auto again = gpu_make(p, true);
  LloydPartials c;
  again->lloyd_pass(p.centres.data(), p.k, c);
  EXPECT_EQ(c.sums, a.sums);
  EXPECT_EQ(c.weights, a.weights);
  EXPECT_EQ(c.inertia, a.inertia);
}

TEST(cuda_backend, streaming_path_matches_resident) {
  KSEG_NEED_GPU();
  const Problem p = problem_make(9, 20000, 24, 6);
  CudaOptions tiny;
  tiny.memory_budget_bytes = row_state_bytes(p.n, true) + p.n * p.d * 4 / 2;  // data cannot be resident
  std::string log;
  auto streamed = gpu_make(p, true, tiny, &log);
  EXPECT_NE(log.find("streamed"), std::string::npos) << log;
  std::cout << log;
  CpuBackend cpu(p.view(true), 0);
  passes_compare(cpu, *streamed, p, 1e-4, "streaming, seed 9");
  auto resident = gpu_make(p, true);
  const double i1 = streamed->assign(p.centres.data(), p.k);
  const double i2 = resident->assign(p.centres.data(), p.k);
  EXPECT_NEAR(i1, i2, 1e-6 * i2);
  std::vector<float> cand(p.centres.begin(), p.centres.begin() + 3 * p.d);
  std::vector<double> cost_s(3), cost_r(3);
  streamed->seeding_reset();
  resident->seeding_reset();
  streamed->seeding_update(p.centres.data(), 1);
  resident->seeding_update(p.centres.data(), 1);
  streamed->seeding_candidates_cost(cand.data(), 3, cost_s.data());
  resident->seeding_candidates_cost(cand.data(), 3, cost_r.data());
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(cost_s[c], cost_r[c], 1e-6 * cost_r[c]);
}

// One backend scoring batch after batch (assign, update): rows overwritten in place and data_refresh() give what a
// backend built on the new rows gives, resident and streamed.
TEST(cuda_backend, data_refresh_equals_a_fresh_backend) {
  KSEG_NEED_GPU();
  for (const bool streamed : {false, true}) {
    Problem p = problem_make(21, 12000, 10, 5);
    const Problem next = problem_make(22, 12000, 10, 5);
    CudaOptions options;
    if (streamed) options.memory_budget_bytes = row_state_bytes(p.n, true) + p.n * p.d * 4 / 2;
    auto gpu = cuda_backend_create(p.view(true), options, nullptr);
    LloydPartials first;
    gpu->lloyd_pass(p.centres.data(), p.k, first);
    std::copy(next.x.begin(), next.x.end(), p.x.begin());
    std::copy(next.w.begin(), next.w.end(), p.w.begin());
    gpu->data_refresh();
    CpuBackend cpu(p.view(true), 0);
    passes_compare(cpu, *gpu, p, 1e-4, streamed ? "refreshed, streamed" : "refreshed, resident");
  }
}

TEST(cuda_backend, tf32_within_documented_tolerance) {
  KSEG_NEED_GPU();
  // TF32 keeps 10 mantissa bits in the product: distances move by about 1e-3·(‖x‖² + ‖c‖²). Well-separated blobs
  // keep every label; inertia stays within 1% (kernels/README.md).
  const Problem p = problem_make(5, 8000, 32, 8, 0.2f);
  CudaOptions o;
  o.tf32 = true;
  auto tf32 = gpu_make(p, false, o);
  auto fp32 = gpu_make(p, false);
  const double a = tf32->assign(p.centres.data(), p.k);
  const double b = fp32->assign(p.centres.data(), p.k);
  EXPECT_NEAR(a, b, 1e-2 * b);
  std::vector<int32_t> la(p.n), lb(p.n);
  tf32->labels_get(la.data());
  fp32->labels_get(lb.data());
  EXPECT_EQ(la, lb);
}

TEST(cuda_backend, seeding_matches_cpu) {
  KSEG_NEED_GPU();
  const Problem p = problem_make(77, 3001, 5, 4);
  CpuBackend cpu(p.view(true), 0);
  auto gpu = gpu_make(p, true);
  EXPECT_NEAR(gpu->seeding_reset(), cpu.seeding_reset(), 1e-9 * static_cast<double>(p.n));
  const double pc = cpu.seeding_update(p.centres.data(), 2);
  const double pg = gpu->seeding_update(p.centres.data(), 2);
  EXPECT_NEAR(pg, pc, 1e-5 * pc);
  std::vector<double> cc(3), cg(3);
  cpu.seeding_candidates_cost(p.centres.data() + 2 * p.d, 2, cc.data());
  gpu->seeding_candidates_cost(p.centres.data() + 2 * p.d, 2, cg.data());
  for (int c = 0; c < 2; ++c) EXPECT_NEAR(cg[c], cc[c], 1e-5 * cc[c]);
  std::mt19937_64 rng(77);
  std::vector<double> targets(200);
  for (double& t : targets) t = std::uniform_real_distribution<double>(0.0, pg)(rng);
  std::vector<int64_t> rc(200), rg(200);
  cpu.rows_sample(targets.data(), 200, false, rc.data());
  gpu->rows_sample(targets.data(), 200, false, rg.data());
  int64_t same = 0;
  for (int t = 0; t < 200; ++t) {
    same += rc[t] == rg[t];
    ASSERT_NE(p.w[rg[t]], 0.0f) << "zero-weight row sampled";
  }
  EXPECT_GE(same, 195);  // the potentials differ by float rounding of the distances only
  for (double& t : targets) t = std::uniform_real_distribution<double>(0.0, 1000.0)(rng);
  cpu.rows_sample(targets.data(), 200, true, rc.data());
  gpu->rows_sample(targets.data(), 200, true, rg.data());
  EXPECT_EQ(rc, rg);
  std::vector<int64_t> rows = {0, p.n - 1, 17};
  std::vector<float> got(3 * p.d);
  gpu->rows_get(rows.data(), 3, got.data());
  for (int i = 0; i < 3; ++i) {
    for (int64_t j = 0; j < p.d; ++j) EXPECT_EQ(got[i * p.d + j], p.x[rows[i] * p.d + j]);
  }
}

TEST(cuda_backend, budget_too_small_names_bytes) {
  KSEG_NEED_GPU();
  const Problem p = problem_make(3, 100000, 4, 2);
  CudaOptions o;
  o.memory_budget_bytes = 1 << 16;
  try {
    gpu_make(p, false, o);
    FAIL() << "expected CudaError";
  } catch (const CudaError& e) {
    EXPECT_NE(std::string(e.what()).find("budget"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kseg
