// kseg profile: profiles, personas and the fairness audit of an existing segmentation (model + segments.csv +
// the users), and the explanation files every command writes.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "app/explain_outputs.hpp"
#include "host/data/schema.hpp"
#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/input_file.hpp"
#include "host/io/output_set.hpp"
#include "host/model/model_file.hpp"
#include "host/report/campaign_report.hpp"
#include "host/report/html_report.hpp"
#include "host/report/migration_report.hpp"
#include "host/report/personas.hpp"
#include "host/report/profiles_io.hpp"
#include "host/report/tree_profiles.hpp"
#include "host/report/tree_report.hpp"

namespace kseg {
namespace {

// The segment value (second-to-last field) of every record of a segments.csv (`id,segment,distance`); ids may be
// quoted, with delimiters or line breaks inside.
std::vector<int64_t> segments_read(const std::string& path) {
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
Table users_load(const ProfileArgs& args, const Model& model) {
  SchemaOptions o;
  o.id_column = model.id_column;
  o.weight_column = args.weight_column;
  o.audit = args.audit;
  o.delimiter = args.delimiter;
  o.threads = args.threads;
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
  return table_load(schema_infer(args.input, o), o);
}

}  // namespace

ProfileOptions profile_options_make(const ExplainOptions& args) {
  KSEG_EXPECTS(args.audit_ratio > 0.0 && args.audit_ratio < 1.0, UsageError,
               "--audit-ratio must be between 0 and 1 (e.g. 0.8, the four-fifths rule)");
  KSEG_EXPECTS(args.audit_min_diff >= 0.0 && args.audit_min_diff < 1.0, UsageError,
               "--audit-min-diff must be a share in [0, 1) (e.g. 0.02 for 2 points)");
  ProfileOptions o;
  o.audit_ratio = args.audit_ratio;
  o.audit_min_diff = args.audit_min_diff;
  return o;
}

Profiles explain_outputs_write(const ExplainOutputs& o, const ExplainOptions& args, std::ostream& out, bool quiet) {
  Profiles profiles = profiles_compute(*o.table, *o.pipeline, o.labels, o.k, profile_options_make(args), o.segment_ids);
  if (o.tree) profiles.tree_parents = tree_parent_profiles(*o.table, *o.pipeline, o.labels, *o.tree, profiles.options);
  for (size_t c = 0; c < o.model_names.size() && c < profiles.segments.size(); ++c)
    if (!o.model_names[c].empty()) profiles.segments[c].name = o.model_names[c];
  profiles_names_apply(profiles, o.file_names);
  const std::string dir = o.dir + "/";
  profiles_csv_write(dir + "profiles.csv", profiles);
  AtomicFile json(dir + "profiles.json");
  json.write(profiles_to_json(profiles).dump(2) + "\n");
  json.commit();
  if (o.names_file) names_file_write(dir + "segment_names.csv", profiles);
  report_write(dir + "report.html",
               {o.source,
                &profiles,
                o.sweep,
                {},
                o.tree ? tree_report_section(*o.tree, profiles, o.pipeline->feature_names()) : ""});
  const std::string shown = (o.shown_dir.empty() ? o.dir : o.shown_dir) + "/";
  if (!quiet)
    out << "  " << shown << "profiles.csv\n  " << shown << "profiles.json\n"
        << (o.names_file ? "  " + shown + "segment_names.csv\n" : "") << "  " << shown << "report.html\n";
  return profiles;
}

void fit_explain_write(const FitArgs& args, const Table& data, const FeaturePipeline& pipeline,
                       const std::vector<int32_t>& labels, int64_t k, std::ostream& out, bool quiet,
                       const std::vector<int64_t>& segment_ids, const std::vector<std::string>& names,
                       const std::string& shown_dir, const SegmentTree* tree) {
  ExplainOutputs o;
  o.dir = args.out_dir;
  o.shown_dir = shown_dir;
  o.source = "kseg fit " + args.input + " --k " + std::to_string(k);
  o.table = &data;
  o.pipeline = &pipeline;
  o.labels = labels.data();
  o.k = k;
  o.segment_ids = segment_ids;
  o.model_names = names;
  o.tree = tree;
  explain_outputs_write(o, args.explain, out, quiet);
}

void profile_command_register(CLI::App& app, ProfileArgs& args) {
  app.add_option("INPUT", args.input, "The users that were segmented (CSV or .npy)")->required();
  app.add_option("--model", args.model, "model.json of the segmentation")->required();
  app.add_option("--segments", args.segments, "segments.csv (id,segment,distance) of INPUT, in input order")
      ->required();
  app.add_option("--out", args.out_dir, "Output directory (default: the directory of --segments)");
  app.add_option("--segment-names", args.segment_names, "CSV segment,name: names that replace the personas");
  app.add_option("--audit-columns", args.audit, "Columns to audit the segments' composition by, comma-separated")
      ->delimiter(',');
  app.add_option("--weight-column", args.weight_column, "Column of per-user sample weights (>= 0)");
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  app.add_option("--threads", args.threads, "CPU threads for reading; 0 = all cores")->capture_default_str();
  explain_options_register(app, args.explain);
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int profile_command_run(const ProfileArgs& args, std::ostream& out, std::ostream& err) {
  profile_options_make(args.explain);
  const std::string dir = !args.out_dir.empty() ? args.out_dir
                          : std::filesystem::path(args.segments).has_parent_path()
                              ? std::filesystem::path(args.segments).parent_path().string()
                              : std::string(".");
  OutputSet set(dir, args.out_dir.empty() ? "the directory of --segments" : "--out");
  const Model model = model_load(args.model);
  const std::vector<std::pair<int32_t, std::string>> names =
      args.segment_names.empty() ? std::vector<std::pair<int32_t, std::string>>{} : names_file_read(args.segment_names);
  const Table table = users_load(args, model);
  const std::vector<int64_t> segments = segments_read(args.segments);
  KSEG_EXPECTS(static_cast<int64_t>(segments.size()) == table.n_rows, DataError,
               args.segments + " has " + std::to_string(segments.size()) + " rows but " + args.input + " has " +
                   std::to_string(table.n_rows) + ": give the segments.csv written for this input");
  std::vector<int32_t> labels(segments.size());  // segment id → centroid index
  const std::vector<int64_t>& ids = model.segments.ids;
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto it = std::find(ids.begin(), ids.end(), segments[i]);
    KSEG_EXPECTS(it != ids.end(), DataError,
                 args.segments + ": row " + std::to_string(i + 1) + " is in segment " + std::to_string(segments[i]) +
                     ", which " + args.model + " does not have");
    labels[i] = static_cast<int32_t>(it - ids.begin());
  }
  ExplainOutputs o;
  o.dir = set.path();
  o.shown_dir = dir;
  o.source = "kseg profile " + args.input + " --model " + args.model;
  o.table = &table;
  o.pipeline = &model.pipeline;
  o.labels = labels.data();
  o.k = model.n_clusters;
  o.segment_ids = ids;
  if (model.tree) o.tree = &*model.tree;
  o.model_names = model.segments.names;
  o.file_names = names;
  if (!args.quiet) out << "kseg: profiles of " << table.n_rows << " users in " << o.k << " segments\n";
  // kseg compare's migration section, drawn into the report this replaces, is kept (as kseg report keeps it).
  const std::string report = dir + "/report.html";
  const std::string migration = migration_section_kept(report, args.quiet, err);
  const std::string campaign = campaign_section_kept(report, args.quiet, err);  // kseg measure's, kept too
  explain_outputs_write(o, args.explain, out, args.quiet);
  if (!migration.empty()) report_migration_write(set.path() + "/report.html", migration);
  if (!campaign.empty()) report_campaign_write(set.path() + "/report.html", campaign);
  set.publish();
  return 0;
}

}  // namespace kseg
