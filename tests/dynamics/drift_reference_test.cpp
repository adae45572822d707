// Training statistics for drift: decile bins, level shares, PSI of a shifted population by hand, strict loading.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "../io/test_files.hpp"
#include "host/model/drift_reference.hpp"
#include "host/dynamics/drift_report.hpp"
#include "host/dynamics/population_stability.hpp"
#include "host/error.hpp"
#include "host/model/model_file.hpp"

namespace kseg {
namespace {

Table table_make(float offset, const char* second_level) {
  Table t;
  t.path = "t.csv";
  t.n_rows = 100;
  TableColumn v("visits", ColumnRole::numeric);
  TableColumn plan("plan", ColumnRole::categorical);
  for (int i = 1; i <= 100; ++i) {
    v.values.push_back(static_cast<float>(i) + offset);
    plan.level_append(i <= 70 ? "free" : second_level);
  }
  t.columns = {v, plan};
  return t;
}

TEST(DriftReference, DecilesAndLevelShares) {
  const Table t = table_make(0.0f, "pro");
  const FeaturePipeline p = FeaturePipeline::fit(t, PipelineOptions{});
  const std::vector<float> distances(100, 4.0f);  // squared: distance 2
  const DriftReference r = drift_reference_build(t, p, distances.data());
  EXPECT_DOUBLE_EQ(r.mean_distance, 2.0);
  ASSERT_EQ(r.features.size(), 2u);
  const FeatureReference& visits = r.features[0];
  ASSERT_EQ(visits.edges.size(), 9u);
  EXPECT_DOUBLE_EQ(visits.edges[0], 10.9);  // numpy's linear quantile of 1..100 at 0.1
  EXPECT_DOUBLE_EQ(visits.edges[8], 90.1);
  ASSERT_EQ(visits.shares.size(), 11u);  // missing + 10 bins
  EXPECT_DOUBLE_EQ(visits.shares[0], 0.0);
  for (size_t b = 1; b < 11; ++b) EXPECT_DOUBLE_EQ(visits.shares[b], 0.1);
  const FeatureReference& plan = r.features[1];
  EXPECT_EQ(plan.levels, (std::vector<std::string>{"free", "pro", "(other)"}));
  EXPECT_EQ(plan.shares, (std::vector<double>{0.7, 0.3, 0.0}));
}

// The edges are found by selection, not by sorting: on shuffled values with many ties and a heavy tail they must
// equal the linear quantiles of the fully sorted column (deduplicated, the top edge dropped when it is the maximum).
TEST(DriftReference, DecilesOfShuffledTiedValuesEqualTheSortedQuantiles) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const int n = 50 + trial * 97;
    Table t;
    t.path = "t.csv";
    t.n_rows = n;
    TableColumn v("spend", ColumnRole::numeric);
    for (int i = 0; i < n; ++i)
      v.values.push_back(static_cast<float>(trial % 2 ? std::exp(std::normal_distribution<>(0, 2)(rng))
                                                      : std::uniform_int_distribution<>(0, 12)(rng)));
    std::vector<double> sorted(v.values.begin(), v.values.end());
    std::sort(sorted.begin(), sorted.end());
    std::vector<double> expected;
    for (int b = 1; b < kDriftBins; ++b) {
      const double pos = static_cast<double>(b) / kDriftBins * (n - 1);
      const size_t lo = static_cast<size_t>(pos);
      const double edge =
          sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[std::min<size_t>(lo + 1, n - 1)] - sorted[lo]);
      if (expected.empty() || edge > expected.back()) expected.push_back(edge);
    }
    if (!expected.empty() && expected.back() >= sorted.back()) expected.pop_back();
    t.columns = {v};
    const FeaturePipeline p = FeaturePipeline::fit(t, PipelineOptions{});
    const std::vector<float> distances(static_cast<size_t>(n), 1.0f);
    const DriftReference r = drift_reference_build(t, p, distances.data());
    ASSERT_EQ(r.features.size(), 1u);
    EXPECT_EQ(r.features[0].edges, expected) << "trial " << trial;
  }
}

