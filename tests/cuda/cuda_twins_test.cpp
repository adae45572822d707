// CPU tests of the arithmetic the CUDA kernels share with the CPU (host_device.hpp), of the kernels' CPU twins
// (cpu_twins.hpp) against naive references, and of the workspace plan. No GPU needed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "common/cpu_twins.hpp"
#include "common/host_device.hpp"
#include "kernels/cuda_error.hpp"
#include "kernels/workspace_plan.hpp"

namespace kseg {
namespace {

std::vector<float> random_floats(std::mt19937_64& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

TEST(cuda_twins, distance_clamps_at_zero) {
  EXPECT_EQ(sq_distance_expanded(1.0f, 1.0f, 1.0f), 0.0f);
  EXPECT_EQ(sq_distance_expanded(1.0f, 1.0000001f, 1.0f), 0.0f);  // slightly negative before the clamp
  EXPECT_EQ(sq_distance_expanded(4.0f, 1.0f, 1.0f), 3.0f);
}

TEST(cuda_twins, argmin_ties_go_to_lowest_index_in_any_order) {
  float best = std::numeric_limits<float>::infinity();
  int32_t index = std::numeric_limits<int32_t>::max();
  for (int32_t c : {5, 2, 7, 2, 9}) argmin_update(1.0f, c, best, index);
  EXPECT_EQ(index, 2);
  argmin_update(0.5f, 8, best, index);
  EXPECT_EQ(index, 8);
  // +inf distances still give a valid label: the lowest index.
  best = std::numeric_limits<float>::infinity();
  index = std::numeric_limits<int32_t>::max();
  argmin_update(std::numeric_limits<float>::infinity(), 3, best, index);
  EXPECT_EQ(index, 3);
}

TEST(cuda_twins, prefix_search_edges) {
  const std::vector<double> v = {1, 0, 2, 0, 3};  // rows 1 and 3 have zero weight
  std::vector<double> p = v;
  twin::scan_inclusive(p.data(), static_cast<int64_t>(p.size()));
  ASSERT_EQ(p, (std::vector<double>{1, 1, 3, 3, 6}));
  EXPECT_EQ(prefix_search(p.data(), 5, 0.0), 0);
  EXPECT_EQ(prefix_search(p.data(), 5, 1.0), 2);  // exact prefix value: the next row with weight
  EXPECT_EQ(prefix_search(p.data(), 5, 3.0), 4);
  EXPECT_EQ(prefix_search(p.data(), 5, 5.999), 4);
  EXPECT_EQ(prefix_search(p.data(), 5, 6.0), 4);    // at the end
  EXPECT_EQ(prefix_search(p.data(), 5, 100.0), 4);  // past the end
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 6.0);
  for (int i = 0; i < 10000; ++i) {
    const int64_t row = prefix_search(p.data(), 5, u(rng));
    EXPECT_GT(v[static_cast<size_t>(row)], 0.0) << "zero-weight row " << row << " chosen";
  }
}

TEST(cuda_twins, first_greater_and_weighted) {
  const std::vector<int32_t> a = {0, 2, 2, 5};
  EXPECT_EQ(first_greater(a.data(), 4, 0), 1);
  EXPECT_EQ(first_greater(a.data(), 4, 2), 3);
  EXPECT_EQ(first_greater(a.data(), 4, 5), 4);
  EXPECT_EQ(first_greater(a.data(), 4, -1), 0);
  // float × float is exact in double: the product and an FMA with it agree.
  const float w = 0.1f, x = 3.3f;
  EXPECT_EQ(std::fma(static_cast<double>(w), static_cast<double>(x), 1.0), weighted(w, x) + 1.0);
  EXPECT_EQ(min_float(2.0f, 1.0f), 1.0f);
}

TEST(cuda_twins, row_norms_match_double_reference) {
  const uint64_t seed = 21;
  std::mt19937_64 rng(seed);
  for (int64_t d : {1, 3, 32, 33, 600}) {
    const int64_t n = 37;
    const auto x = random_floats(rng, static_cast<size_t>(n * d), -2.0f, 2.0f);
    std::vector<float> norms(static_cast<size_t>(n));
    twin::row_norms(x.data(), n, d, norms.data());
    for (int64_t i = 0; i < n; ++i) {
      double ref = 0.0;
      for (int64_t j = 0; j < d; ++j) ref += static_cast<double>(x[i * d + j]) * x[i * d + j];
      EXPECT_NEAR(norms[static_cast<size_t>(i)], ref, 1e-5 * ref) << "seed " << seed << " d " << d << " row " << i;
    }
  }
}

TEST(cuda_twins, distances_argmin_matches_double_reference) {
  const uint64_t seed = 5;
  std::mt19937_64 rng(seed);
  const int64_t n = 300, k = 17, d = 9;
  const auto x = random_floats(rng, n * d, -1.0f, 1.0f);
  const auto c = random_floats(rng, k * d, -1.0f, 1.0f);
  std::vector<float> xn(n), cn(k), dist(n);
  std::vector<int32_t> labels(n);
  twin::row_norms(x.data(), n, d, xn.data());
  twin::row_norms(c.data(), k, d, cn.data());
  const auto dot = twin::dots(x.data(), n, c.data(), k, d);
  twin::distances_argmin(dot.data(), xn.data(), cn.data(), n, k, labels.data(), dist.data());
  for (int64_t i = 0; i < n; ++i) {
    double best = INFINITY, second = INFINITY;
    int32_t arg = -1;
    for (int64_t j = 0; j < k; ++j) {
      double s = 0;
      for (int64_t t = 0; t < d; ++t) s += std::pow(static_cast<double>(x[i * d + t]) - c[j * d + t], 2);
      if (s < best) {
        second = best;
        best = s;
        arg = static_cast<int32_t>(j);
      } else if (s < second) {
        second = s;
      }
    }
    EXPECT_NEAR(dist[i], best, 1e-5) << "seed " << seed << " row " << i;
    if (second - best > 1e-5) {
      EXPECT_EQ(labels[i], arg) << "seed " << seed << " row " << i;
    }
  }
}

TEST(cuda_twins, distances_argmin_duplicate_centroids_take_lowest_index) {
  const std::vector<float> x = {1, 2, 3, 4}, c = {0, 0, 1, 2, 1, 2};  // rows of d = 2; centroids 1 and 2 equal
  std::vector<float> xn(2), cn(3), dist(2);
  std::vector<int32_t> labels(2);
  twin::row_norms(x.data(), 2, 2, xn.data());
  twin::row_norms(c.data(), 3, 2, cn.data());
  const auto dot = twin::dots(x.data(), 2, c.data(), 3, 2);
  twin::distances_argmin(dot.data(), xn.data(), cn.data(), 2, 3, labels.data(), dist.data());
  EXPECT_EQ(labels[0], 1);
  EXPECT_EQ(dist[0], 0.0f);
  EXPECT_EQ(labels[1], 1);
}

TEST(cuda_twins, scan_matches_running_sum) {
  const uint64_t seed = 3;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int64_t n :
       {int64_t{1}, int64_t{2}, int64_t{1023}, int64_t{1024}, int64_t{1025}, int64_t{4103}, (int64_t{1} << 20) + 3}) {
    std::vector<double> v(static_cast<size_t>(n));
    for (double& x : v) x = u(rng);
    std::vector<double> p = v;
    twin::scan_inclusive(p.data(), n);
    double run = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      run += v[static_cast<size_t>(i)];
      ASSERT_NEAR(p[static_cast<size_t>(i)], run, 1e-12 * run) << "seed " << seed << " n " << n << " i " << i;
      if (i > 0) {
        ASSERT_GE(p[static_cast<size_t>(i)], p[static_cast<size_t>(i - 1)]) << "n " << n << " i " << i;
      }
    }
    std::vector<double> ones(static_cast<size_t>(n), 1.0);
    twin::scan_inclusive(ones.data(), n);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(ones[static_cast<size_t>(i)], static_cast<double>(i + 1));
  }
}

