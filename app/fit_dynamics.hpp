// The refresh side of kseg fit: --warm-start OLD/model.json (start from the old centroids), --match-ids
// OLD/model.json (match after a fresh fit) and --segment-names FILE; stable ids for the outputs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/fit_segments.hpp"
#include "app/prepare_input.hpp"
#include "host/backend.hpp"
#include "host/comm/communicator.hpp"
#include "host/dynamics/segment_matching.hpp"
#include "host/kmeans/params.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

// The old model a fit refreshes, its centroids carried into the new preparation's space.
struct FitRefresh {
  std::string path;                // --warm-start or --match-ids
  bool warm_start = false;         // start from the old centroids (else only match after a fresh fit)
  Model old;                       // as loaded
  std::vector<float> old_mapped;   // old k × d centroids in the new prepared space
  std::vector<double> old_sizes;   // old segment sizes (1 each when the model does not say)
};

// Loads the old model named by --warm-start or --match-ids (nullopt when neither) and carries its centroids.
std::optional<FitRefresh> fit_refresh_load(const FitRequest& request, const PreparedInput& in);

// --warm-start: params.init = given, with the old centroids (k may differ from the old k: see warm_start.hpp).
// Collective across processes: the same centres for any number of them.
void warm_start_apply(const FitRefresh& refresh, Backend& backend, KMeansParams& params, const Communicator& comm);

// The stable ids of the fitted centroids: matched against the old model when there is one (its section for
// summary.json in *matching_json), else 0..k−1; then names from --segment-names.
SegmentIdentity fit_identity(const FitRequest& request, const std::optional<FitRefresh>& refresh,
                             const std::vector<float>& centroids, int64_t k, int64_t d, nlohmann::json* matching_json);

}  // namespace kseg