TEST(DriftReference, ShiftedPopulationPsiByHand) {
  const Table t = table_make(0.0f, "pro");
  const FeaturePipeline p = FeaturePipeline::fit(t, PipelineOptions{});
  const std::vector<float> distances(100, 1.0f);
  const DriftReference r = drift_reference_build(t, p, distances.data());

  DriftCounter same(r, p);
  same.add(t);
  EXPECT_DOUBLE_EQ(psi(r.features[0].shares, shares_of(same.counts()[0])), 0.0);

  // visits + 20: bins 1 and 2 empty, bins 3..9 keep 10% each, the top bin holds 30%. plan: "plus" unseen → (other).
  DriftCounter shifted(r, p);
  shifted.add(table_make(20.0f, "plus"));
  const double visits = psi(r.features[0].shares, shares_of(shifted.counts()[0]));
  EXPECT_NEAR(visits, 2 * (1e-4 - 0.1) * std::log(1e-4 / 0.1) + (0.3 - 0.1) * std::log(3.0), 1e-12);
  const double plan = psi(r.features[1].shares, shares_of(shifted.counts()[1]));
  EXPECT_NEAR(plan, (1e-4 - 0.3) * std::log(1e-4 / 0.3) + (0.3 - 1e-4) * std::log(0.3 / 1e-4), 1e-12);

  Model m;
  m.pipeline = p;
  m.n_clusters = 1;
  m.centroids.assign(static_cast<size_t>(p.n_features()), 0.0f);
  m.reference = r;
  m.segments = SegmentIdentity::sequential(1);
  DriftObservation seen;
  seen.rows = 100;
  seen.weight = 100.0;
  seen.distance_sum = 130.0;  // mean 1.3 against 1.0 at fit: +30%
  seen.segment_counts = {100.0};
  const DriftReport report = drift_report_make(m, shifted.counts(), seen, DriftThresholds{});
  EXPECT_TRUE(report.refit);
  EXPECT_EQ(report.reasons.size(), 3u);  // visits, plan, distance
  EXPECT_NEAR(report.mean_distance_change, 0.3, 1e-12);
  EXPECT_EQ(report.features[0].flag, "major");
  EXPECT_EQ(report.features[0].bins[1], "<= 10.9");
  EXPECT_DOUBLE_EQ(report.segment_psi, 0.0);
}

// Rows 1..n of visits (with a level each) and a weight column: the weighted table, and the same rows copied by
// their weights.
struct WeightedPair {
  Table weighted, copied;
};

WeightedPair weighted_pair(const std::vector<int>& weights, float offset) {
  WeightedPair pair;
  for (Table* t : {&pair.weighted, &pair.copied}) {
    t->path = "w.csv";
    t->columns = {TableColumn("visits", ColumnRole::numeric), TableColumn("plan", ColumnRole::categorical)};
  }
  pair.weighted.columns.emplace_back("w", ColumnRole::weight);
  for (size_t i = 0; i < weights.size(); ++i) {
    const float visits = static_cast<float>(i * i % 37) + offset;  // unsorted, with repeats
    const char* plan = i < 20 ? "free" : "pro";
    pair.weighted.columns[0].values.push_back(visits);
    pair.weighted.columns[1].level_append(plan);
    pair.weighted.columns[2].values.push_back(static_cast<float>(weights[i]));
    for (int c = 0; c < weights[i]; ++c) {
      pair.copied.columns[0].values.push_back(visits);
      pair.copied.columns[1].level_append(plan);
    }
    pair.copied.n_rows += weights[i];
  }
  pair.weighted.n_rows = static_cast<int64_t>(weights.size());
  return pair;
}

