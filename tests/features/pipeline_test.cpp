// The preparation: what fit learns, that transform replays it, and that centroids map back to original units.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "host/error.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {
namespace {

TableColumn numeric(const std::string& name, std::vector<float> values) {
  TableColumn c(name, ColumnRole::numeric);
  for (float v : values) c.missing += std::isnan(v);
  c.values = std::move(values);
  return c;
}

TableColumn categorical(const std::string& name, const std::vector<std::string>& cells) {
  TableColumn c(name, ColumnRole::categorical);
  for (const std::string& s : cells) {
    if (s.empty()) {
      c.codes.push_back(-1);
      ++c.missing;
    } else {
      c.level_append(s);
    }
  }
  return c;
}

Table table_of(std::vector<TableColumn> columns) {
  Table t;
  t.path = "t.csv";
  t.n_rows = static_cast<int64_t>(columns[0].is_categorical() ? columns[0].codes.size() : columns[0].values.size());
  t.columns = std::move(columns);
  return t;
}

const float kNan = std::nanf("");

TEST(Pipeline, ImputesLogsAndStandardisesNumericColumns) {
  // orders is heavy-tailed and non-negative: log1p; a missing value takes the median.
  const Table t = table_of({numeric("orders", {0, 1, 1, 2, 1, 3, 2, 1, 0, 500, kNan}),
                            numeric("score", {-1, 0, 1, 0, -1, 1, 0, 0, 1, -1, 0})});
  const FeaturePipeline p = FeaturePipeline::fit(t, PipelineOptions{});
  ASSERT_EQ(p.feature_names(), (std::vector<std::string>{"orders", "score"}));
  const NumericStep& orders = p.numeric()[0];
  EXPECT_TRUE(orders.log1p);
  EXPECT_GT(orders.skew, kLogSkew);
  EXPECT_EQ(orders.imputed, 1);
  EXPECT_DOUBLE_EQ(orders.impute_value, 1.0);
  EXPECT_FALSE(p.numeric()[1].log1p);  // negative values are never logged automatically

  std::vector<float> x(static_cast<size_t>(t.n_rows * 2));
  p.transform(t, x.data());
  double mean = 0.0, sq = 0.0;
  for (int64_t i = 0; i < t.n_rows; ++i) {
    mean += x[i * 2];
    sq += double(x[i * 2]) * x[i * 2];
  }
  EXPECT_NEAR(mean / double(t.n_rows), 0.0, 1e-6);  // z-scored after imputing and logging
  EXPECT_NEAR(sq / double(t.n_rows), 1.0, 1e-5);
  // Round trip: a prepared row maps back to its original values.
  const std::vector<double> back = p.centroid_original(x.data() + 9 * 2);
  EXPECT_NEAR(back[0], 500.0, 500.0 * 1e-5);
  EXPECT_NEAR(back[1], -1.0, 1e-5);
}

TEST(Pipeline, ScalingModesAndConstantColumns) {
  const Table t = table_of({numeric("a", {1, 2, 3, 4, 100}), numeric("flat", {5, 5, 5, 5, 5})});
  PipelineOptions o;
  o.log_auto = false;
  o.scale = ScaleMode::minmax;
  FeaturePipeline p = FeaturePipeline::fit(t, o);
  EXPECT_EQ(p.feature_names(), (std::vector<std::string>{"a"}));  // the constant column is dropped
  EXPECT_TRUE(p.numeric()[1].dropped);
  EXPECT_DOUBLE_EQ(p.numeric()[0].center, 1.0);
  EXPECT_DOUBLE_EQ(p.numeric()[0].scale, 99.0);
  o.scale = ScaleMode::robust;
  p = FeaturePipeline::fit(t, o);
  EXPECT_DOUBLE_EQ(p.numeric()[0].center, 3.0);  // median
  EXPECT_DOUBLE_EQ(p.numeric()[0].scale, 2.0);   // IQR: 4 − 2
}

TEST(Pipeline, OneHotBlocksWeighLikeOneNumericColumn) {
  const Table t = table_of({categorical("device", {"ios", "ios", "web", "android", "ios", "", "web", "ios"})});
  const FeaturePipeline p = FeaturePipeline::fit(t, PipelineOptions{});
  ASSERT_EQ(p.feature_names(),
            (std::vector<std::string>{"device=ios", "device=web", "device=(missing)", "device=android"}));
  const double shares_sq = (16.0 + 4.0 + 1.0 + 1.0) / 64.0;
  EXPECT_NEAR(p.categorical()[0].dummy_value, 1.0 / std::sqrt(1.0 - shares_sq), 1e-12);
  std::vector<float> x(8 * 4);
  p.transform(t, x.data());
  double variance = 0.0;  // total variance of the block = 1, like a z-scored column
  for (int l = 0; l < 4; ++l) {
    double m = 0.0, s = 0.0;
    for (int i = 0; i < 8; ++i) m += x[i * 4 + l] / 8.0;
    for (int i = 0; i < 8; ++i) s += (x[i * 4 + l] - m) * (x[i * 4 + l] - m) / 8.0;
    variance += s;
  }
  EXPECT_NEAR(variance, 1.0, 1e-6);
  EXPECT_FLOAT_EQ(x[5 * 4 + 2], static_cast<float>(p.categorical()[0].dummy_value));  // the empty cell → (missing)
  // A centroid maps back to level shares.
  const std::vector<double> shares = p.centroid_original(x.data());
  EXPECT_NEAR(shares[0], 1.0, 1e-6);
  EXPECT_NEAR(shares[1], 0.0, 1e-12);
}

TEST(Pipeline, RareLevelsMergeAndUnseenLevelsAreCounted) {
  PipelineOptions o;
  o.max_levels = 2;
  const Table t = table_of({categorical("country", {"US", "US", "US", "GB", "GB", "FR", "DE"})});
  const FeaturePipeline p = FeaturePipeline::fit(t, o);
  EXPECT_EQ(p.feature_names(), (std::vector<std::string>{"country=US", "country=GB", "country=(other)"}));
  EXPECT_EQ(p.categorical()[0].merged_levels, 2);
  const Table fresh = table_of({categorical("country", {"FR", "JP", "US"})});
  std::vector<float> x(9);
  TransformCounters counters;
  p.transform(fresh, x.data(), &counters);
  EXPECT_GT(x[2], 0.0f);  // a level merged at fit → (other)
  EXPECT_GT(x[5], 0.0f);  // a level never seen → (other), counted
  EXPECT_EQ(counters.unseen_levels.at("country"), 1);
}

TEST(Pipeline, ColumnsMatchByNameWhateverTheOrder) {
  const Table t = table_of({numeric("a", {1, 2, 3}), categorical("b", {"x", "y", "x"})});
  const FeaturePipeline p = FeaturePipeline::fit(t, PipelineOptions{});
  std::vector<float> expected(9), reordered(9);
  p.transform(t, expected.data());
  Table other = table_of({categorical("b", {"x", "y", "x"}), numeric("extra", {9, 9, 9}), numeric("a", {1, 2, 3})});
  p.transform(other, reordered.data());
  EXPECT_EQ(expected, reordered);
  const Table missing = table_of({numeric("a", {1, 2, 3})});
  EXPECT_THROW(p.transform(missing, reordered.data()), DataError);
}

TEST(Pipeline, FeatureWeightsIndicatorsAndDates) {
  TableColumn signup("signup", ColumnRole::date);
  signup.values = {100, 110, 130};  // days since 1970
  const Table t = table_of({numeric("a", {1, kNan, 3}), signup});
  PipelineOptions o;
  o.feature_weights["a"] = 2.0;
  o.missing_indicators = true;
  const FeaturePipeline p = FeaturePipeline::fit(t, o);
  EXPECT_EQ(p.feature_names(), (std::vector<std::string>{"a", "a=missing", "signup"}));
  EXPECT_DOUBLE_EQ(p.numeric()[1].as_of_days, 130.0);  // the latest date
  std::vector<float> x(9);
  p.transform(t, x.data());
  EXPECT_FLOAT_EQ(x[0], -2.0f * std::sqrt(1.5f));  // (1 − 2) / sd(1, 2, 3) × 2
  EXPECT_EQ(x[4], 1.0f);                           // row 1 was missing
  const std::vector<double> back = p.centroid_original(x.data() + 3 * 0);
  EXPECT_NEAR(back[2], 30.0, 1e-4);  // row 0 signed up 30 days before the reference date
  o.feature_weights["nope"] = 1.0;
  EXPECT_THROW(FeaturePipeline::fit(t, o), UsageError);
}

// A row-major numeric matrix (the .npy path of assign) is prepared exactly as the same columns in a table, in any
// column order, over more rows than one block; a missing or categorical column is refused naming the file.
TEST(Pipeline, RowMajorMatrixIsPreparedAsTheTable) {
  const int64_t n = 3000;  // several row blocks of transform
  std::vector<float> a, b, c;
  for (int64_t i = 0; i < n; ++i) {
    a.push_back(i % 7 == 0 ? kNan : static_cast<float>(i % 101));
    b.push_back(static_cast<float>(std::exp(static_cast<double>(i % 37) / 4.0)));  // heavy-tailed: log1p
    c.push_back(static_cast<float>((i * 13) % 17) - 8.0f);
  }
  PipelineOptions options;
  options.missing_indicators = true;
  options.feature_weights["f2"] = 2.0;
  const FeaturePipeline p =
      FeaturePipeline::fit(table_of({numeric("f0", a), numeric("f1", b), numeric("f2", c)}), options);
  const int64_t d = p.n_features();
  std::vector<float> expected(static_cast<size_t>(n * d)), got(static_cast<size_t>(n * d), -1.0f);
  p.transform(table_of({numeric("f0", a), numeric("f1", b), numeric("f2", c)}), expected.data());
  // The matrix holds the columns in another order, with an extra column the model does not use.
  std::vector<float> rows;
  for (int64_t i = 0; i < n; ++i) rows.insert(rows.end(), {c[i], 99.0f, a[i], b[i]});
  p.transform_rows(rows.data(), n, {"f2", "extra", "f0", "f1"}, "m.npy", got.data());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(std::memcmp(&got[i], &expected[i], sizeof(float)), 0) << "element " << i;
  try {
    p.transform_rows(rows.data(), n, {"f2", "extra", "f0", "g1"}, "m.npy", got.data());
    FAIL() << "a missing column must be refused";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("m.npy: column \"f1\" is required"), std::string::npos) << e.what();
  }
  const FeaturePipeline with_levels = FeaturePipeline::fit(
      table_of({numeric("f0", {1, 2, 3, 4}), categorical("f1", {"x", "y", "x", "y"})}), PipelineOptions{});
  const std::vector<float> two = {1, 0, 2, 1, 3, 0, 4, 1};
  std::vector<float> out(8 * static_cast<size_t>(with_levels.n_features()));
  EXPECT_THROW(with_levels.transform_rows(two.data(), 4, {"f0", "f1"}, "m.npy", out.data()), DataError);
}

