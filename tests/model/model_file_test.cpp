// model.json: round trip, and refusal of damaged or newer files.
#include <gtest/gtest.h>

#include "../io/test_files.hpp"
#include "host/error.hpp"
#include "host/model/model_file.hpp"

namespace kseg {
namespace {

Model model_make() {
  Model m;
  m.pipeline = FeaturePipeline(ScaleMode::zscore, {{"spend", 12.5, 3.25}, {"visits", -1.0, 0.1}});
  m.id_column = "user_id";
  m.centroids = {0.1f, -0.2f, 1.0f / 3.0f, 7.0e-8f, 2.5f, -4.0f};
  m.n_clusters = 3;
  m.fit = {{"seed", 1}};
  return m;
}

TEST(ModelFile, RoundTripIsExact) {
  test::ScratchDir dir;
  const Model m = model_make();
  model_save(dir.file("model.json"), m);
  const Model back = model_load(dir.file("model.json"));
  EXPECT_EQ(back.centroids, m.centroids);  // bit for bit: assign must reproduce fit
  EXPECT_EQ(back.n_clusters, 3);
  EXPECT_EQ(back.id_column, "user_id");
  ASSERT_EQ(back.pipeline.n_features(), 2);
  EXPECT_EQ(back.pipeline.features()[0].center, 12.5);
  EXPECT_EQ(back.pipeline.features()[1].scale, 0.1);
  EXPECT_EQ(back.pipeline.names(), (std::vector<std::string>{"spend", "visits"}));
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
  expect_refused("newer.json", replaced("\"format_version\": 1", "\"format_version\": 2"), "newer kseg");
  expect_refused("k.json", replaced("\"n_clusters\": 3", "\"n_clusters\": 4"), "n_clusters");
  expect_refused("d.json", replaced("\"n_features\": 2", "\"n_features\": 3"), "n_features");
  expect_refused("scale.json", replaced("\"scale\": 0.1", "\"scale\": 0.0"), "scale");
  expect_refused("nan.json", replaced("2.5", "NaN"), "invalid JSON");
  expect_refused("str.json", replaced("2.5", "\"x\""), "not a finite number");
  EXPECT_THROW(model_load(dir.file("absent.json")), DataError);
}

}  // namespace
}  // namespace kseg
