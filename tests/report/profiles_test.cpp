// Profiles, personas, the fairness audit and the names file on a hand-made table whose numbers are computed by
// hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "../io/test_files.hpp"
#include "host/error.hpp"
#include "host/report/personas.hpp"
#include "host/report/profiles.hpp"
#include "host/report/profiles_io.hpp"

namespace kseg {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TableColumn categorical(const std::string& name, ColumnRole role, const std::vector<std::string>& cells) {
  TableColumn c(name, role);
  c.audit_categorical = role == ColumnRole::audit;
  for (const std::string& text : cells) {
    if (text.empty()) {
      c.codes.push_back(-1);
      ++c.missing;
    } else {
      c.level_append(text);
    }
  }
  return c;
}

// Segment 0 = rows 0-2, segment 1 = rows 3-5. spend: 10 20 30 | 100 200 (missing).
Table table_make() {
  Table t;
  t.n_rows = 6;
  t.ids = IdColumn::row_numbers(6);
  TableColumn spend("spend", ColumnRole::numeric);
  spend.values = {10, 20, 30, 100, 200, kNaN};
  spend.missing = 1;
  t.columns.push_back(spend);
  t.columns.push_back(categorical("device", ColumnRole::categorical, {"ios", "ios", "web", "web", "web", "ios"}));
  t.columns.push_back(categorical("gender", ColumnRole::audit, {"F", "M", "F", "M", "M", "F"}));
  return t;
}

const std::vector<int32_t> kLabels = {0, 0, 0, 1, 1, 1};

const FeatureStat& stat(const std::vector<FeatureStat>& stats, const std::string& label) {
  for (const FeatureStat& f : stats)
    if (feature_label(f) == label) return f;
  throw std::runtime_error("no " + label);
}

Profiles profiles_make(const Table& t) {
  const FeaturePipeline pipeline = FeaturePipeline::fit(t, PipelineOptions{});
  return profiles_compute(t, pipeline, kLabels.data(), 2);
}

TEST(Profiles, SizesSharesAndLevelSharesSumToOne) {
  const Profiles p = profiles_make(table_make());
  ASSERT_EQ(p.segments.size(), 2u);
  EXPECT_EQ(p.segments[0].size, 3);
  EXPECT_DOUBLE_EQ(p.segments[0].share + p.segments[1].share, 1.0);
  for (const SegmentProfile& s : p.segments) {
    double device = 0.0, gender = 0.0;
    for (const FeatureStat& f : s.features) device += f.column == "device" ? f.value : 0.0;
    for (const FeatureStat& f : s.audit) gender += f.value;
    EXPECT_NEAR(device, 1.0, 1e-15);
    EXPECT_NEAR(gender, 1.0, 1e-15);
  }
}

TEST(Profiles, MeansIndexesAndStandardisedDifferencesByHand) {
  const Profiles p = profiles_make(table_make());
  // Means leave the missing cell out: 20 and 150; overall (10+20+30+100+200)/5 = 72.
  // Population sd: sqrt((62² + 52² + 42² + 28² + 128²) / 5) = sqrt(5096).
  const FeatureStat& low = stat(p.segments[0].features, "spend");
  const FeatureStat& high = stat(p.segments[1].features, "spend");
  EXPECT_DOUBLE_EQ(low.value, 20.0);
  EXPECT_DOUBLE_EQ(high.value, 150.0);
  EXPECT_DOUBLE_EQ(low.population, 72.0);
  EXPECT_DOUBLE_EQ(low.index, 20.0 / 72.0);
  EXPECT_NEAR(low.std_diff, -52.0 / std::sqrt(5096.0), 1e-12);
  EXPECT_NEAR(high.std_diff, 78.0 / std::sqrt(5096.0), 1e-12);
  // device=ios: 2/3 of segment 0, half of everyone: index 4/3, std diff (2/3 − 1/2) / sqrt(1/4) = 1/3.
  const FeatureStat& ios = stat(p.segments[0].features, "device=ios");
  EXPECT_DOUBLE_EQ(ios.value, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(ios.population, 0.5);
  EXPECT_DOUBLE_EQ(ios.index, 4.0 / 3.0);
  EXPECT_NEAR(ios.std_diff, 1.0 / 3.0, 1e-12);
  // Top features: one per column, strongest first.
  ASSERT_EQ(p.segments[1].top.size(), 2u);
  EXPECT_EQ(feature_label(p.segments[1].features[p.segments[1].top[0]]), "spend");
}

TEST(Profiles, WeightsCountAsCopies) {
  Table t = table_make();
  TableColumn w("w", ColumnRole::weight);
  w.values = {1, 1, 2, 1, 1, 1};  // row 2 (spend 30, web) counts twice
  t.columns.push_back(w);
  const Profiles p = profiles_make(t);
  EXPECT_TRUE(p.weighted);
  EXPECT_EQ(p.segments[0].size, 3);
  EXPECT_DOUBLE_EQ(p.segments[0].share, 4.0 / 7.0);
  EXPECT_DOUBLE_EQ(stat(p.segments[0].features, "spend").value, 90.0 / 4.0);
  EXPECT_DOUBLE_EQ(stat(p.segments[0].features, "device=ios").value, 0.5);
}

TEST(Profiles, AuditFlagsBeyondTheFourFifthsRule) {
  const Profiles p = profiles_make(table_make());
  ASSERT_EQ(p.audit_columns, std::vector<std::string>{"gender"});
  // F: 2/3 in segment 0 vs 1/2 overall: index 4/3 > 1/0.8 and 16.7 points apart: flagged; M: 2/3 < 0.8: flagged.
  EXPECT_TRUE(stat(p.segments[0].audit, "gender=F").flagged);
  EXPECT_TRUE(stat(p.segments[0].audit, "gender=M").flagged);
  ProfileOptions loose;
  loose.audit_ratio = 0.5;  // flags only below 0.5× or above 2×
  const FeaturePipeline pipeline = FeaturePipeline::fit(table_make(), PipelineOptions{});
  const Profiles q = profiles_compute(table_make(), pipeline, kLabels.data(), 2, loose);
  EXPECT_FALSE(stat(q.segments[0].audit, "gender=F").flagged);
}

TEST(Personas, NamesAreDeterministicAndDistinct) {
  const Profiles p = profiles_make(table_make());
  // spend is 0.73 sd below in segment 0 and 1.09 above in segment 1; device (1/3 sd) is too weak to name.
  EXPECT_EQ(p.segments[0].persona, "Low spend");
  EXPECT_EQ(p.segments[1].persona, "High spend");
  EXPECT_EQ(p.segments[0].name, p.segments[0].persona);
  EXPECT_EQ(p.segments[1].description,
            "Segment 1, 50.0% of users: spend 2.08× the average (150 vs 72); device web 66.7% of the segment (50.0% "
            "overall).");
  const Profiles again = profiles_make(table_make());
  EXPECT_EQ(again.segments[1].description, p.segments[1].description);
  // Two segments that differ on nothing strongly: the name says which segment it is.
  Table t = table_make();
  t.columns[0].values = {1, 1, 1, 1, 1, 1};
  t.columns[1] = categorical("device", ColumnRole::categorical, {"ios", "web", "ios", "web", "ios", "web"});
  const Profiles typical = profiles_make(t);
  EXPECT_EQ(typical.segments[0].persona, "Typical profile (segment 0)");
  EXPECT_EQ(typical.segments[1].persona, "Typical profile (segment 1)");
  // Over-represented levels name the segment; under-represented ones do not.
  t.columns[1] = categorical("device", ColumnRole::categorical, {"ios", "ios", "ios", "web", "web", "web"});
  t.columns.push_back(categorical("plan_type", ColumnRole::categorical, {"a", "a", "a", "b", "b", "b"}));
  const Profiles levels = profiles_make(t);
  EXPECT_EQ(levels.segments[0].persona, "device ios · plan type a");
  EXPECT_EQ(levels.segments[1].persona, "device web · plan type b");
}

TEST(NamesFile, RoundTripAndErrors) {
  test::ScratchDir dir;
  Profiles p = profiles_make(table_make());
  profiles_names_apply(p, names_file_read(dir.file_write("n.csv", "segment,name\n1,\"Big, loyal\"\r\n")));
  EXPECT_EQ(p.segments[1].name, "Big, loyal");
  EXPECT_EQ(p.segments[0].name, "Low spend");
  names_file_write(dir.file("out.csv"), p);
  EXPECT_EQ(test::file_read(dir.file("out.csv")), "segment,name\n0,Low spend\n1,\"Big, loyal\"\n");
  EXPECT_THROW(names_file_read(dir.file_write("a.csv", "seg,name\n0,x\n")), DataError);
  EXPECT_THROW(names_file_read(dir.file_write("b.csv", "segment,name\nx,y\n")), DataError);
  EXPECT_THROW(names_file_read(dir.file_write("c.csv", "segment,name\n0,a\n0,b\n")), DataError);
  EXPECT_THROW(profiles_names_apply(p, {{7, "nope"}}), DataError);
}

TEST(ProfilesIo, JsonRoundTripKeepsEveryNumber) {
  const Profiles p = profiles_make(table_make());
  const Profiles q = profiles_from_json(nlohmann::json::parse(profiles_to_json(p).dump()), "mem");
  ASSERT_EQ(q.segments.size(), p.segments.size());
  EXPECT_EQ(profiles_to_json(q), profiles_to_json(p));
  EXPECT_THROW(profiles_from_json(nlohmann::json::object(), "x.json"), DataError);
}

}  // namespace
}  // namespace kseg
