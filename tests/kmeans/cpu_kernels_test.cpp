// The CPU kernel sets chosen at run time (host/kmeans/cpu_kernels.hpp): every set this CPU runs gives the scalar set's
// bits in whole fits (full and bounded passes, k-means++ and k-means|| seeding, weights, empty-cluster repair), and
// KSEG_CPU_KERNEL picks a set or is refused with a message naming it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/cpu_kernels.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "synthetic.hpp"

namespace kseg {
namespace {

struct Shape {
  int64_t n, d, k;
  InitMethod init;
  CpuPassMode mode;
  bool weighted;
};

KMeansResult fit_with(const CpuKernels& kernels, const testing::Blobs& data, const std::vector<float>& w,
                      const Shape& s) {
  const DataView view{data.x.data(), s.weighted ? w.data() : nullptr, data.n, data.d};
  CpuBackend backend(view, 2, s.mode, &kernels);
  EXPECT_STREQ(backend.kernels().name, kernels.name);
  KMeansParams params;
  params.n_clusters = s.k;
  params.max_iter = 12;
  params.tol = 0.0;
  params.seed = 11;
  params.init = s.init;
  return kmeans_fit(backend, view, params, 0.0, single_process());
}

TEST(CpuKernels, EverySetGivesTheScalarBitsInWholeFits) {
  // d = 3, 16 and 33 with k <= 64 and more: the AVX-512 grouped sums (d <= 16, k <= 64) and the row-by-row loop,
  // both nearest-centroid layouts (rows in lanes for few centroids), one panel and several.
  const Shape shapes[] = {{3000, 3, 5, InitMethod::kmeans_plus_plus, CpuPassMode::full, false},
                          {2500, 16, 12, InitMethod::kmeans_plus_plus, CpuPassMode::full, true},
                          {2000, 33, 70, InitMethod::kmeans_parallel, CpuPassMode::full, false},
                          {4000, 8, 20, InitMethod::kmeans_plus_plus, CpuPassMode::bounded, true},
                          {1500, 21, 64, InitMethod::random, CpuPassMode::bounded, false}};
  const std::vector<const CpuKernels*> sets = cpu_kernels_supported();
  ASSERT_STREQ(sets.back()->name, "scalar");
  for (const Shape& s : shapes) {
    const testing::Blobs data = testing::blobs_make(s.n, s.d, s.k / 2 + 1, 1000 + s.n, 3.0f);
    std::vector<float> w(static_cast<size_t>(s.n));
    for (int64_t i = 0; i < s.n; ++i) w[i] = 0.25f + static_cast<float>(i % 7) * 0.5f;
    const KMeansResult reference = fit_with(*sets.back(), data, w, s);
    for (const CpuKernels* kernels : sets) {
      SCOPED_TRACE(std::string(kernels->name) + " n=" + std::to_string(s.n) + " d=" + std::to_string(s.d) +
                   " k=" + std::to_string(s.k));
      const KMeansResult r = fit_with(*kernels, data, w, s);
      EXPECT_EQ(r.labels, reference.labels);
      ASSERT_EQ(r.centroids.size(), reference.centroids.size());
      EXPECT_EQ(std::memcmp(r.centroids.data(), reference.centroids.data(), r.centroids.size() * sizeof(float)), 0);
      EXPECT_EQ(std::memcmp(r.sq_distances.data(), reference.sq_distances.data(), r.sq_distances.size() * 4), 0);
      EXPECT_EQ(r.inertia, reference.inertia);
      EXPECT_EQ(r.runs[0].n_iter, reference.runs[0].n_iter);
    }
  }
}

TEST(CpuKernels, SumsAddIsTheRowByRowFusedLoop) {
  // Grouped (AVX-512, d <= 16) and row-by-row forms against fma in row order, with and without weights.
  for (const CpuKernels* kernels : cpu_kernels_supported())
    for (int64_t d : {1, 7, 9, 16, 17}) {
      SCOPED_TRACE(std::string(kernels->name) + " d=" + std::to_string(d));
      const int64_t rows = 300, k = 9;
      const std::vector<float> x = testing::uniform_matrix(rows, d, 5 + d);
      std::vector<float> w(static_cast<size_t>(rows));
      std::vector<int32_t> labels(static_cast<size_t>(rows));
      for (int64_t r = 0; r < rows; ++r) {
        w[r] = 0.5f + static_cast<float>(r % 5);
        labels[r] = static_cast<int32_t>((r * 7 + r / 3) % k);
      }
      for (const float* weights : {static_cast<const float*>(nullptr), static_cast<const float*>(w.data())}) {
        std::vector<double> sums(static_cast<size_t>(k * d), 0.5), totals(static_cast<size_t>(k), 0.0);
        std::vector<double> expect_sums = sums, expect_totals = totals;
        kernels->sums_add(x.data(), d, weights, labels.data(), rows, k, sums.data(), totals.data());
        for (int64_t r = 0; r < rows; ++r) {
          const double wr = weights ? weights[r] : 1.0;
          expect_totals[labels[r]] += wr;
          for (int64_t t = 0; t < d; ++t)
            expect_sums[labels[r] * d + t] = std::fma(wr, double(x[r * d + t]), expect_sums[labels[r] * d + t]);
        }
        EXPECT_EQ(sums, expect_sums);
        EXPECT_EQ(totals, expect_totals);
      }
    }
}

// Sets KSEG_CPU_KERNEL for one scope and puts back what was there.
class KernelVariable {
 public:
  explicit KernelVariable(const char* value) {
    if (const char* old = std::getenv("KSEG_CPU_KERNEL")) previous_ = old, had_ = true;
    ::setenv("KSEG_CPU_KERNEL", value, 1);
  }
  ~KernelVariable() { had_ ? ::setenv("KSEG_CPU_KERNEL", previous_.c_str(), 1) : ::unsetenv("KSEG_CPU_KERNEL"); }

 private:
  std::string previous_;
  bool had_ = false;
};

TEST(CpuKernels, VariableForcesEverySupportedSetAndRefusesOthers) {
  {
    KernelVariable unset("");
    EXPECT_STREQ(cpu_kernels_default().name, cpu_kernels_supported().front()->name);  // the fastest
  }
  for (const CpuKernels* kernels : cpu_kernels_supported()) {
    KernelVariable forced(kernels->name);
    EXPECT_STREQ(cpu_kernels_default().name, kernels->name);
    const std::vector<float> x = testing::uniform_matrix(10, 2, 1);
    EXPECT_STREQ(CpuBackend(DataView{x.data(), nullptr, 10, 2}, 1).kernels().name, kernels->name);
  }
  KernelVariable bad("avx9000");
  try {
    cpu_kernels_default();
    FAIL() << "an unknown kernel was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("KSEG_CPU_KERNEL"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("scalar"), std::string::npos) << e.what();
  }
  // A set this build has but this CPU cannot run is refused by name, not run into an illegal instruction.
  for (const std::string& name : cpu_kernels_compiled()) {
    bool supported = false;
    for (const CpuKernels* kernels : cpu_kernels_supported()) supported = supported || name == kernels->name;
    if (!supported) {
      EXPECT_THROW(cpu_kernels_named(name, "KSEG_CPU_KERNEL"), UsageError) << name;
    }
  }
}

}  // namespace
}  // namespace kseg