TEST(cuda_twins, centroid_accumulate_matches_naive_sums) {
  const uint64_t seed = 8;
  std::mt19937_64 rng(seed);
  const int64_t n = 2000, d = 5, k = 7;
  const auto x = random_floats(rng, n * d, -3.0f, 3.0f);
  const auto w = random_floats(rng, n, 0.0f, 2.0f);
  std::vector<int32_t> labels(n);
  std::uniform_int_distribution<int32_t> label(0, k - 2);  // cluster k − 1 stays empty
  for (auto& l : labels) l = label(rng);
  std::vector<double> ref(k * (d + 1), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < d; ++j) ref[labels[i] * (d + 1) + j] += static_cast<double>(w[i]) * x[i * d + j];
    ref[labels[i] * (d + 1) + d] += w[i];
  }
  for (int64_t batch : {int64_t{256}, int64_t{768}, n}) {
    std::vector<double> acc(k * (d + 1), 0.0);
    twin::centroid_accumulate(x.data(), w.data(), labels.data(), n, d, k, batch, acc.data());
    for (size_t e = 0; e < acc.size(); ++e) {
      EXPECT_NEAR(acc[e], ref[e], 1e-9 * (1 + std::abs(ref[e]))) << "seed " << seed << " batch " << batch << " e " << e;
    }
    for (int64_t j = 0; j <= d; ++j) EXPECT_EQ(acc[(k - 1) * (d + 1) + j], 0.0);
  }
  std::vector<double> unweighted(k * (d + 1), 0.0);
  twin::centroid_accumulate(x.data(), nullptr, labels.data(), n, d, k, n, unweighted.data());
  double count = 0;
  for (int64_t c = 0; c < k; ++c) count += unweighted[c * (d + 1) + d];
  EXPECT_EQ(count, static_cast<double>(n));
}

