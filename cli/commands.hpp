// The kseg subcommands: each has an argument struct filled by CLI11, a register function that declares its
// options, and a run function that does the work (throwing UsageError / DataError, caught once in cli_run).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "app/backend_select.hpp"
#include "app/drift_measure.hpp"
#include "app/fit_segments.hpp"
#include "app/input_schema.hpp"
#include "app/model_update.hpp"
#include "app/options.hpp"
#include "app/segments_assign.hpp"
#include "app/report_contents.hpp"
#include "app/segment_files_compare.hpp"
#include "app/segments_profile.hpp"
#include "app/sweep_segments.hpp"
#include "host/campaign/measure.hpp"
#include "host/campaign/plan.hpp"
#include "host/comm/communicator.hpp"
#include "host/privacy/id_export.hpp"

namespace CLI {
class App;
}

namespace kseg {

struct GenerateArgs {
  int64_t users = 0;
  uint64_t seed = 42;
  bool with_truth = false;
  std::string out;
  bool quiet = false;
  double drift = 0.0;    // --drift: a later snapshot of the seed's users (persona changes, behaviour shifts)
  double churn = 0.0;    // --churn: share of users replaced by newcomers
  std::string events;    // --events FILE: also write an order log for these users
  std::string campaign;  // --campaign FILE.csv: a synthetic campaign on these users (planted effect by persona)
  // --events-per-user: the log's mean events per user with any (0: the users' own order counts)
  double events_per_user = 0.0;
};

struct DoctorArgs {
  int64_t users = 200000;
  int64_t k = 32;
  int threads = 0;
};

// kseg fit: the flags of a FitRequest (app/fit_segments.hpp), and --dry-run (print the inferred schema, stop).
void fit_command_register(CLI::App& app, FitRequest& request, bool& dry_run);
// comm: the processes of an mpirun job sharing the rows (each reads its slice; rank 0 writes the outputs).
int fit_command_run(const FitRequest& request, bool dry_run, std::ostream& out, std::ostream& err,
                    const Communicator& comm = single_process());

void assign_command_register(CLI::App& app, AssignRequest& request);
int assign_command_run(const AssignRequest& request, std::ostream& out, std::ostream& err,
                       const Communicator& comm = single_process());

void generate_command_register(CLI::App& app, GenerateArgs& args);
int generate_command_run(const GenerateArgs& args, std::ostream& out, std::ostream& err);

void schema_command_register(CLI::App& app, SchemaRequest& request);
int schema_command_run(const SchemaRequest& request, std::ostream& out, std::ostream& err);

void doctor_command_register(CLI::App& app, DoctorArgs& args);
int doctor_command_run(const DoctorArgs& args, std::ostream& out, std::ostream& err);

void sweep_command_register(CLI::App& app, SweepRequest& args);
int sweep_command_run(const SweepRequest& request, std::ostream& out, std::ostream& err);

void profile_command_register(CLI::App& app, ProfileRequest& args);
int profile_command_run(const ProfileRequest& request, std::ostream& out, std::ostream& err);

void report_command_register(CLI::App& app, ReportRequest& args);
int report_command_run(const ReportRequest& request, std::ostream& out, std::ostream& err);

// kseg profile-build: behavioural user profiles from an event log (host/events/profile_build.hpp). Empty strings and
// max_categories INT_MIN mean "not given" (the request's defaults, or the --spec's settings).
struct ProfileBuildArgs {
  std::string events;
  std::string out;
  std::string user_column, time_column, amount_column, category_column;
  std::string as_of;
  std::string windows;             // "7,30,90"
  int max_categories = INT32_MIN;  // INT32_MIN: not given (10)
  std::string category_share;      // "events" or "amount"; "" not given (events)
  std::vector<std::string> last, mode;
  bool rfm_scores = false;
  std::string families;  // "rfm,windows,categories,time"
  std::string spec;      // profile_build.json of an earlier build
  char delimiter = ',';
  int threads = 0;
  bool quiet = false;
};
void profile_build_command_register(CLI::App& app, ProfileBuildArgs& args);
int profile_build_command_run(const ProfileBuildArgs& args, std::ostream& out, std::ostream& err,
                              const Communicator& comm = single_process());

// Options of the explanation layer: --audit-ratio, --audit-min-diff.
void explain_options_register(CLI::App& app, ExplainOptions& args);

// Dynamic segmentation (issue 9): compare two segment files, drift of new users against a model, mini-batch update.
void compare_command_register(CLI::App& app, CompareRequest& args);
int compare_command_run(const CompareRequest& request, std::ostream& out, std::ostream& err);

void drift_command_register(CLI::App& app, DriftRequest& request);
int drift_command_run(const DriftRequest& request, std::ostream& out, std::ostream& err);

void update_command_register(CLI::App& app, UpdateRequest& request);
int update_command_run(const UpdateRequest& request, std::ostream& out, std::ostream& err);

// Campaign measurement: kseg measure (request in host/campaign/measure.hpp), kseg plan (host/campaign/plan.hpp).
struct MeasureArgs {
  MeasureRequest request;
  std::string out_dir;  // --out: default the directory of --segments
  bool quiet = false;
};

void measure_command_register(CLI::App& app, MeasureArgs& args);
int measure_command_run(const MeasureArgs& args, std::ostream& out, std::ostream& err);

void plan_command_register(CLI::App& app, PlanRequest& request);
int plan_command_run(const PlanRequest& request, std::ostream& out, std::ostream& err);

// Registers the preparation options on a command (--categorical, --numeric, --ignore, --audit-columns,
// --date-columns, --impute, --missing-indicators, --log, --feature-weight, --max-levels, --as-of, --na-values).
void preparation_options_register(CLI::App& app, PreparationOptions& args);

// Registers the table options of a command that fits (--id-column, --weight-column, --columns, --scale).
void table_options_register(CLI::App& app, std::string& id_column, std::string& weight_column,
                            std::vector<std::string>& columns, std::string& scale);

// Options every computing command shares: --device, --threads, --precision, --gpu-memory.
void device_options_register(CLI::App& app, DeviceOptions& options);

// Options of commands that export ids: --hash-ids, --hash-key-file (and a refusal of --hash-key).
void id_export_options_register(CLI::App& app, IdExport& ids);

}  // namespace kseg
