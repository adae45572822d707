#include "cli/cli_run.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "host/comm/communicator.hpp"
#include "host/error.hpp"
#include "host/output/segment_files.hpp"
#include "host/privacy/id_pseudonym.hpp"

namespace kseg {

namespace {

// "kseg frobnicate": CLI11 only says that a subcommand is required; name the word and the commands.
std::string unknown_command_message(const CLI::App& app, const std::vector<std::string>& args) {
  if (args.empty() || args[0].empty() || args[0][0] == '-') return "";
  std::string names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == args[0]) return "";
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return "unknown command \"" + args[0] + "\" (commands: " + names + ")";
}

// Resolves the --hash-ids key (file, else KSEG_HASH_KEY) and where id warnings go; UsageError on contradictions.
void id_export_resolve(IdExport& ids, bool quiet, std::ostream& err) {
  KSEG_EXPECTS(ids.hash_ids || ids.hash_key_file.empty(), UsageError,
               "--hash-key-file needs --hash-ids (without it ids are exported as read)");
  if (ids.hash_ids) ids.hash_key = hash_key_resolve(ids.hash_key_file, std::getenv("KSEG_HASH_KEY"));
  ids.warnings = quiet ? nullptr : &err;
}

// --threads (or OMP_NUM_THREADS) beyond what the machine can start: capped, with one notice. Only the parsed
// command's option can hold a value; the others hold 0 and are capped alike when OMP_NUM_THREADS is too large.
// Negative values are left to the command's own check.
void threads_cap_all(const std::vector<int*>& threads, bool quiet, std::ostream& err) {
  bool noticed = false;
  for (int* t : threads) {
    if (*t < 0) continue;
    const int capped = threads_cap(*t, quiet || noticed, err);
    noticed = noticed || capped != *t;
    *t = capped;
  }
}

}  // namespace

int cli_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return cli_run(args, out, err, single_process());
}

