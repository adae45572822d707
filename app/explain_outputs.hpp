// The explanation files fit, sweep and profile write beside their other outputs: profiles.csv, profiles.json,
// segment_names.csv (fit and profile) and report.html.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "app/options.hpp"
#include "host/data/table.hpp"
#include "host/features/pipeline.hpp"
#include "host/model/segment_tree.hpp"
#include "host/report/k_sweep.hpp"
#include "host/report/profiles.hpp"

namespace kseg {

struct ExplainOutputs {
  std::string dir;               // output directory (where the files are written: a staging directory)
  std::string shown_dir;         // the directory as the user gave it, for the list of files ("": dir)
  std::string source;            // what produced it, shown in the report ("kseg fit users.csv --k 6")
  const Table* table = nullptr;  // the users, raw values and audit columns
  const FeaturePipeline* pipeline = nullptr;
  const int32_t* labels = nullptr;  // table->n_rows centroid indices in [0, k)
  int64_t k = 0;
  std::vector<int64_t> segment_ids;      // id of each centroid (empty: 0..k−1)
  std::vector<std::string> model_names;  // name of each centroid from the model ("" or empty: the persona)
  std::vector<std::pair<int32_t, std::string>> file_names;  // from --segment-names, applied last
  const SweepResult* sweep = nullptr;                       // the sweep, for its section of the report
  bool names_file = true;                                   // write segment_names.csv (a template users edit)
  const SegmentTree* tree = nullptr;                        // a --hierarchy model's tree, for the report
};

ProfileOptions profile_options_make(const ExplainOptions& args);

// The profiles of outputs (segment ids, the model's names, a tree's parent nodes, the names file's names) in memory,
// as explain_outputs_write writes them.
Profiles explain_profiles(const ExplainOutputs& outputs, const ExplainOptions& args);

// Computes the profiles and writes the files, each atomically; lists them on out unless quiet.
Profiles explain_outputs_write(const ExplainOutputs& outputs, const ExplainOptions& args, std::ostream& out,
                               bool quiet);

}  // namespace kseg