TEST(cuda_twins, candidates_cost_matches_naive) {
  const uint64_t seed = 13;
  std::mt19937_64 rng(seed);
  const int64_t n = 1000, d = 4, m = 6;
  const auto x = random_floats(rng, n * d, -1.0f, 1.0f);
  const auto c = random_floats(rng, m * d, -1.0f, 1.0f);
  const auto w = random_floats(rng, n, 0.5f, 1.5f);
  const auto md = random_floats(rng, n, 0.0f, 2.0f);
  std::vector<float> xn(n), cn(m);
  twin::row_norms(x.data(), n, d, xn.data());
  twin::row_norms(c.data(), m, d, cn.data());
  const auto dot = twin::dots(x.data(), n, c.data(), m, d);
  std::vector<double> cost(m);
  twin::candidates_cost(dot.data(), xn.data(), w.data(), md.data(), n, cn.data(), m, cost.data());
  for (int64_t j = 0; j < m; ++j) {
    double ref = 0;
    for (int64_t i = 0; i < n; ++i) {
      double s = 0;
      for (int64_t t = 0; t < d; ++t) s += std::pow(static_cast<double>(x[i * d + t]) - c[j * d + t], 2);
      ref += w[i] * std::min<double>(md[i], s);
    }
    EXPECT_NEAR(cost[j], ref, 1e-5 * ref) << "seed " << seed << " candidate " << j;
  }
}

TEST(cuda_twins, workspace_plan_resident_and_streaming) {
  const int64_t n = 100000, d = 16;
  const WorkspacePlan big = workspace_plan(n, d, size_t{1} << 30);
  EXPECT_TRUE(big.resident);
  EXPECT_EQ(big.batch_rows, n);
  const TilePlan t = tile_plan(big, 3000, d);
  EXPECT_EQ(t.kt, kCentroidTileMax);
  EXPECT_EQ(t.rt % kRowTileQuantum == 0 || t.rt == big.batch_rows, true);

  const WorkspacePlan small = workspace_plan(n, d, n * d * 4 / 2);  // half the data: must stream
  EXPECT_FALSE(small.resident);
  EXPECT_EQ(small.batch_rows % kRowTileQuantum, 0);
  EXPECT_LT(small.batch_rows, n);
  EXPECT_LE(static_cast<size_t>(small.batch_rows) * small.batch_row_bytes + small.tile_bytes, small.avail_bytes);
  const TilePlan ts = tile_plan(small, 5, d);
  EXPECT_EQ(ts.kt, 5);
  EXPECT_EQ(ts.rt % kRowTileQuantum, 0);
  EXPECT_LE(ts.rt, small.batch_rows);
  EXPECT_LE(centres_bytes(5, d) + static_cast<size_t>(ts.rt) * (ts.kt * 4 + 1), small.tile_bytes);

  const WorkspacePlan tiny_n = workspace_plan(10, 3, size_t{1} << 20);
  EXPECT_EQ(tiny_n.batch_rows, 10);
  EXPECT_EQ(tile_plan(tiny_n, 1, 3).rt, 10);
}

TEST(cuda_twins, workspace_plan_out_of_budget_names_bytes) {
  try {
    workspace_plan(1000000, 64, 10000);
    FAIL() << "expected CudaError";
  } catch (const DataError& e) {  // CudaError is a DataError: the CLI exits 1
    EXPECT_NE(std::string(e.what()).find("budget"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("workspace_plan.hpp:"), std::string::npos) << e.what();
  }
  const WorkspacePlan p = workspace_plan(100000, 8, 4000000);
  EXPECT_THROW(tile_plan(p, 200000, 8), CudaError);
}

}  // namespace
}  // namespace kseg
