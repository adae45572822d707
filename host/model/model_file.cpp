#include "host/model/model_file.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"

namespace kseg {

void model_save(const std::string& path, const Model& model) {
  nlohmann::json centroids = nlohmann::json::array();
  const int64_t d = model.pipeline.n_features();
  for (int64_t j = 0; j < model.n_clusters; ++j)
    centroids.push_back(std::vector<float>(model.centroids.begin() + j * d, model.centroids.begin() + (j + 1) * d));
  const nlohmann::json doc = {{"format", "kseg-model"},
                              {"format_version", kModelFormatVersion},
                              {"kseg_version", KSEG_VERSION},
                              {"id_column", model.id_column},
                              {"n_clusters", model.n_clusters},
                              {"n_features", d},
                              {"preparation", model.pipeline.to_json()},
                              {"centroids", centroids},
                              {"fit", model.fit}};
  AtomicFile file(path);
  file.write(doc.dump(2));
  file.write("\n");
  file.commit();
}

Model model_load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  KSEG_EXPECTS(in.good(), DataError, path + ": cannot open the model file (does it exist?)");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw DataError(path + ": not a readable kseg model (invalid JSON: " + std::string(e.what()) + ")");
  }
  try {
    KSEG_EXPECTS(doc.is_object() && doc.value("format", "") == "kseg-model", DataError,
                 path + ": not a kseg model file (missing \"format\": \"kseg-model\")");
    const int version = doc.at("format_version").get<int>();
    KSEG_EXPECTS(version <= kModelFormatVersion, DataError,
                 path + ": model format version " + std::to_string(version) + " was written by a newer kseg (" +
                     doc.value("kseg_version", "?") + "); this kseg reads up to version " +
                     std::to_string(kModelFormatVersion) + ": upgrade kseg");
    KSEG_EXPECTS(version >= 1, DataError, path + ": invalid model format version " + std::to_string(version));
    Model model;
    model.pipeline = FeaturePipeline::from_json(doc.at("preparation"), path);
    model.id_column = doc.at("id_column").get<std::string>();
    model.n_clusters = doc.at("n_clusters").get<int64_t>();
    model.fit = doc.value("fit", nlohmann::json::object());
    const int64_t d = model.pipeline.n_features();
    KSEG_EXPECTS(doc.at("n_features").get<int64_t>() == d, DataError,
                 path + ": n_features disagrees with the number of prepared features");
    const nlohmann::json& rows = doc.at("centroids");
    KSEG_EXPECTS(model.n_clusters >= 1 && rows.is_array() && static_cast<int64_t>(rows.size()) == model.n_clusters,
                 DataError, path + ": n_clusters disagrees with the number of centroids");
    for (const nlohmann::json& row : rows) {
      KSEG_EXPECTS(row.is_array() && static_cast<int64_t>(row.size()) == d, DataError,
                   path + ": a centroid has the wrong number of values (expected " + std::to_string(d) + ")");
      for (const nlohmann::json& v : row) {
        KSEG_EXPECTS(v.is_number() && std::isfinite(v.get<double>()), DataError,
                     path + ": a centroid value is not a finite number (damaged model)");
        model.centroids.push_back(v.get<float>());
      }
    }
    return model;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(path + ": damaged kseg model: " + std::string(e.what()));
  }
}

}  // namespace kseg
