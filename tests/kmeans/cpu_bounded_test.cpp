// The bounded Lloyd pass (Hamerly bounds + exact integer sums) against the full pass on the same centroids: the same
// labels and distances bit for bit, the same weights, sums within rounding, while most rows are skipped.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/metrics/adjusted_rand.hpp"
#include "synthetic.hpp"

namespace kseg {
namespace {

std::vector<int32_t> labels_of(const Backend& b) {
  std::vector<int32_t> v(static_cast<size_t>(b.n_rows()));
  b.labels_get(v.data());
  return v;
}

std::vector<float> distances_of(const Backend& b) {
  std::vector<float> v(static_cast<size_t>(b.n_rows()));
  b.distances_get(v.data());
  return v;
}

// Lloyd's update from a pass's partials; an empty cluster keeps its centroid.
void centroids_move(const LloydPartials& p, int64_t k, int64_t d, std::vector<float>& c) {
  for (int64_t j = 0; j < k; ++j)
    if (p.weights[j] > 0.0)
      for (int64_t t = 0; t < d; ++t) c[j * d + t] = static_cast<float>(p.sums[j * d + t] / p.weights[j]);
}

// Σ w‖x − c(label)‖² in double: what the inertia of a pass should be.
double inertia_reference(const DataView& v, const std::vector<int32_t>& labels, const std::vector<float>& c) {
  double total = 0.0;
  for (int64_t i = 0; i < v.n_rows; ++i) {
    double s = 0.0;
    for (int64_t t = 0; t < v.n_cols; ++t) {
      const double diff = double(v.x[i * v.n_cols + t]) - c[labels[i] * v.n_cols + t];
      s += diff * diff;
    }
    total += (v.weights ? v.weights[i] : 1.0) * s;
  }
  return total;
}

// The two passes, on centroids c, agree; the bounded pass's inertia (from its exact sums) is within 1e-6 of the double
// reference, the full pass's (a sum of the kernel's rounded distances) within full_inertia_tol.
void expect_same_pass(const LloydPartials& full, const LloydPartials& bounded, const Backend& a, const Backend& b,
                      const DataView& view, const std::vector<float>& c, int64_t k, double full_inertia_tol = 1e-5) {
  const int64_t d = view.n_cols;
  const std::vector<int32_t> labels = labels_of(a);
  ASSERT_EQ(labels, labels_of(b));
  const std::vector<float> da = distances_of(a), db = distances_of(b);
  ASSERT_EQ(0, std::memcmp(da.data(), db.data(), da.size() * sizeof(float)));  // bit for bit
  EXPECT_EQ(full.n_changed, bounded.n_changed);
  for (int64_t j = 0; j < k; ++j) {
    EXPECT_NEAR(full.weights[j], bounded.weights[j], 1e-12 * (1.0 + full.weights[j]));
    for (int64_t t = 0; t < d; ++t)
      EXPECT_NEAR(full.sums[j * d + t], bounded.sums[j * d + t], 1e-9 * (1.0 + std::abs(full.sums[j * d + t])));
  }
  const double reference = inertia_reference(view, labels, c);
  EXPECT_NEAR(bounded.inertia, reference, 1e-6 * (1.0 + reference));
  EXPECT_NEAR(full.inertia, reference, full_inertia_tol * (1.0 + reference));
}

// Runs Lloyd iterations with centroids from the full pass, checks every pass of the bounded backend against it, and
// returns the rows the bounded backend computed over the second half of the iterations.
int64_t expect_bounded_follows_full(const std::vector<float>& x, const std::vector<float>& w, int64_t n, int64_t d,
                                    int64_t k, int iterations, double full_inertia_tol = 1e-5) {
  SCOPED_TRACE("n=" + std::to_string(n) + " d=" + std::to_string(d) + " k=" + std::to_string(k) +
               (w.empty() ? "" : " weighted"));
  const DataView view{x.data(), w.empty() ? nullptr : w.data(), n, d};
  CpuBackend full(view, 2, CpuPassMode::full), bounded(view, 2, CpuPassMode::bounded);
  std::vector<float> c(x.begin(), x.begin() + k * d);
  int64_t computed_late = 0;
  for (int it = 0; it < iterations; ++it) {
    SCOPED_TRACE("iteration " + std::to_string(it));
    LloydPartials pf, pb;
    full.lloyd_pass(c.data(), k, pf);
    bounded.lloyd_pass(c.data(), k, pb);
    expect_same_pass(pf, pb, full, bounded, view, c, k, full_inertia_tol);
    if (it == 0) {
      EXPECT_EQ(bounded.rows_computed(), n);
    }
    if (it >= iterations / 2) computed_late += bounded.rows_computed();
    centroids_move(pf, k, d, c);
  }
  return computed_late;
}

TEST(CpuBoundedPass, SameLabelsAndDistancesAsTheFullPassEveryIteration) {
  const int iterations = 24;
  struct Shape {
    int64_t n, d, k;
    bool weighted;
  };
  for (const Shape& s : {Shape{6000, 2, 5, false}, Shape{5003, 8, 8, true}, Shape{4000, 16, 20, false},
                         Shape{3001, 3, 1, false}, Shape{2500, 5, 40, true}}) {
    // Overlapping blobs: many rows near the boundaries keep moving for a while.
    testing::Blobs b = testing::blobs_make(s.n, s.d, std::max<int64_t>(2, s.k), 11 + s.d, 1.5f);
    std::vector<float> w;
    if (s.weighted)
      for (int64_t i = 0; i < s.n; ++i) w.push_back(0.25f * static_cast<float>(1 + i % 7));
    const int64_t late = expect_bounded_follows_full(b.x, w, s.n, s.d, s.k, iterations);
    // The bounds do skip: over the second half, far fewer rows than a full pass each time.
    EXPECT_LT(late, s.n * (iterations / 2) / 2);
  }
}

// Far from the origin the kernel's expanded distances (‖x‖² − 2x·c + ‖c‖²) carry rounding errors larger than the gaps
// between centroids for many rows: the bounds must leave those rows to the kernel.
TEST(CpuBoundedPass, FollowsTheKernelsRoundingFarFromTheOrigin) {
  for (int64_t d : {3, 8}) {
    testing::Blobs b = testing::blobs_make(4000, d, 6, 17 + d, 1.0f);
    for (float& v : b.x) v += 1000.0f;
    expect_bounded_follows_full(b.x, {}, b.n, d, 6, 20, 0.1);
  }
}

// Integer points and centroids on half-integers: many exact ties, which the bounds must never decide.
TEST(CpuBoundedPass, ExactTiesGoToTheLowestIndexAsInTheFullPass) {
  const int64_t d = 2, k = 4, n = 16 * 40;
  std::vector<float> x;
  for (int64_t i = 0; i < n; ++i) {
    x.push_back(static_cast<float>(i % 4));
    x.push_back(static_cast<float>((i / 4) % 4));
  }
  const DataView view{x.data(), nullptr, n, d};
  CpuBackend full(view, 2, CpuPassMode::full), bounded(view, 2, CpuPassMode::bounded);
  std::vector<float> c = {0.5f, 0.5f, 2.5f, 0.5f, 0.5f, 2.5f, 2.5f, 2.5f};
  for (int it = 0; it < 4; ++it) {
    LloydPartials pf, pb;
    full.lloyd_pass(c.data(), k, pf);
    bounded.lloyd_pass(c.data(), k, pb);
    expect_same_pass(pf, pb, full, bounded, view, c, k);
    centroids_move(pf, k, d, c);
  }
}

// The integer sums are exact: a backend that reached some centroids through other passes, on any number of
// threads, holds the same sums as a fresh one.
TEST(CpuBoundedPass, SumsDoNotDependOnHistoryOrThreads) {
  testing::Blobs b = testing::blobs_make(7000, 6, 5, 3, 2.0f);
  const DataView view{b.x.data(), nullptr, b.n, b.d};
  const int64_t k = 5, d = 6;
  CpuBackend walked(view, 2, CpuPassMode::bounded), one_thread(view, 1, CpuPassMode::bounded);
  std::vector<float> c(b.x.begin(), b.x.begin() + k * d);
  LloydPartials p;
  for (int it = 0; it < 6; ++it) {
    walked.lloyd_pass(c.data(), k, p);
    one_thread.lloyd_pass(c.data(), k, p);
    centroids_move(p, k, d, c);
  }
  LloydPartials after_walk, after_one, fresh_p;
  walked.lloyd_pass(c.data(), k, after_walk);
  one_thread.lloyd_pass(c.data(), k, after_one);
  EXPECT_LT(walked.rows_computed(), b.n);
  CpuBackend fresh(view, 2, CpuPassMode::bounded);
  fresh.lloyd_pass(c.data(), k, fresh_p);
  EXPECT_EQ(labels_of(walked), labels_of(fresh));
  EXPECT_EQ(after_walk.sums, fresh_p.sums);  // bit for bit
  EXPECT_EQ(after_walk.weights, fresh_p.weights);
  EXPECT_EQ(after_walk.inertia, fresh_p.inertia);
  EXPECT_EQ(after_one.sums, fresh_p.sums);
}

// A new k, or labels changed by assign, make the next pass compute every row; it still agrees with the full pass.
TEST(CpuBoundedPass, NewKAndAssignStartFromScratch) {
  testing::Blobs b = testing::blobs_make(3000, 4, 6, 5, 3.0f);
  const DataView view{b.x.data(), nullptr, b.n, b.d};
  const int64_t d = 4;
  CpuBackend full(view, 2, CpuPassMode::full), bounded(view, 2, CpuPassMode::bounded);
  std::vector<float> c3(b.x.begin(), b.x.begin() + 3 * d), c6(b.x.begin() + 100 * d, b.x.begin() + 106 * d);
  LloydPartials pf, pb;
  full.lloyd_pass(c3.data(), 3, pf);
  bounded.lloyd_pass(c3.data(), 3, pb);
  full.lloyd_pass(c6.data(), 6, pf);
  bounded.lloyd_pass(c6.data(), 6, pb);
  EXPECT_EQ(bounded.rows_computed(), b.n);
  expect_same_pass(pf, pb, full, bounded, view, c6, 6);
  centroids_move(pf, 6, d, c6);
  EXPECT_EQ(full.assign(c3.data(), 3), bounded.assign(c3.data(), 3));
  full.lloyd_pass(c6.data(), 6, pf);
  bounded.lloyd_pass(c6.data(), 6, pb);
  EXPECT_EQ(bounded.rows_computed(), b.n);
  expect_same_pass(pf, pb, full, bounded, view, c6, 6);
}

// One backend scoring batch after batch: rows overwritten in place, then data_refresh(), give exactly what a backend
// built on the new rows gives, in both pass modes (the bounded pass's integer scales come from the data).
TEST(CpuBackendRefresh, RefreshedBackendEqualsAFreshOne) {
  for (const CpuPassMode mode : {CpuPassMode::full, CpuPassMode::bounded}) {
    testing::Blobs b = testing::blobs_make(5000, 6, 4, 31, 2.0f);
    const testing::Blobs next = testing::blobs_make(5000, 6, 4, 32, 9.0f);
    std::vector<float> w(5000, 1.0f);
    const DataView view{b.x.data(), w.data(), b.n, b.d};
    CpuBackend reused(view, 2, mode);
    std::vector<float> c(b.x.begin(), b.x.begin() + 4 * b.d);
    LloydPartials p;
    reused.lloyd_pass(c.data(), 4, p);
    reused.lloyd_pass(c.data(), 4, p);
    std::copy(next.x.begin(), next.x.end(), b.x.begin());
    for (size_t i = 0; i < w.size(); ++i) w[i] = 0.5f + static_cast<float>(i % 3);
    reused.data_refresh();
    CpuBackend fresh(view, 2, mode);
    const std::vector<float> c2(next.x.begin() + 100 * b.d, next.x.begin() + 104 * b.d);
    LloydPartials pr, pf;
    reused.lloyd_pass(c2.data(), 4, pr);
    fresh.lloyd_pass(c2.data(), 4, pf);
    EXPECT_EQ(labels_of(reused), labels_of(fresh));
    EXPECT_EQ(distances_of(reused), distances_of(fresh));
    EXPECT_EQ(pr.sums, pf.sums);
    EXPECT_EQ(pr.weights, pf.weights);
    EXPECT_EQ(pr.inertia, pf.inertia);
    EXPECT_EQ(pr.n_changed, b.n);  // every label is new after a refresh, as on a fresh backend
    EXPECT_EQ(reused.assign(c2.data(), 4), fresh.assign(c2.data(), 4));
  }
}

TEST(CpuBoundedPass, FitMatchesTheFullPassFit) {
  testing::Blobs b = testing::blobs_make(8000, 12, 7, 21, 4.0f);
  KMeansParams params;
  params.n_clusters = 7;
  params.seed = 4;
  params.n_init = 2;
  params.max_iter = 100;
  params.tol = 0.0;
  const DataView view{b.x.data(), nullptr, b.n, b.d};
  CpuBackend full(view, 2, CpuPassMode::full), bounded(view, 2, CpuPassMode::bounded);
  const KMeansResult rf = kmeans_fit(full, view, params, 0.0, single_process());
  const KMeansResult rb = kmeans_fit(bounded, view, params, 0.0, single_process());
  EXPECT_EQ(adjusted_rand_index(rf.labels, rb.labels), 1.0);
  EXPECT_NEAR(rf.inertia, rb.inertia, 1e-6 * rf.inertia);
  for (size_t t = 0; t < rf.centroids.size(); ++t) EXPECT_NEAR(rf.centroids[t], rb.centroids[t], 1e-4);
}

TEST(CpuBoundedPass, ModeNames) {
  std::vector<float> x(64 * 4, 0.5f);
  EXPECT_EQ(CpuBackend(DataView{x.data(), nullptr, 64, 4}, 1).mode(), CpuPassMode::full);  // the default
  EXPECT_EQ(cpu_pass_mode_parse("lloyd"), CpuPassMode::full);
  EXPECT_EQ(cpu_pass_mode_parse("hamerly"), CpuPassMode::bounded);
  EXPECT_THROW(cpu_pass_mode_parse("elkan"), UsageError);
  EXPECT_THROW(cpu_pass_mode_parse("auto"), UsageError);
}

TEST(FixedPointScales, AddingAndRemovingRowsIsExactInAnyOrder) {
  const int64_t n = 500, d = 3, k = 2;
  std::vector<float> x = testing::uniform_matrix(n, d, 9);
  for (int64_t i = 0; i < n; ++i) x[i * d] *= 1000.0f;  // features of different magnitudes
  const FixedPointScales scales({1000.0, 1.0, 1.0}, 1e6 + 2.0, 2.0 * n);
  std::vector<int64_t> forward(k * (d + 2), 0), backward(k * (d + 2), 0);
  std::vector<double> exact(static_cast<size_t>(d), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    scales.row_add(forward.data(), k, i % k, x.data() + i * d, 2.0f, +1);
    if (i % k == 0)
      for (int64_t t = 0; t < d; ++t) exact[t] += 2.0 * x[i * d + t];
  }
  for (int64_t i = n - 1; i >= 0; --i) scales.row_add(backward.data(), k, i % k, x.data() + i * d, 2.0f, +1);
  EXPECT_EQ(forward, backward);
  for (int64_t t = 0; t < d; ++t)
    EXPECT_NEAR(static_cast<double>(forward[t]) / scales.feature(t), exact[t], 1e-9 * (1.0 + std::abs(exact[t])));
  EXPECT_EQ(static_cast<double>(forward[fixed_weight_at(k, d, 0)]) / scales.weight(), 2.0 * (n / 2));
  for (int64_t i = 0; i < n; ++i) scales.row_add(forward.data(), k, i % k, x.data() + i * d, 2.0f, -1);
  EXPECT_EQ(forward, std::vector<int64_t>(k * (d + 2), 0));
}

}  // namespace
}  // namespace kseg
