// kseg update as a call: a saved model moved towards new users by mini-batch K-means (host/dynamics/
// minibatch_epochs.hpp), streamed in bounded memory; segment ids stay, except for centres reassigned, which get new
// ids. The products are the updated model and what happened; writing them is one more call.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/options.hpp"
#include "host/dynamics/minibatch_epochs.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

struct UpdateRequest {
  // The new users: input.path (CSV, .csv.gz, .csv.zst, .npy or Parquet) and input.delimiter, or input.table. The model
  // names the id, weight and feature columns: id_column, weight_column and columns stay empty (model_input_check).
  InputOptions input;
  std::string model;                // model.json to update (written by kseg fit or kseg update)
  std::string out_dir = "updated";  // model.json, centroids.csv, summary.json
  MiniBatchEpochsParams params;     // batch size, reassignment ratio, seed, epochs, memory
  DeviceOptions device;
  bool quiet = false;  // no notices
  // The model already in memory (the Python package's), used instead of reading model, which then only names it.
  std::shared_ptr<const Model> model_loaded;
  // input.table's stream again, for every epoch after the first; unset: the table is read once (epochs must be 1).
  std::function<std::shared_ptr<ArrowStreamReader>()> table_reopen;
};

// Every check of the request's values, before any work (UsageError naming the option).
void update_request_validate(const UpdateRequest& request);

struct UpdateProducts {
  Model model;                         // the updated model: centroids, segment ids, fit statistics
  MiniBatchEpochsParams params;        // as requested
  MiniBatchEpochsResult run;           // the epochs' statistics, the centres' seen weights
  std::vector<int64_t> last_sizes;     // per segment: the weight it took in the last epoch, rounded
  std::vector<double> centroid_shift;  // per segment: how far its centroid moved (prepared space)
  nlohmann::json ids;                  // {new_ids, retired, next_segment_id}: the centres reassigned
  int64_t rows = 0;                    // users in the input
  std::string weight_column;           // the sample weights used; "" = unweighted
  std::string model_path, input_path;  // as given, named in summary.json
  bool input_table = false;            // the input was an in-memory table (input_path "the table")
  double seconds = 0.0;                // wall time of the update, written in summary.json
};

// Validates and runs the update in memory. Notices (weights the model was fitted with that the input lacks, the CPU
// fallback of --device auto) go to notices unless request.quiet. DataError when the input holds no users, its
// weights sum to 0, or the model records no segment sizes while memory > 0.
UpdateProducts model_update(const UpdateRequest& request, std::ostream& notices);

// summary.json's content: the run's parameters, each epoch, and each segment's weight and movement.
nlohmann::json update_summary(const UpdateProducts& products);

// model.json, centroids.csv and summary.json into dir.
void update_products_write(const UpdateProducts& products, const std::string& dir);

// The whole workflow: validates, claims request.out_dir first (an unwritable directory fails before the long work),
// updates, writes, and publishes the set at once (OutputSet).
UpdateProducts model_update_run(const UpdateRequest& request, std::ostream& notices);

}  // namespace kseg