// Plain numeric columns in the matrix's own order take the whole-row path: the same bits as the table's transform,
// imputed gaps included (the division in a vector is the same IEEE division).
TEST(Pipeline, RowMajorMatrixInModelOrderIsPreparedAsTheTable) {
  const int64_t n = 2500, d = 5;
  std::vector<std::vector<float>> cols(static_cast<size_t>(d));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < d; ++t)
      cols[t].push_back((i + t) % 11 == 0 ? kNan : static_cast<float>((i * (t + 3)) % 29) * 0.37f - 4.0f);
  PipelineOptions options;
  options.feature_weights["f3"] = 0.5;
  std::vector<TableColumn> columns;
  for (int64_t t = 0; t < d; ++t) columns.push_back(numeric("f" + std::to_string(t), cols[t]));
  const FeaturePipeline p = FeaturePipeline::fit(table_of(columns), options);
  ASSERT_EQ(p.n_features(), d);  // no indicators, no log: every step plain
  std::vector<float> expected(static_cast<size_t>(n * d)), got(static_cast<size_t>(n * d), -1.0f), rows;
  p.transform(table_of(columns), expected.data());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t t = 0; t < d; ++t) rows.push_back(cols[t][i]);
  p.transform_rows(rows.data(), n, {"f0", "f1", "f2", "f3", "f4"}, "m.npy", got.data());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(std::memcmp(&got[i], &expected[i], sizeof(float)), 0) << "element " << i;
}

}  // namespace
}  // namespace kseg
