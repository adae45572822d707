#include "host/model/model_file.hpp"
#include "host/json_integer.hpp"

#include <cfloat>
#include <climits>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/input_file.hpp"

namespace kseg {

SegmentIdentity SegmentIdentity::sequential(int64_t k) {
  SegmentIdentity s;
  for (int64_t j = 0; j < k; ++j) s.ids.push_back(j);
  s.names.assign(static_cast<size_t>(k), "");
  s.next_id = k;
  return s;
}

bool SegmentIdentity::is_sequential() const {
  for (size_t j = 0; j < ids.size(); ++j)
    if (ids[j] != static_cast<int64_t>(j)) return false;
  return true;
}

namespace {

// Optional in version 1 files (then sequential); validated strictly when present.
SegmentIdentity segments_from_json(const nlohmann::json& doc, int64_t k, const std::string& path) {
  if (!doc.contains("segment_ids")) {
    KSEG_EXPECTS(!doc.contains("segment_names") && !doc.contains("next_segment_id"), DataError,
                 path + ": segment_names or next_segment_id without segment_ids (damaged model)");
    return SegmentIdentity::sequential(k);
  }
  SegmentIdentity s;
  s.ids = json_integers_at<int64_t>(doc, "segment_ids", path);
  s.names = doc.at("segment_names").get<std::vector<std::string>>();
  s.next_id = json_integer_at<int64_t>(doc, "next_segment_id", path);
  KSEG_EXPECTS(static_cast<int64_t>(s.ids.size()) == k && static_cast<int64_t>(s.names.size()) == k, DataError,
               path + ": segment_ids and segment_names must have one entry per centroid (" + std::to_string(k) + ")");
  std::set<int64_t> seen;
  for (int64_t id : s.ids) {
    KSEG_EXPECTS(id >= 0 && id <= INT32_MAX && id < s.next_id && seen.insert(id).second, DataError,
                 path + ": segment ids must be distinct, in [0, 2^31) and below next_segment_id (damaged model)");
  }
  return s;
}

}  // namespace

std::string model_to_text(const Model& model) {
  nlohmann::json centroids = nlohmann::json::array();
  const int64_t d = model.pipeline.n_features();
  for (int64_t j = 0; j < model.n_clusters; ++j)
    centroids.push_back(std::vector<float>(model.centroids.begin() + j * d, model.centroids.begin() + (j + 1) * d));
  const SegmentIdentity segments =
      model.segments.ids.empty() ? SegmentIdentity::sequential(model.n_clusters) : model.segments;
  nlohmann::json doc = {{"format", "kseg-model"},
                        {"format_version", model.tree                 ? 3
                                           : segments.is_sequential() ? 1
                                                                      : 2},
                        {"kseg_version", KSEG_VERSION},
                        {"id_column", model.id_column},
                        {"n_clusters", model.n_clusters},
                        {"n_features", d},
                        {"preparation", model.pipeline.to_json()},
                        {"centroids", centroids},
                        {"fit", model.fit},
                        {"segment_ids", segments.ids},
                        {"segment_names", segments.names},
                        {"next_segment_id", segments.next_id}};
  if (model.reference) doc["training_statistics"] = drift_reference_to_json(*model.reference);
  if (model.tree) {  // the leaves' centroids are the model's (kseg update moves them): one truth for both
    SegmentTree tree = *model.tree;
    for (TreeNode& node : tree.nodes)
      if (node.leaf >= 0)
        node.centroid.assign(model.centroids.begin() + node.leaf * d, model.centroids.begin() + (node.leaf + 1) * d);
    doc["tree"] = segment_tree_to_json(tree);
  }
  return doc.dump(2) + "\n";
}

void model_save(const std::string& path, const Model& model) {
  AtomicFile file(path);
  file.write(model_to_text(model));
  file.commit();
}

namespace {
// The largest squared norm a loaded centroid may have (prepared space).
constexpr double kCentroidSquaredNormMax = 1e30;
}  // namespace

Model model_load(const std::string& path) {
  return model_from_text(input_file_read(path, "the model file", kModelFileMaxBytes), path);
}

Model model_from_text(const std::string& text, const std::string& path) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse errors, and numbers beyond double range (1e999)
    throw DataError(path + ": not a readable kseg model (invalid JSON: " + std::string(e.what()) + ")");
  }
  try {
    KSEG_EXPECTS(doc.is_object() && doc.value("format", "") == "kseg-model", DataError,
                 path + ": not a kseg model file (missing \"format\": \"kseg-model\")");
    const int version = json_integer_at<int>(doc, "format_version", path);
    KSEG_EXPECTS(version <= kModelFormatVersion, DataError,
                 path + ": model format version " + std::to_string(version) + " was written by a newer kseg (" +
                     doc.value("kseg_version", "?") + "); this kseg reads up to version " +
                     std::to_string(kModelFormatVersion) + ": upgrade kseg");
    KSEG_EXPECTS(version >= 1, DataError, path + ": invalid model format version " + std::to_string(version));
    Model model;
    model.pipeline = FeaturePipeline::from_json(doc.at("preparation"), path);
    model.id_column = doc.at("id_column").get<std::string>();
    model.n_clusters = json_integer_at<int64_t>(doc, "n_clusters", path);
    model.fit = doc.value("fit", nlohmann::json::object());
    const int64_t d = model.pipeline.n_features();
    KSEG_EXPECTS(json_integer_at<int64_t>(doc, "n_features", path) == d, DataError,
                 path + ": n_features disagrees with the number of prepared features");
    const nlohmann::json& rows = doc.at("centroids");
    KSEG_EXPECTS(model.n_clusters >= 1 && rows.is_array() && static_cast<int64_t>(rows.size()) == model.n_clusters,
                 DataError, path + ": n_clusters disagrees with the number of centroids");
    for (size_t c = 0; c < rows.size(); ++c) {
      const nlohmann::json& row = rows[c];
      KSEG_EXPECTS(row.is_array() && static_cast<int64_t>(row.size()) == d, DataError,
                   path + ": a centroid has the wrong number of values (expected " + std::to_string(d) + ")");
      double norm = 0.0;
      for (const nlohmann::json& v : row) {
        KSEG_EXPECTS(v.is_number() && std::isfinite(v.get<double>()) && std::abs(v.get<double>()) <= FLT_MAX, DataError,
                     path + ": a centroid value is not a finite number (damaged model)");
        norm += v.get<double>() * v.get<double>();
        model.centroids.push_back(v.get<float>());
      }
      // Distances are computed in float as |x|² − 2x·c + |c|²: a centroid far out (prepared values are z-scores
      // and the like) would give inf distances and meaningless segments.
      KSEG_EXPECTS(norm <= kCentroidSquaredNormMax, DataError,
                   path + ": centroids[" + std::to_string(c) +
                       "] has a squared norm beyond 1e30: distances to it overflow float arithmetic (damaged model)");
    }
    model.segments = segments_from_json(doc, model.n_clusters, path);
    if (doc.contains("training_statistics"))
      model.reference = drift_reference_from_json(doc.at("training_statistics"), model.pipeline, path);
    if (doc.contains("tree")) {
      model.tree = segment_tree_from_json(doc.at("tree"), model.n_clusters, d, path);
      for (TreeNode& node : model.tree->nodes)  // the model's centroids are the leaves' (as written)
        if (node.leaf >= 0)
          node.centroid.assign(model.centroids.begin() + node.leaf * d, model.centroids.begin() + (node.leaf + 1) * d);
    }
    return model;
  } catch (const nlohmann::json::exception& e) {
    throw DataError(path + ": damaged kseg model: " + std::string(e.what()));
  }
}

}  // namespace kseg
