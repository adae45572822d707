// model.json: round trip, and refusal of damaged or newer files.
#include <gtest/gtest.h>

#include "../io/test_files.hpp"
#include "host/error.hpp"
#include "host/model/model_file.hpp"

#include <nlohmann/json.hpp>

namespace kseg {
namespace {

Model model_make() {
  Table table;
  table.path = "t";
  table.n_rows = 4;
  TableColumn spend("spend", ColumnRole::numeric);
  spend.values = {10.0f, 12.0f, 13.0f, 15.0f};
  TableColumn device("device", ColumnRole::categorical);
  for (const char* level : {"ios", "web", "ios", "android"}) device.level_append(level);
  table.columns = {spend, device};
  Model m;
  m.pipeline = FeaturePipeline::fit(table, PipelineOptions{});
  EXPECT_EQ(m.pipeline.n_features(), 4);  // spend + three device levels
  m.id_column = "user_id";
  m.centroids = {0.1f, -0.2f, 1.0f / 3.0f, 7.0e-8f, 2.5f, -4.0f, 0.0f, 1.0f};
  m.n_clusters = 2;
  m.fit = {{"seed", 1}};
  return m;
}

TEST(ModelFile, RoundTripIsExact) {
  test::ScratchDir dir;
  const Model m = model_make();
  model_save(dir.file("model.json"), m);
  const Model back = model_load(dir.file("model.json"));
  EXPECT_EQ(back.centroids, m.centroids);  // bit for bit: assign must reproduce fit
  EXPECT_EQ(back.n_clusters, 2);
  EXPECT_EQ(back.id_column, "user_id");
  EXPECT_EQ(back.pipeline.feature_names(), m.pipeline.feature_names());
  EXPECT_EQ(back.pipeline.numeric()[0].center, 12.5);
  EXPECT_EQ(back.pipeline.numeric()[0].scale, m.pipeline.numeric()[0].scale);
  EXPECT_EQ(back.pipeline.categorical()[0].levels, (std::vector<std::string>{"ios", "android", "web"}));
  EXPECT_EQ(back.pipeline.categorical()[0].dummy_value, m.pipeline.categorical()[0].dummy_value);
}

TEST(ModelFile, RefusesDamagedFiles) {
  test::ScratchDir dir;
  model_save(dir.file("good.json"), model_make());
  const std::string good = test::file_read(dir.file("good.json"));
  auto expect_refused = [&](const std::string& name, const std::string& text, const std::string& fragment) {
    try {
      model_load(dir.file_write(name, text));
      ADD_FAILURE() << name << " was accepted";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    }
  };
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    const size_t at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  expect_refused("empty.json", "", "invalid JSON");
  expect_refused("other.json", "{\"format\": \"something\"}", "not a kseg model");
  expect_refused("newer.json", replaced("\"format_version\": 1", "\"format_version\": 4"), "newer kseg");
  expect_refused("k.json", replaced("\"n_clusters\": 2", "\"n_clusters\": 3"), "n_clusters");
  expect_refused("d.json", replaced("\"n_features\": 4", "\"n_features\": 3"), "n_features");
  expect_refused("scale.json", replaced("\"scale\": 1.8", "\"scale\": -1.8"), "scale");
  expect_refused("levels.json", replaced("\"android\",", ""), "feature list disagrees");
  nlohmann::json doc = nlohmann::json::parse(good);
  doc["centroids"][1][0] = "x";
  expect_refused("str.json", doc.dump(), "not a finite number");
  std::string nan_text = doc.dump();
  nan_text.replace(nan_text.find("\"x\""), 3, "NaN");
  expect_refused("nan.json", nan_text, "invalid JSON");
  doc["centroids"][1][0] = 1e39;  // finite as a double, infinite as a float
  expect_refused("big.json", doc.dump(), "not a finite number");
  std::string huge = doc.dump();
  huge.replace(huge.find("1e+39"), 5, "1e999");  // beyond double range: the JSON parser itself refuses it
  expect_refused("huge.json", huge, "not a readable kseg model");
  EXPECT_THROW(model_load(dir.file("absent.json")), DataError);
}

}  // namespace
}  // namespace kseg
