// kseg report: rewrites report.html from a directory's profiles.json (and sweep.json), e.g. after renaming
// segments in a names file. Reads no user data; keeps the migration section kseg compare drew into the old page.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <ostream>

#include "cli/commands.hpp"
#include "host/error.hpp"
#include "host/model/model_file.hpp"
#include "host/output/segment_files.hpp"
#include "host/report/campaign_report.hpp"
#include "host/report/html_report.hpp"
#include "host/report/migration_report.hpp"
#include "host/report/personas.hpp"
#include "host/report/profiles_io.hpp"
#include "host/report/tree_report.hpp"

namespace kseg {
namespace {}  // namespace

void report_command_register(CLI::App& app, ReportArgs& args) {
  app.add_option("DIR", args.dir, "Directory holding profiles.json (written by fit, sweep or profile)")->required();
  app.add_option("--sweep", args.sweep, "sweep.json, or a directory holding one (default: DIR/sweep.json if any)");
  app.add_option("--segment-names", args.segment_names, "CSV segment,name: names that replace those in profiles.json");
  app.add_option("--out", args.out, "Output file (default: DIR/report.html)");
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int report_command_run(const ReportArgs& args, std::ostream& out, std::ostream& err) {
  namespace fs = std::filesystem;
  const std::string profiles_path = (fs::path(args.dir) / "profiles.json").string();
  KSEG_EXPECTS(fs::exists(profiles_path), DataError,
               args.dir + " has no profiles.json: give the --out directory of kseg fit, sweep or profile");
  Profiles profiles = profiles_from_json(json_read(profiles_path), profiles_path);
  if (!args.segment_names.empty()) profiles_names_apply(profiles, names_file_read(args.segment_names));
  std::string sweep_path = args.sweep.empty() ? (fs::path(args.dir) / "sweep.json").string() : args.sweep;
  if (!args.sweep.empty() && fs::is_directory(sweep_path)) sweep_path = (fs::path(sweep_path) / "sweep.json").string();
  KSEG_EXPECTS(args.sweep.empty() || fs::exists(sweep_path), DataError, "--sweep: " + sweep_path + " does not exist");
  std::optional<SweepResult> sweep;
  if (fs::exists(sweep_path)) sweep = sweep_from_json(json_read(sweep_path), sweep_path);
  const std::string target = args.out.empty() ? (fs::path(args.dir) / "report.html").string() : args.out;
  // kseg compare's migration section, drawn into the report this replaces, is kept.
  const std::string migration = migration_section_kept(target, args.quiet, err);
  const std::string campaign = campaign_section_kept(target, args.quiet, err);  // kseg measure's, kept too
  // A tree model (fit --hierarchy) beside the profiles: its tree section too.
  const std::string model_path = (fs::path(args.dir) / "model.json").string();
  std::string tree;
  if (fs::exists(model_path)) {
    const Model model = model_load(model_path);
    if (model.tree) tree = tree_report_section(*model.tree, profiles, model.pipeline.feature_names());
  }
  report_write(target, {"kseg report " + args.dir, &profiles, sweep ? &*sweep : nullptr, migration, tree});
  if (!campaign.empty()) report_campaign_write(target, campaign);
  if (!args.quiet) out << "kseg: " << target << "\n";
  return 0;
}

}  // namespace kseg
