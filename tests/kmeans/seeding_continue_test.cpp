// k-means++ continued from given centres (seeds_kmeans_plus_plus_from, the warm start's seeding): the given centres
// stay, the added ones cover what they leave uncovered, the given centres' D² takes one backend pass, the result is
// the same for any thread count, and rows without weight are never chosen.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {
namespace {

// `groups` groups of `per_group` rows in d = 2, group g around (100·g, 0), uniform noise in [−1, 1].
struct Groups {
  std::vector<float> x;
  std::vector<float> means;  // groups × 2
  int64_t n = 0;
};

Groups groups_make(int64_t groups, int64_t per_group, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> noise(-1.0f, 1.0f);
  Groups g;
  g.n = groups * per_group;
  g.means.assign(static_cast<size_t>(groups * 2), 0.0f);
  for (int64_t j = 0; j < groups; ++j) {
    double sum[2] = {0.0, 0.0};
    for (int64_t r = 0; r < per_group; ++r) {
      const float a = 100.0f * static_cast<float>(j) + noise(rng), b = noise(rng);
      g.x.push_back(a);
      g.x.push_back(b);
      sum[0] += a;
      sum[1] += b;
    }
    g.means[j * 2] = static_cast<float>(sum[0] / static_cast<double>(per_group));
    g.means[j * 2 + 1] = static_cast<float>(sum[1] / static_cast<double>(per_group));
  }
  return g;
}

// The group a point lies in (the nearest multiple of 100 along the first axis).
int64_t group_of(const float* point) { return std::lround(point[0] / 100.0f); }

bool is_row(const std::vector<float>& x, int64_t d, const float* centre) {
  for (size_t i = 0; i + static_cast<size_t>(d) <= x.size(); i += static_cast<size_t>(d))
    if (std::equal(centre, centre + d, x.begin() + static_cast<std::ptrdiff_t>(i))) return true;
  return false;
}

TEST(SeedingContinue, KeepsTheGivenCentresAndCoversTheUncoveredGroups) {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    const Groups g = groups_make(6, 50, seed);
    CpuBackend backend(DataView{g.x.data(), nullptr, g.n, 2}, 2);
    const std::vector<float> given(g.means.begin(), g.means.begin() + 3 * 2);  // groups 0, 1, 2
    const std::vector<float> centres = seeds_kmeans_plus_plus_from(backend, given, 6, seed, 0);
    ASSERT_EQ(centres.size(), 12u);
    EXPECT_EQ(std::vector<float>(centres.begin(), centres.begin() + 6), given);
    // Every row of groups 3..5 is ≥ 97 from the given centres, every row of 0..2 within 1.5: D² sampling and the
    // greedy choice put one added centre in each uncovered group, and each is a data row.
    std::set<int64_t> covered;
    for (int64_t c = 3; c < 6; ++c) {
      EXPECT_TRUE(is_row(g.x, 2, centres.data() + c * 2));
      covered.insert(group_of(centres.data() + c * 2));
    }
    EXPECT_EQ(covered, (std::set<int64_t>{3, 4, 5}));
  }
}

TEST(SeedingContinue, NoGivenCentreIsTheFreshSeeding) {
  const Groups g = groups_make(5, 40, 11);
  CpuBackend backend(DataView{g.x.data(), nullptr, g.n, 2}, 2);
  EXPECT_EQ(seeds_kmeans_plus_plus_from(backend, {}, 7, 5, 0), seeds_kmeans_plus_plus(backend, 7, 5, 0));
  EXPECT_EQ(seeds_kmeans_plus_plus_from(backend, g.means, 5, 5, 0), g.means);  // k given: nothing to add
}

TEST(SeedingContinue, SameCentresForAnyThreadCount) {
  std::mt19937_64 rng(21);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t n = 20000, d = 5;
  std::vector<float> x(static_cast<size_t>(n * d));
  for (float& v : x) v = normal(rng);
  std::vector<float> w(static_cast<size_t>(n));
  for (float& v : w) v = std::abs(normal(rng));
  const std::vector<float> given(x.begin(), x.begin() + 4 * d);
  std::vector<float> first;
  for (int threads : {1, 2, 3, 4}) {
    SCOPED_TRACE("threads=" + std::to_string(threads));
    CpuBackend backend(DataView{x.data(), w.data(), n, d}, threads);
    const std::vector<float> centres = seeds_kmeans_plus_plus_from(backend, given, 16, 8, 0);
    if (first.empty()) first = centres;
    EXPECT_EQ(centres, first);
  }
}

