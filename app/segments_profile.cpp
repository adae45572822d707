#include "app/segments_profile.hpp"

#include <algorithm>
#include <filesystem>
#include <ostream>

#include "app/explain_outputs.hpp"
#include "host/data/schema.hpp"
#include "host/error.hpp"
#include "host/io/input_file.hpp"
#include "host/io/output_set.hpp"
#include "host/parquet/parquet_input.hpp"
#include "host/report/campaign_report.hpp"
#include "host/report/migration_report.hpp"
#include "host/report/personas.hpp"

namespace kseg {
namespace {

// The segment value (second-to-last field) of every record of a segments.csv (`id,segment,distance`); ids may be
// quoted, with delimiters or line breaks inside. A segments.parquet gives its segment column.
std::vector<int64_t> segments_read(const std::string& path) {
  if (parquet_input_is(path)) return parquet_segments_read(path);
  const std::string text = input_file_read(path, "--segments", 0);
  std::vector<int64_t> segments;
  bool quoted = false;
  size_t start = 0;
  int64_t line = 1;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] == '"') quoted = !quoted;
    if (i < text.size() && (quoted || text[i] != '\n')) continue;
    std::string record = text.substr(start, i - start);
    start = i + 1;
    if (!record.empty() && record.back() == '\r') record.pop_back();
    if (record.empty()) continue;
    if (line++ == 1) {
      KSEG_EXPECTS(record.size() >= 17 && record.compare(record.size() - 17, 17, ",segment,distance") == 0, DataError,
                   location_format(path, 1, 0, "expected the header id,segment,distance of segments.csv"));
      continue;
    }
    const size_t last = record.rfind(',');
    const size_t before = last == std::string::npos || last == 0 ? std::string::npos : record.rfind(',', last - 1);
    KSEG_EXPECTS(before != std::string::npos, DataError,
                 location_format(path, line - 1, 0, "expected id,segment,distance"));
    try {
      segments.push_back(std::stoll(record.substr(before + 1, last - before - 1)));
    } catch (const std::exception&) {
      throw DataError(location_format(path, line - 1, 0, "the segment is not an integer"));
    }
  }
  return segments;
}

// Reads the users with the model's roles for its columns, plus the audit and weight columns.
Table users_load(const ProfileRequest& request, const Model& model) {
  SchemaOptions o;
  o.id_column = model.id_column;
  o.weight_column = request.weight_column;
  o.audit = request.audit;
  o.delimiter = request.delimiter;
  o.threads = request.threads;
  o.missing = model.pipeline.missing_values();
  for (const NumericStep& s : model.pipeline.numeric()) {
    if (s.dropped) continue;
    (s.is_date ? o.dates : o.numeric).push_back(s.name);
    o.columns.push_back(s.name);
  }
  for (const CategoricalStep& s : model.pipeline.categorical()) {
    if (s.dropped) continue;
    o.categorical.push_back(s.name);
    o.columns.push_back(s.name);
  }
  return table_load(schema_infer(request.input, o), o);
}

// Each user's centroid index: the position of its segment id among the model's.
std::vector<int32_t> labels_of_segments(const ProfileRequest& request, const std::vector<int64_t>& segments,
                                        const std::vector<int64_t>& ids) {
  std::vector<int32_t> labels(segments.size());
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto it = std::find(ids.begin(), ids.end(), segments[i]);
    KSEG_EXPECTS(it != ids.end(), DataError,
                 request.segments + ": row " + std::to_string(i + 1) + " is in segment " + std::to_string(segments[i]) +
                     ", which " + request.model + " does not have");
    labels[i] = static_cast<int32_t>(it - ids.begin());
  }
  return labels;
}

}  // namespace

void profile_request_validate(const ProfileRequest& request) {
  KSEG_EXPECTS(!request.input.empty(), UsageError, "profile: give the users (INPUT)");
  KSEG_EXPECTS(!request.model.empty(), UsageError, "profile: give --model, the segmentation's model.json");
  KSEG_EXPECTS(!request.segments.empty(), UsageError, "profile: give --segments, the segmentation's segments.csv");
  profile_options_make(request.explain);
}

std::string profile_out_dir(const ProfileRequest& request) {
  namespace fs = std::filesystem;
  if (!request.out_dir.empty()) return request.out_dir;
  return fs::path(request.segments).has_parent_path() ? fs::path(request.segments).parent_path().string()
                                                      : std::string(".");
}

ProfileProducts segments_profile(const ProfileRequest& request) {
  profile_request_validate(request);
  ProfileProducts p;
  p.model = model_load(request.model);
  if (!request.segment_names.empty()) p.names = names_file_read(request.segment_names);
  p.table = users_load(request, p.model);
  const std::vector<int64_t> segments = segments_read(request.segments);
  KSEG_EXPECTS(static_cast<int64_t>(segments.size()) == p.table.n_rows, DataError,
               request.segments + " has " + std::to_string(segments.size()) + " rows but " + request.input + " has " +
                   std::to_string(p.table.n_rows) + ": give the segments.csv written for this input");
  p.labels = labels_of_segments(request, segments, p.model.segments.ids);
  p.source = "kseg profile " + request.input + " --model " + request.model;
  p.explain = request.explain;
  return p;
}

void profile_products_write(const ProfileProducts& products, OutputSet& set, std::ostream& listing,
                            std::ostream& notices, bool quiet) {
  const Model& model = products.model;
  ExplainOutputs o;
  o.dir = set.path();
  o.shown_dir = set.dir();
  o.source = products.source;
  o.table = &products.table;
  o.pipeline = &model.pipeline;
  o.labels = products.labels.data();
  o.k = model.n_clusters;
  o.segment_ids = model.segments.ids;
  if (model.tree) o.tree = &*model.tree;
  o.model_names = model.segments.names;
  o.file_names = products.names;
  // kseg compare's migration section, drawn into the report this replaces, is kept (as kseg report keeps it).
  const std::string report = set.dir() + "/report.html";
  const std::string migration = migration_section_kept(report, quiet, notices);
  const std::string campaign = campaign_section_kept(report, quiet, notices);  // kseg measure's, kept too
  explain_outputs_write(o, products.explain, listing, quiet);
  if (!migration.empty()) report_migration_write(set.path() + "/report.html", migration);
  if (!campaign.empty()) report_campaign_write(set.path() + "/report.html", campaign);
  set.publish();
}

}  // namespace kseg
