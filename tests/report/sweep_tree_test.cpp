// kseg sweep --hierarchy: a tree cut at k leaves is the tree fitted to k leaves; the sweep's rows over the cuts.
#include <gtest/gtest.h>

#include <map>

#include "../kmeans/synthetic.hpp"
#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/report/k_sweep_tree.hpp"

namespace kseg {
namespace {

const BackendFactory kCpu = [](const DataView& rows) { return std::make_unique<CpuBackend>(rows, 2); };

TEST(SweepTree, ACutAtKIsTheTreeFittedToK) {
  testing::Blobs b = testing::blobs_make(3000, 4, 6, 9, 5.0f);
  const DataView view{b.x.data(), nullptr, b.n, b.d};
  SingleProcess comm;
  KMeansParams params;
  params.n_clusters = 7;
  params.seed = 5;
  const double tol = params.tol * feature_variance_mean(view, comm);
  SegmentTree full;
  const KMeansResult grown = bisecting_fit(view, params, tol, {}, kCpu, full);
  for (int64_t k = 1; k <= 7; ++k) {
    SCOPED_TRACE("k=" + std::to_string(k));
    params.n_clusters = k;
    SegmentTree small;
    const KMeansResult fitted = bisecting_fit(view, params, tol, {}, kCpu, small);
    std::vector<float> centroids;
    double inertia = 0.0;
    EXPECT_EQ(tree_cut_labels(full, grown.labels, k, &centroids, &inertia), fitted.labels);
    EXPECT_EQ(centroids, fitted.centroids);
    EXPECT_DOUBLE_EQ(inertia, fitted.inertia);
  }
  EXPECT_THROW(tree_cut_labels(full, grown.labels, 8), DataError);
}

TEST(SweepTree, RowsPerKFromOneTreePerSeed) {
  testing::Blobs b = testing::blobs_make(2000, 3, 4, 2);
  const DataView view{b.x.data(), nullptr, b.n, b.d};
  SweepParams params;
  params.ks = {2, 3, 4, 6};
  params.n_seeds = 2;
  params.sample_size = 500;
  const SweepResult r = sweep_tree_run(view, params, SplitStrategy::largest_inertia, kCpu);
  ASSERT_EQ(r.rows.size(), 4u);
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const SweepRow& row = r.rows[i];
    EXPECT_EQ(row.k, params.ks[i]);
    EXPECT_EQ(row.inertias.size(), 2u);
    EXPECT_EQ(row.inertia, std::min(row.inertias[0], row.inertias[1]));
    EXPECT_EQ(row.centroids.size(), static_cast<size_t>(row.k * b.d));
    if (i > 0) {  // each seed's tree only splits further: its inertia falls with k
      EXPECT_LT(row.inertias[0], r.rows[i - 1].inertias[0]);
      EXPECT_LT(row.inertias[1], r.rows[i - 1].inertias[1]);
    }
  }
  // Four planted blobs, well apart: k = 4 is found, by both seeds alike.
  EXPECT_GT(r.rows[2].silhouette, r.rows[0].silhouette);
  EXPECT_NEAR(r.rows[2].stability, 1.0, 1e-9);
  params.fit_sample = 100;
  EXPECT_THROW(sweep_tree_run(view, params, SplitStrategy::largest_inertia, kCpu), UsageError);
}

}  // namespace
}  // namespace kseg
