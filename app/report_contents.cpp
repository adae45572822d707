#include "app/report_contents.hpp"

#include <filesystem>
#include <ostream>

#include "host/error.hpp"
#include "host/model/model_file.hpp"
#include "host/output/output_paths.hpp"
#include "host/output/segment_files.hpp"
#include "host/report/campaign_report.hpp"
#include "host/report/html_report.hpp"
#include "host/report/migration_report.hpp"
#include "host/report/personas.hpp"
#include "host/report/profiles_io.hpp"
#include "host/report/tree_report.hpp"

namespace kseg {

void report_request_validate(const ReportRequest& request) {
  KSEG_EXPECTS(!request.dir.empty(), UsageError, "report: give DIR, the directory holding profiles.json");
  namespace fs = std::filesystem;
  const fs::path dir(request.dir);
  const std::string sweep_dir = request.sweep.empty() ? "" : (fs::path(request.sweep) / "sweep.json").string();
  output_paths_check({{"DIR/profiles.json", (dir / "profiles.json").string()},
                      {"DIR/sweep.json", (dir / "sweep.json").string()},
                      {"DIR/model.json", (dir / "model.json").string()},
                      {"--sweep", request.sweep},
                      {"--sweep", sweep_dir},
                      {"--segment-names", request.segment_names}},
                     {{"--out", request.out}});
}

ReportProducts report_contents_load(const ReportRequest& request) {
  namespace fs = std::filesystem;
  report_request_validate(request);
  ReportProducts p;
  const std::string profiles_path = (fs::path(request.dir) / "profiles.json").string();
  KSEG_EXPECTS(fs::exists(profiles_path), DataError,
               request.dir + " has no profiles.json: give the --out directory of kseg fit, sweep or profile");
  p.profiles = profiles_from_json(json_read(profiles_path), profiles_path);
  if (!request.segment_names.empty()) profiles_names_apply(p.profiles, names_file_read(request.segment_names));
  std::string sweep_path = request.sweep.empty() ? (fs::path(request.dir) / "sweep.json").string() : request.sweep;
  if (!request.sweep.empty() && fs::is_directory(sweep_path))
    sweep_path = (fs::path(sweep_path) / "sweep.json").string();
  KSEG_EXPECTS(request.sweep.empty() || fs::exists(sweep_path), DataError,
               "--sweep: " + sweep_path + " does not exist");
  if (fs::exists(sweep_path)) p.sweep = sweep_from_json(json_read(sweep_path), sweep_path);
  p.target = request.out.empty() ? (fs::path(request.dir) / "report.html").string() : request.out;
  // A tree model (fit --hierarchy) beside the profiles: its tree section too.
  const std::string model_path = (fs::path(request.dir) / "model.json").string();
  if (fs::exists(model_path)) {
    const Model model = model_load(model_path);
    if (model.tree) p.tree_section = tree_report_section(*model.tree, p.profiles, model.pipeline.feature_names());
  }
  p.source = "kseg report " + request.dir;
  return p;
}

void report_products_write(const ReportProducts& products, std::ostream& notices, bool quiet) {
  // kseg compare's migration section, drawn into the report this replaces, is kept.
  const std::string migration = migration_section_kept(products.target, quiet, notices);
  const std::string campaign = campaign_section_kept(products.target, quiet, notices);  // kseg measure's, kept too
  report_write(products.target, {products.source, &products.profiles, products.sweep ? &*products.sweep : nullptr,
                                 migration, products.tree_section});
  if (!campaign.empty()) report_campaign_write(products.target, campaign);
}

}  // namespace kseg