TEST(DriftReference, IntegerWeightsEqualCopiedRows) {
  std::vector<int> weights;
  for (int i = 0; i < 60; ++i) weights.push_back(i % 5 == 0 ? 0 : 1 + (i * 7) % 4);  // 0..4, zeros included
  const WeightedPair train = weighted_pair(weights, 0.0f);
  const FeaturePipeline p = FeaturePipeline::fit(train.copied, PipelineOptions{});
  std::vector<float> distances_weighted, distances_copied;
  for (size_t i = 0; i < weights.size(); ++i) {
    distances_weighted.push_back(static_cast<float>(i % 7));
    distances_copied.insert(distances_copied.end(), static_cast<size_t>(weights[i]), static_cast<float>(i % 7));
  }
  const DriftReference rw = drift_reference_build(train.weighted, p, distances_weighted.data());
  const DriftReference rc = drift_reference_build(train.copied, p, distances_copied.data());
  EXPECT_EQ(rw.weight_column, "w");
  EXPECT_EQ(rc.weight_column, "");
  EXPECT_EQ(drift_reference_from_json(drift_reference_to_json(rw), p, "m.json").weight_column, "w");
  EXPECT_NEAR(rw.mean_distance, rc.mean_distance, 1e-12);
  ASSERT_EQ(rw.features.size(), 2u);
  for (size_t f = 0; f < 2; ++f) {
    EXPECT_EQ(rw.features[f].edges, rc.features[f].edges) << rw.features[f].name;
    ASSERT_EQ(rw.features[f].shares.size(), rc.features[f].shares.size());
    for (size_t b = 0; b < rw.features[f].shares.size(); ++b)
      EXPECT_NEAR(rw.features[f].shares[b], rc.features[f].shares[b], 1e-12) << rw.features[f].name << " bin " << b;
  }
  // New users: the first half weighs more; their PSI is the PSI of the copied rows.
  std::vector<int> later;
  for (size_t i = 0; i < weights.size(); ++i) later.push_back(i < 30 ? 4 : 1);
  const WeightedPair fresh = weighted_pair(later, 3.0f);
  DriftCounter weighted(rw, p), copied(rc, p);
  weighted.add(fresh.weighted);
  copied.add(fresh.copied);
  for (size_t f = 0; f < 2; ++f) {
    const double a = psi(rw.features[f].shares, shares_of(weighted.counts()[f]));
    const double b = psi(rc.features[f].shares, shares_of(copied.counts()[f]));
    EXPECT_GT(a, 0.01) << rw.features[f].name;  // the planted change is seen at all
    EXPECT_NEAR(a, b, 1e-12) << rw.features[f].name;
  }
}

TEST(DriftReference, WeightsChangeThePsi) {
  // Training: visits 1..100 equally. New users: the same rows, but the top half carries weight 9.
  const Table t = table_make(0.0f, "pro");
  const FeaturePipeline p = FeaturePipeline::fit(t, PipelineOptions{});
  const std::vector<float> distances(100, 1.0f);
  const DriftReference r = drift_reference_build(t, p, distances.data());
  Table later = t;
  TableColumn w("w", ColumnRole::weight);
  for (int i = 1; i <= 100; ++i) w.values.push_back(i > 50 ? 9.0f : 1.0f);
  later.columns.push_back(w);
  DriftCounter plain(r, p), weighted(r, p);
  plain.add(t);
  weighted.add(later);
  EXPECT_DOUBLE_EQ(psi(r.features[0].shares, shares_of(plain.counts()[0])), 0.0);
  // Of the weight 500: bins 1..5 hold 10 rows × 1 = 2% each, bins 6..10 hold 10 rows × 9 = 18% each.
  const double expected = 5 * (0.02 - 0.1) * std::log(0.2) + 5 * (0.18 - 0.1) * std::log(1.8);
  EXPECT_NEAR(psi(r.features[0].shares, shares_of(weighted.counts()[0])), expected, 1e-12);
}

