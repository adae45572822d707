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

int cli_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const Communicator& comm) {
  CLI::App app{"kseg: K-means segmentation of user profiles, on the GPU where there is one", "kseg"};
  app.set_version_flag("--version", std::string("kseg ") + KSEG_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  FitRequest fit;
  bool fit_dry_run = false;
  CLI::App* fit_cmd = app.add_subcommand("fit", "Segment users: prepare features, run K-means, write segment files");
  fit_command_register(*fit_cmd, fit, fit_dry_run);
  id_export_options_register(*fit_cmd, fit.ids);
  AssignRequest assign;
  CLI::App* assign_cmd = app.add_subcommand("assign", "Score users against a saved model (streaming)");
  assign_command_register(*assign_cmd, assign);
  id_export_options_register(*assign_cmd, assign.ids);
  GenerateArgs generate;
  CLI::App* generate_cmd = app.add_subcommand("generate", "Write synthetic user profiles with planted segments");
  generate_command_register(*generate_cmd, generate);
  SchemaRequest schema;
  CLI::App* schema_cmd =
      app.add_subcommand("schema", "Show the role kseg infers for each column (id, numeric, categorical, ...)");
  schema_command_register(*schema_cmd, schema);
  DoctorArgs doctor;
  CLI::App* doctor_cmd =
      app.add_subcommand("doctor", "Build and device information; compares the GPU backend with the CPU backend");
  doctor_command_register(*doctor_cmd, doctor);
  SweepRequest sweep;
  CLI::App* sweep_cmd =
      app.add_subcommand("sweep", "Choose k: fit a range of k with several seeds, metrics, a recommended k");
  sweep_command_register(*sweep_cmd, sweep);
  ProfileRequest profile;
  CLI::App* profile_cmd = app.add_subcommand(
      "profile", "Profiles, personas and fairness audit of segments: profiles.csv/json, report.html");
  profile_command_register(*profile_cmd, profile);
  ReportRequest report;
  CLI::App* report_cmd = app.add_subcommand("report", "Rewrite report.html from profiles.json (and sweep.json)");
  report_command_register(*report_cmd, report);
  explain_options_register(*fit_cmd, fit.explain);

  CompareRequest compare;
  CLI::App* compare_cmd = app.add_subcommand("compare", "Who moved between two segment files: migration, ARI, PSI");
  compare_command_register(*compare_cmd, compare);
  DriftRequest drift;
  CLI::App* drift_cmd =
      app.add_subcommand("drift", "Drift of new users against a model's training population (PSI per feature)");
  drift_command_register(*drift_cmd, drift);
  UpdateRequest update;
  CLI::App* update_cmd =
      app.add_subcommand("update", "Mini-batch K-means update of a model with new users (streaming, stable ids)");
  update_command_register(*update_cmd, update);

  ProfileBuildArgs profile_build;
  CLI::App* profile_build_cmd =
      app.add_subcommand("profile-build", "User profiles (RFM, windows, category mix, time habits) from an event log");
  profile_build_command_register(*profile_build_cmd, profile_build);
  MeasureArgs measure;
  CLI::App* measure_cmd =
      app.add_subcommand("measure", "Campaign results per segment: lift with intervals, corrected p, SRM, CUPED");
  measure_command_register(*measure_cmd, measure);
  PlanRequest plan;
  CLI::App* plan_cmd = app.add_subcommand("plan", "Users per group each segment needs to detect a relative lift");
  plan_command_register(*plan_cmd, plan);
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
    fit.quiet = fit.quiet || comm.rank() != 0;  // one rank speaks for an MPI job
    assign.quiet = assign.quiet || comm.rank() != 0;
    threads_cap_all({&fit.device.threads, &assign.device.threads, &sweep.device.threads, &drift.device.threads,
                     &update.device.threads, &schema.threads, &profile.threads, &doctor.threads},
                    fit.quiet || assign.quiet || sweep.quiet || drift.quiet || update.quiet || profile.quiet, err);
    if (fit_cmd->parsed()) {
      id_export_resolve(fit.ids, fit.quiet, err);
      const IdExportScope ids_scope(fit.ids);
      const ThreadLimitScope threads(fit.device.threads);
      return fit_command_run(fit, fit_dry_run, out, err, comm);
    }
    if (assign_cmd->parsed()) {
      id_export_resolve(assign.ids, assign.quiet, err);
      const IdExportScope ids_scope(assign.ids);
      const ThreadLimitScope threads(assign.device.threads);
      return assign_command_run(assign, out, err, comm);
    }
    if (profile_build_cmd->parsed()) return profile_build_command_run(profile_build, out, err, comm);
    if (comm.rank() != 0) return 0;  // the other commands are not data-parallel: rank 0 runs them
    if (compare_cmd->parsed()) return compare_command_run(compare, out, err);
    if (measure_cmd->parsed()) return measure_command_run(measure, out, err);
    if (plan_cmd->parsed()) return plan_command_run(plan, out, err);
    if (drift_cmd->parsed()) {
      const ThreadLimitScope threads(drift.device.threads);
      return drift_command_run(drift, out, err);
    }
    if (update_cmd->parsed()) {
      const ThreadLimitScope threads(update.device.threads);
      return update_command_run(update, out, err);
    }
    if (sweep_cmd->parsed()) {
      const ThreadLimitScope threads(sweep.device.threads);
      return sweep_command_run(sweep, out, err);
    }
    if (profile_cmd->parsed()) return profile_command_run(profile, out, err);
    if (report_cmd->parsed()) return report_command_run(report, out, err);
    if (generate_cmd->parsed()) return generate_command_run(generate, out, err);
    if (schema_cmd->parsed()) return schema_command_run(schema, out, err);
    return doctor_command_run(doctor, out, err);
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