namespace {

// Every command's request, filled by CLI11 while it parses the command line.
struct CommandLine {
  FitRequest fit;
  bool fit_dry_run = false;
  AssignRequest assign;
  GenerateArgs generate;
  SchemaRequest schema;
  DoctorArgs doctor;
  SweepRequest sweep;
  ProfileRequest profile;
  ReportRequest report;
  CompareRequest compare;
  DriftRequest drift;
  UpdateRequest update;
  ProfileBuildArgs profile_build;
  MeasureArgs measure;
  PlanRequest plan;
};

void commands_register(CLI::App& app, CommandLine& c) {
  CLI::App* fit = app.add_subcommand("fit", "Segment users: prepare features, run K-means, write segment files");
  fit_command_register(*fit, c.fit, c.fit_dry_run);
  id_export_options_register(*fit, c.fit.ids);
  explain_options_register(*fit, c.fit.explain);
  CLI::App* assign = app.add_subcommand("assign", "Score users against a saved model (streaming)");
  assign_command_register(*assign, c.assign);
  id_export_options_register(*assign, c.assign.ids);
  generate_command_register(*app.add_subcommand("generate", "Write synthetic user profiles with planted segments"),
                            c.generate);
  schema_command_register(
      *app.add_subcommand("schema", "Show the role kseg infers for each column (id, numeric, categorical, ...)"),
      c.schema);
  doctor_command_register(
      *app.add_subcommand("doctor", "Build and device information; compares the GPU backend with the CPU backend"),
      c.doctor);
  sweep_command_register(
      *app.add_subcommand("sweep", "Choose k: fit a range of k with several seeds, metrics, a recommended k"), c.sweep);
  profile_command_register(
      *app.add_subcommand("profile",
                          "Profiles, personas and fairness audit of segments: profiles.csv/json, report.html"),
      c.profile);
  report_command_register(*app.add_subcommand("report", "Rewrite report.html from profiles.json (and sweep.json)"),
                          c.report);
  compare_command_register(*app.add_subcommand("compare", "Who moved between two segment files: migration, ARI, PSI"),
                           c.compare);
  drift_command_register(
      *app.add_subcommand("drift", "Drift of new users against a model's training population (PSI per feature)"),
      c.drift);
  update_command_register(
      *app.add_subcommand("update", "Mini-batch K-means update of a model with new users (streaming, stable ids)"),
      c.update);
  profile_build_command_register(
      *app.add_subcommand("profile-build", "User profiles (RFM, windows, category mix, time habits) from an event log"),
      c.profile_build);
  measure_command_register(
      *app.add_subcommand("measure", "Campaign results per segment: lift with intervals, corrected p, SRM, CUPED"),
      c.measure);
  plan_command_register(*app.add_subcommand("plan", "Users per group each segment needs to detect a relative lift"),
                        c.plan);
}

// run() with --threads applied to every OpenMP loop for its duration.
template <class Run>
int threads_limited(int threads, const Run& run) {
  const ThreadLimitScope scope(threads);
  return run();
}

// Runs the parsed command. fit, assign and profile-build are data-parallel (every MPI rank runs them); rank 0 runs
// the others.
int command_run(const std::string& name, CommandLine& c, std::ostream& out, std::ostream& err,
                const Communicator& comm) {
  c.fit.quiet = c.fit.quiet || comm.rank() != 0;  // one rank speaks for an MPI job
  c.assign.quiet = c.assign.quiet || comm.rank() != 0;
  threads_cap_all({&c.fit.device.threads, &c.assign.device.threads, &c.sweep.device.threads, &c.drift.device.threads,
                   &c.update.device.threads, &c.schema.threads, &c.profile.threads, &c.doctor.threads},
                  c.fit.quiet || c.assign.quiet || c.sweep.quiet || c.drift.quiet || c.update.quiet || c.profile.quiet,
                  err);
  if (name == "fit") {
    id_export_resolve(c.fit.ids, c.fit.quiet, err);
    const IdExportScope ids_scope(c.fit.ids);
    const ThreadLimitScope threads(c.fit.device.threads);
    return fit_command_run(c.fit, c.fit_dry_run, out, err, comm);
  }
  if (name == "assign") {
    id_export_resolve(c.assign.ids, c.assign.quiet, err);
    const IdExportScope ids_scope(c.assign.ids);
    const ThreadLimitScope threads(c.assign.device.threads);
    return assign_command_run(c.assign, out, err, comm);
  }
  if (name == "profile-build") return profile_build_command_run(c.profile_build, out, err, comm);
  if (comm.rank() != 0) return 0;
  if (name == "compare") return compare_command_run(c.compare, out, err);
  if (name == "measure") return measure_command_run(c.measure, out, err);
  if (name == "plan") return plan_command_run(c.plan, out, err);
  if (name == "drift")
    return threads_limited(c.drift.device.threads, [&] { return drift_command_run(c.drift, out, err); });
  if (name == "update")
    return threads_limited(c.update.device.threads, [&] { return update_command_run(c.update, out, err); });
  if (name == "sweep")
    return threads_limited(c.sweep.device.threads, [&] { return sweep_command_run(c.sweep, out, err); });
  if (name == "profile") return profile_command_run(c.profile, out, err);
  if (name == "report") return report_command_run(c.report, out, err);
  if (name == "generate") return generate_command_run(c.generate, out, err);
  if (name == "schema") return schema_command_run(c.schema, out, err);
  return doctor_command_run(c.doctor, out, err);
}

}  // namespace

int cli_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const Communicator& comm) {
  CLI::App app{"kseg: K-means segmentation of user profiles, on the GPU where there is one", "kseg"};
  app.set_version_flag("--version", std::string("kseg ") + KSEG_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  CommandLine commands;
  commands_register(app, commands);
  option_text_checks_attach(app);

  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();  // CLI11 delegates to the subcommand that asked for help
    return 0;
  } catch (const CLI::CallForVersion&) {
    out << "kseg " << KSEG_VERSION << "\n";
    return 0;
  } catch (const CLI::ConversionError& e) {
    err << "kseg: " << conversion_error_message(e.what()) << " (see kseg --help)\n";
    return 2;
  } catch (const CLI::ParseError& e) {
    const std::string unknown = unknown_command_message(app, args);
    err << "kseg: " << (unknown.empty() ? e.what() : unknown) << " (see kseg --help)\n";
    return 2;
  }
  try {
    return command_run(app.get_subcommands().front()->get_name(), commands, out, err, comm);
  } catch (const UsageError& e) {
    err << "kseg: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    err << "kseg: out of memory: the data or k·d is too large for this machine\n";
    return 1;
  } catch (const std::exception& e) {
    err << "kseg: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace kseg