TEST(DriftReference, RoundTripsThroughTheModelAndRefusesDamage) {
  test::ScratchDir dir;
  const Table t = table_make(0.0f, "pro");
  Model m;
  m.pipeline = FeaturePipeline::fit(t, PipelineOptions{});
  m.n_clusters = 1;
  m.centroids.assign(static_cast<size_t>(m.pipeline.n_features()), 0.5f);
  const std::vector<float> distances(100, 1.0f);
  m.reference = drift_reference_build(t, m.pipeline, distances.data());
  model_save(dir.file("m.json"), m);
  const Model back = model_load(dir.file("m.json"));
  ASSERT_TRUE(back.reference.has_value());
  EXPECT_EQ(back.reference->features[0].edges, m.reference->features[0].edges);
  EXPECT_EQ(back.reference->features[1].shares, m.reference->features[1].shares);

  const std::string text = test::file_read(dir.file("m.json"));
  nlohmann::json doc = nlohmann::json::parse(text);
  doc["training_statistics"]["features"][0]["edges"][3] = -5.0;  // not ascending
  dir.file_write("bad_edges.json", doc.dump());
  EXPECT_THROW(model_load(dir.file("bad_edges.json")), DataError);
  doc = nlohmann::json::parse(text);
  doc["training_statistics"]["features"][1]["shares"] = {0.5, 0.2, 0.1};  // sums to 0.8
  dir.file_write("bad_shares.json", doc.dump());
  EXPECT_THROW(model_load(dir.file("bad_shares.json")), DataError);
  doc = nlohmann::json::parse(text);
  doc["training_statistics"]["features"][1]["name"] = "visits";
  dir.file_write("bad_name.json", doc.dump());
  EXPECT_THROW(model_load(dir.file("bad_name.json")), DataError);
}

TEST(ModelSegments, IdsRoundTripAndAreValidated) {
  test::ScratchDir dir;
  const Table t = table_make(0.0f, "pro");
  Model m;
  m.pipeline = FeaturePipeline::fit(t, PipelineOptions{});
  m.n_clusters = 2;
  m.centroids.assign(static_cast<size_t>(2 * m.pipeline.n_features()), 0.5f);
  model_save(dir.file("plain.json"), m);
  const std::string plain = test::file_read(dir.file("plain.json"));
  EXPECT_NE(plain.find("\"format_version\": 1"), std::string::npos);  // 0..k−1: still readable by older kseg
  EXPECT_EQ(model_load(dir.file("plain.json")).segments.ids, (std::vector<int64_t>{0, 1}));

  m.segments.ids = {4, 1};
  m.segments.names = {"lapsed", ""};
  m.segments.next_id = 6;
  model_save(dir.file("ids.json"), m);
  EXPECT_NE(test::file_read(dir.file("ids.json")).find("\"format_version\": 2"), std::string::npos);
  const Model back = model_load(dir.file("ids.json"));
  EXPECT_EQ(back.segments.ids, m.segments.ids);
  EXPECT_EQ(back.segments.names, m.segments.names);
  EXPECT_EQ(back.segments.next_id, 6);

  // A version-1 file without the fields (older kseg): sequential ids.
  nlohmann::json doc = nlohmann::json::parse(plain);
  doc.erase("segment_ids");
  doc.erase("segment_names");
  doc.erase("next_segment_id");
  dir.file_write("v1.json", doc.dump());
  EXPECT_EQ(model_load(dir.file("v1.json")).segments.next_id, 2);

  for (const auto& [field, value] : std::vector<std::pair<std::string, nlohmann::json>>{{"segment_ids", {1, 1}},
                                                                                        {"segment_ids", {0, -1}},
                                                                                        {"segment_ids", {0}},
                                                                                        {"next_segment_id", 1},
                                                                                        {"segment_names", {"a"}}}) {
    doc = nlohmann::json::parse(test::file_read(dir.file("ids.json")));
    doc[field] = value;
    dir.file_write("bad.json", doc.dump());
    EXPECT_THROW(model_load(dir.file("bad.json")), DataError) << field << " = " << value.dump();
  }
}

}  // namespace
}  // namespace kseg
