#include "app/fit_dynamics.hpp"

#include <map>

#include "host/dynamics/warm_start.hpp"
#include "host/error.hpp"
#include "host/io/csv_reader.hpp"

namespace kseg {
namespace {

std::vector<double> old_sizes_read(const Model& model) {
  std::vector<double> sizes(static_cast<size_t>(model.n_clusters), 1.0);
  const nlohmann::json& stored = model.fit.is_object() ? model.fit.value("segment_sizes", nlohmann::json()) : nullptr;
  if (stored.is_array() && static_cast<int64_t>(stored.size()) == model.n_clusters)
    for (size_t j = 0; j < sizes.size(); ++j)
      if (stored[j].is_number()) sizes[j] = stored[j].get<double>();
  return sizes;
}

// --segment-names FILE: CSV with columns segment,name; every segment must be one of the fit's ids.
void names_apply(const std::string& path, SegmentIdentity& identity) {
  CsvReader reader(path);
  const std::vector<std::string>& header = reader.header();
  int segment_column = -1, name_column = -1;
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c] == "segment") segment_column = static_cast<int>(c);
    if (header[c] == "name") name_column = static_cast<int>(c);
  }
  KSEG_EXPECTS(segment_column >= 0 && name_column >= 0, DataError,
               path + ": --segment-names needs a CSV with columns segment,name");
  std::map<int64_t, size_t> index;
  for (size_t j = 0; j < identity.ids.size(); ++j) index[identity.ids[j]] = j;
  reader.batches_for_each(1u << 20, 1, [&](const CsvRecordBatch& batch) {
    for (int64_t r = 0; r < batch.n_records; ++r) {
      const std::string text(batch.field(r, segment_column));
      const std::string where = location_format(path, batch.line(r), segment_column + 1, "segment \"" + text + "\"");
      int64_t id = -1;
      try {
        size_t used = 0;
        id = std::stoll(text, &used);
        if (used != text.size()) id = -1;
      } catch (const std::exception&) {
        id = -1;
      }
      auto it = index.find(id);
      KSEG_EXPECTS(it != index.end(), DataError, where + " is not one of this fit's segment ids");
      identity.names[it->second] = std::string(batch.field(r, name_column));
    }
  });
}

}  // namespace

std::optional<FitRefresh> fit_refresh_load(const FitRequest& request, const PreparedInput& in) {
  if (request.warm_start.empty() && request.match_ids.empty()) return std::nullopt;
  FitRefresh refresh;
  refresh.warm_start = !request.warm_start.empty();
  refresh.path = refresh.warm_start ? request.warm_start : request.match_ids;
  refresh.old = model_load(refresh.path);
  refresh.old_sizes = old_sizes_read(refresh.old);
  try {
    refresh.old_mapped = centroids_reprepare(refresh.old.pipeline, refresh.old.centroids, refresh.old.n_clusters,
                                             in.pipeline, std::vector<double>(static_cast<size_t>(in.n_cols), 0.0));
  } catch (const DataError& e) {
    throw DataError(refresh.path + ": " + e.what());
  }
  return refresh;
}

void warm_start_apply(const FitRefresh& refresh, Backend& backend, KMeansParams& params, const Communicator& comm) {
  params.init = InitMethod::given;
  params.init_centroids = warm_start_centroids(backend, refresh.old_mapped, refresh.old.n_clusters, refresh.old_sizes,
                                               params.n_clusters, params.seed, comm);
}

SegmentIdentity fit_identity(const FitRequest& request, const std::optional<FitRefresh>& refresh,
                             const std::vector<float>& centroids, int64_t k, int64_t d, nlohmann::json* matching_json) {
  SegmentIdentity identity = SegmentIdentity::sequential(k);
  if (refresh) {
    const SegmentMatching matching =
        segments_match(centroids, k, refresh->old_mapped, refresh->old.n_clusters, d, refresh->old.segments);
    identity = matching.identity;
    if (matching_json) {
      *matching_json = segment_matching_json(matching, refresh->path);
      (*matching_json)["warm_start"] = refresh->warm_start;
    }
  }
  if (!request.segment_names.empty()) names_apply(request.segment_names, identity);
  return identity;
}

}  // namespace kseg
