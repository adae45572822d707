// Explaining an existing segmentation as a call: the users, the model and the segments.csv it wrote become profiles,
// personas and the fairness audit (profiles.csv, profiles.json, segment_names.csv, report.html). The kseg profile
// command, the Python package and C++ callers all run this.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "app/options.hpp"
#include "host/data/table.hpp"
#include "host/model/model_file.hpp"

namespace kseg {

class OutputSet;

struct ProfileRequest {
  std::string input;               // the users that were segmented (CSV or .npy); ids and columns as in the model
  std::string model;               // model.json of the segmentation
  std::string segments;            // segments.csv (id,segment,distance) or segments.parquet of input, in input order
  std::string out_dir;             // "" = the directory of segments
  std::string segment_names;       // CSV segment,name replacing the personas, "" = none
  std::string weight_column;       // per-user sample weights, "" = none
  std::vector<std::string> audit;  // columns to audit the segments' composition by
  char delimiter = ',';            // CSV field separator of input
  int threads = 0;                 // CPU threads for reading; 0 = all cores
  bool quiet = false;              // no notices
  ExplainOptions explain;
};

// Every check of a request that needs no data, before any work (UsageError naming the option).
void profile_request_validate(const ProfileRequest& request);

// Where the outputs go: out_dir, or the directory of segments ("." when it has none).
std::string profile_out_dir(const ProfileRequest& request);

struct ProfileProducts {
  Model model;                  // the segmentation's model
  Table table;                  // the users, with the model's columns, the audit and weight columns
  std::vector<int32_t> labels;  // each user's centroid index in the model (its segment id mapped back)
  std::vector<std::pair<int32_t, std::string>> names;  // from segment_names, applied over the personas
  std::string source;                                  // what produced the profiles, for report.html
  ExplainOptions explain;                              // the request's, for the profiles
};

// Validates, reads the model, the names file, the users and the segments, and maps each user's segment id to the
// model's centroid: DataError when the row counts differ or a segment is not in the model.
ProfileProducts segments_profile(const ProfileRequest& request);

// profiles.csv, profiles.json, segment_names.csv and report.html staged in set and published at once; a migration
// section (kseg compare's) and a campaign section (kseg measure's) of the report being replaced are kept. Files
// listed on listing, notices on notices, unless quiet.
void profile_products_write(const ProfileProducts& products, OutputSet& set, std::ostream& listing,
                            std::ostream& notices, bool quiet);

}  // namespace kseg