// Forwards to a CpuBackend and counts the passes the seeding asks for.
class CountingBackend final : public Backend {
 public:
  explicit CountingBackend(const DataView& data) : inner_(data, 2) {}
  std::string name() const override { return inner_.name(); }
  int64_t n_rows() const override { return inner_.n_rows(); }
  int64_t n_cols() const override { return inner_.n_cols(); }
  void lloyd_pass(const float* c, int64_t k, LloydPartials& out) override {
    ++full_passes;
    inner_.lloyd_pass(c, k, out);
  }
  double assign(const float* c, int64_t k) override {
    ++full_passes;
    return inner_.assign(c, k);
  }
  void labels_get(int32_t* labels) const override { inner_.labels_get(labels); }
  void distances_get(float* d) const override { inner_.distances_get(d); }
  void rows_get(const int64_t* rows, int64_t m, float* out) const override { inner_.rows_get(rows, m, out); }
  void data_refresh() override { inner_.data_refresh(); }
  double seeding_reset() override { return inner_.seeding_reset(); }
  double seeding_update(const float* centres, int64_t m) override {
    update_sizes.push_back(m);
    return inner_.seeding_update(centres, m);
  }
  void seeding_candidates_cost(const float* candidates, int64_t m, double* cost) override {
    ++cost_passes;
    inner_.seeding_candidates_cost(candidates, m, cost);
  }
  void rows_sample(const double* targets, int64_t m, bool by_weight_only, int64_t* rows) const override {
    inner_.rows_sample(targets, m, by_weight_only, rows);
  }

  int full_passes = 0;
  int cost_passes = 0;
  std::vector<int64_t> update_sizes;

 private:
  CpuBackend inner_;
};

TEST(SeedingContinue, OnePassForTheGivenCentresAndOneCostPassPerAddedCentre) {
  const Groups g = groups_make(8, 30, 3);
  CountingBackend backend(DataView{g.x.data(), nullptr, g.n, 2});
  const std::vector<float> given(g.means.begin(), g.means.begin() + 5 * 2);
  seeds_kmeans_plus_plus_from(backend, given, 9, 1, 0);
  EXPECT_EQ(backend.full_passes, 0);  // no assignment pass per candidate
  EXPECT_EQ(backend.cost_passes, 4);  // all of a step's candidates in one pass
  EXPECT_EQ(backend.update_sizes, (std::vector<int64_t>{5, 1, 1, 1, 1}));
}

TEST(SeedingContinue, EveryRowOnAGivenCentreFallsBackToWeights) {
  // Three distinct points, all given: D² is 0 everywhere, so the added centre is drawn by weight alone, and only
  // the point with weight can be drawn.
  const std::vector<float> x = {0.0f, 0.0f, 5.0f, 5.0f, 9.0f, 9.0f, 0.0f, 5.0f, 9.0f};
  const std::vector<float> w = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 2.0f, 0.0f};
  CpuBackend backend(DataView{x.data(), w.data(), 9, 1}, 1);
  const std::vector<float> given = {0.0f, 5.0f, 9.0f};
  EXPECT_EQ(seeds_kmeans_plus_plus_from(backend, given, 4, 3, 0), (std::vector<float>{0.0f, 5.0f, 9.0f, 5.0f}));
}

TEST(SeedingContinue, RowsWithoutWeightAreNeverAdded) {
  Groups g = groups_make(4, 50, 9);
  std::vector<float> w(static_cast<size_t>(g.n), 1.0f);
  for (int64_t i = 150; i < 200; ++i) w[i] = 0.0f;  // group 3 has no weight
  CpuBackend backend(DataView{g.x.data(), w.data(), g.n, 2}, 2);
  const std::vector<float> given(g.means.begin(), g.means.begin() + 2);  // group 0
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const std::vector<float> centres = seeds_kmeans_plus_plus_from(backend, given, 4, seed, 0);
    std::set<int64_t> covered;
    for (int64_t c = 1; c < 4; ++c) covered.insert(group_of(centres.data() + c * 2));
    EXPECT_EQ(covered.count(3), 0u) << "seed " << seed;                    // never the weightless group
    EXPECT_TRUE(covered.count(1) && covered.count(2)) << "seed " << seed;  // the uncovered groups with weight
  }
}

TEST(SeedingContinue, RejectsGivenCentresThatDoNotFit) {
  const Groups g = groups_make(3, 10, 1);
  CpuBackend backend(DataView{g.x.data(), nullptr, g.n, 2}, 1);
  EXPECT_THROW(seeds_kmeans_plus_plus_from(backend, {1.0f, 2.0f, 3.0f}, 3, 1, 0), DataError);  // not rows of d = 2
  EXPECT_THROW(seeds_kmeans_plus_plus_from(backend, g.means, 2, 1, 0), DataError);             // more than k
}

}  // namespace
}  // namespace kseg
