// Stable ids: matching restores shuffled ids, a split keeps the id on the nearer (larger) half, k grows and shrinks,
// ids are never reused; old centroids carried into a new preparation keep their original-unit meaning.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "host/dynamics/segment_matching.hpp"
#include "host/dynamics/warm_start.hpp"
#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"

namespace kseg {
namespace {

SegmentIdentity identity_make(std::vector<int64_t> ids, std::vector<std::string> names, int64_t next_id) {
  SegmentIdentity s;
  s.ids = std::move(ids);
  s.names = std::move(names);
  s.next_id = next_id;
  return s;
}

TEST(SegmentMatching, ShuffledIdsAreRestored) {
  const uint64_t seed = 7;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  const int64_t k = 6, d = 4;
  std::vector<float> centroids(static_cast<size_t>(k * d));
  for (float& v : centroids) v = normal(rng);
  const SegmentIdentity original =
      identity_make({10, 3, 7, 0, 12, 5}, {"loyal", "bargain", "", "lapsed", "new", "browsers"}, 13);
  // The old model with its rows (and their ids and names) in another order.
  const std::vector<int64_t> order = {4, 0, 5, 2, 1, 3};
  std::vector<float> shuffled;
  SegmentIdentity old;
  old.next_id = original.next_id;
  for (int64_t j : order) {
    shuffled.insert(shuffled.end(), centroids.begin() + j * d, centroids.begin() + (j + 1) * d);
    old.ids.push_back(original.ids[j]);
    old.names.push_back(original.names[j]);
  }
  // A refit lands near, not on, the old centroids.
  std::vector<float> refit = centroids;
  std::normal_distribution<float> jitter(0.0f, 0.05f);
  for (float& v : refit) v += jitter(rng);

  const SegmentMatching m = segments_match(refit, k, shuffled, k, d, old);
  EXPECT_EQ(m.identity.ids, original.ids) << "seed " << seed;
  EXPECT_EQ(m.identity.names, original.names);
  EXPECT_EQ(m.identity.next_id, 13);
  EXPECT_TRUE(m.new_ids.empty());
  EXPECT_TRUE(m.retired.empty());
  ASSERT_EQ(m.matched.size(), 6u);
  for (const MatchedSegment& s : m.matched) EXPECT_LT(s.distance, 0.5);
}

TEST(SegmentMatching, SplitKeepsTheIdOnTheLargerHalfAndGivesTheOtherANewId) {
  const int64_t d = 2;
  const std::vector<float> old = {0, 0, 10, 0, 0, 10};  // ids 0, 1, 2
  // Segment 1 splits 60/40 along y: halves at ±0.4·s and ∓0.6·s around its old centre (their weighted mean).
  const std::vector<float> split = {10, -2.4f, 0, 0.1f, 10, 3.6f, 0.1f, 10};
  const SegmentMatching m = segments_match(split, 4, old, 3, d, SegmentIdentity::sequential(3));
  EXPECT_EQ(m.identity.ids, (std::vector<int64_t>{1, 0, 3, 2}));  // the 60% half (nearer) keeps 1; the other is 3
  EXPECT_EQ(m.new_ids, (std::vector<int64_t>{3}));
  EXPECT_TRUE(m.retired.empty());
  EXPECT_EQ(m.identity.next_id, 4);
  const nlohmann::json j = segment_matching_json(m, "old/model.json");
  EXPECT_EQ(j["new_ids"], nlohmann::json::array({3}));
  EXPECT_EQ(j["pairs"].size(), 3u);
}

TEST(SegmentMatching, ShrinkingRetiresIdsAndGrowingNeverReusesThem) {
  const int64_t d = 1;
  SegmentIdentity old = identity_make({0, 1, 2}, {"a", "b", "c"}, 5);  // 3 and 4 were retired before
  const SegmentMatching shrink = segments_match({0.1f, 9.8f}, 2, {0, 5, 10}, 3, d, old);
  EXPECT_EQ(shrink.identity.ids, (std::vector<int64_t>{0, 2}));
  ASSERT_EQ(shrink.retired.size(), 1u);
  EXPECT_EQ(shrink.retired[0], (std::pair<int64_t, std::string>{1, "b"}));
  EXPECT_EQ(shrink.identity.next_id, 5);

  const SegmentMatching grow = segments_match({0, 5, 10, 20}, 4, {0, 5, 10}, 3, d, old);
  EXPECT_EQ(grow.identity.ids, (std::vector<int64_t>{0, 1, 2, 5}));  // not 3: once used, never again
  EXPECT_EQ(grow.identity.names, (std::vector<std::string>{"a", "b", "c", ""}));
  EXPECT_EQ(grow.identity.next_id, 6);
}

TEST(SegmentMatching, OptimalNotGreedy) {
  // The closest pair is new 0 ↔ old 1 (distance 4); taking it forces new 1 ↔ old 0 (20): total 24. The optimum
  // pairs new 0 ↔ old 0 (6) and new 1 ↔ old 1 (10): 16.
  const SegmentMatching m = segments_match({6, 20}, 2, {0, 10}, 2, 1, SegmentIdentity::sequential(2));
  EXPECT_EQ(m.identity.ids, (std::vector<int64_t>{0, 1}));
  EXPECT_DOUBLE_EQ(m.total_distance, 16.0);
}

Table table_make(const std::vector<float>& spend, const std::vector<std::string>& device, const std::string& path) {
  Table table;
  table.path = path;
  table.n_rows = static_cast<int64_t>(spend.size());
  TableColumn s("spend", ColumnRole::numeric);
  s.values = spend;
  TableColumn c("device", ColumnRole::categorical);
  for (const std::string& level : device) c.level_append(level);
  table.columns = {s, c};
  return table;
}

std::map<std::string, double> by_name(const FeaturePipeline& p, const std::vector<double>& values) {
  std::map<std::string, double> out;
  for (size_t t = 0; t < values.size(); ++t) out[p.centroids_header()[t]] = values[t];
  return out;
}

TEST(SegmentMatching, CarriedCentroidsKeepTheirMeaningInOriginalUnits) {
  // Week 1: spend is heavy-tailed (log1p), devices ios > web > android. Week 2: other centre/scale, no log, and
  // the level order changes (android most frequent).
  const FeaturePipeline week1 =
      FeaturePipeline::fit(table_make({1, 2, 3, 2, 1, 400, 3, 2, 1, 2},
                                      {"ios", "ios", "ios", "ios", "web", "web", "web", "android", "ios", "web"}, "w1"),
                           PipelineOptions{});
  const FeaturePipeline week2 = FeaturePipeline::fit(
      table_make({10, 20, 30, 40, 50, 60}, {"android", "android", "android", "web", "ios", "android"}, "w2"),
      PipelineOptions{});
  ASSERT_TRUE(week1.numeric()[0].log1p);
  ASSERT_FALSE(week2.numeric()[0].log1p);
  // One old centroid: spend 25 (log space), shares ios 0.5, web 0.3, android 0.2.
  const NumericStep& s = week1.numeric()[0];
  std::vector<float> old = {static_cast<float>((std::log1p(25.0) - s.center) / s.scale)};
  const double one = week1.categorical()[0].dummy_value;
  const std::map<std::string, double> share = {{"ios", 0.5}, {"web", 0.3}, {"android", 0.2}};
  for (const std::string& level : week1.categorical()[0].levels)
    old.push_back(static_cast<float>(share.at(level) * one));
  const std::vector<double> fill(static_cast<size_t>(week2.n_features()), 0.0);
  const std::vector<float> carried = centroids_reprepare(week1, old, 1, week2, fill);
  const std::map<std::string, double> back = by_name(week2, week2.centroid_original(carried.data()));
  EXPECT_NEAR(back.at("spend"), 25.0, 1e-4);
  EXPECT_NEAR(back.at("device=ios"), 0.5, 1e-6);
  EXPECT_NEAR(back.at("device=web"), 0.3, 1e-6);
  EXPECT_NEAR(back.at("device=android"), 0.2, 1e-6);
}

TEST(SegmentMatching, ANewColumnTakesTheFillValueAndNoCommonColumnIsAnError) {
  Table a = table_make({1, 2, 3, 4}, {"x", "y", "x", "y"}, "a");
  Table b = a;
  b.columns[0].name = "visits";  // spend gone, visits new
  const FeaturePipeline pa = FeaturePipeline::fit(a, PipelineOptions{});
  const FeaturePipeline pb = FeaturePipeline::fit(b, PipelineOptions{});
  std::vector<double> fill(static_cast<size_t>(pb.n_features()), 0.0);
  fill[0] = 0.25;
  const std::vector<float> carried = centroids_reprepare(pa, {1.0f, 2.0f, 0.0f}, 1, pb, fill);
  EXPECT_FLOAT_EQ(carried[0], 0.25f);  // visits: unknown to the old model
  Table c = a;
  c.columns = {a.columns[0]};
  c.columns[0].name = "other";
  const FeaturePipeline pc = FeaturePipeline::fit(c, PipelineOptions{});
  EXPECT_THROW(centroids_reprepare(pa, {1.0f, 2.0f, 0.0f}, 1, pc, {0.0}), DataError);
}

TEST(WarmStart, KeepsTheLargestOldSegmentsOrAddsCentresByKMeansPlusPlus) {
  std::vector<float> x;
  for (int i = 0; i < 40; ++i) x.push_back(static_cast<float>(i % 4) * 10.0f + static_cast<float>(i) * 0.01f);
  const DataView view{x.data(), nullptr, 40, 1};
  CpuBackend backend(view, 1);
  const std::vector<float> old = {0.0f, 10.0f, 20.0f};
  EXPECT_EQ(warm_start_centroids(backend, old, 3, {5, 1, 9}, 2, 1), (std::vector<float>{0.0f, 20.0f}));
  EXPECT_EQ(warm_start_centroids(backend, old, 3, {5, 1, 9}, 3, 1), old);
  const std::vector<float> grown = warm_start_centroids(backend, old, 3, {5, 1, 9}, 4, 1);
  ASSERT_EQ(grown.size(), 4u);
  EXPECT_EQ(std::vector<float>(grown.begin(), grown.begin() + 3), old);
  EXPECT_GT(grown[3], 29.0f);  // the uncovered group at 30 is where D² sampling lands
}

}  // namespace
}  // namespace kseg
