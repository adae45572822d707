// The kseg subcommands: each has an argument struct filled by CLI11, a register function that declares its
// options, and a run function that does the work (throwing UsageError / DataError, caught once in cli_run).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "app/backend_select.hpp"
#include "app/options.hpp"
#include "host/campaign/measure.hpp"
#include "host/campaign/plan.hpp"
#include "host/comm/communicator.hpp"
#include "host/privacy/id_export.hpp"

namespace CLI {
class App;
}

namespace kseg {

struct SchemaArgs {
  std::string input;
  std::string id_column;
  std::string weight_column;
  std::vector<std::string> columns;
  char delimiter = ',';
  int threads = 0;
  PreparationOptions prep;
};

struct FitArgs {
  std::string input;
  int64_t k = 0;
  std::string out_dir = "segments";
  uint64_t seed = 42;
  int n_init = 1;
  int max_iter = 300;
  double tol = 1e-4;
  std::string init = "k-means++";
  std::string id_column;
  std::string weight_column;
  std::vector<std::string> columns;
  std::string scale = "zscore";
  char delimiter = ',';
  DeviceOptions device;
  bool quiet = false;
  IdExport ids;  // --hash-ids, --hash-key-file, warnings about ids
  PreparationOptions prep;
  bool dry_run = false;
  ExplainOptions explain;     // profiles.csv, profiles.json, report.html
  std::string warm_start;     // --warm-start OLD/model.json: start from its centroids, keep its segment ids
  std::string match_ids;      // --match-ids OLD/model.json: fresh fit, then keep its segment ids by matching
  std::string segment_names;  // --segment-names FILE.csv: segment,name
  bool out_parts = false;     // --out-parts: each rank writes its part of segments.csv (OUT/segments.parts/)
  bool hierarchy = false;     // --hierarchy: bisecting K-means tree (host/kmeans/bisecting_fit.hpp)
  std::string split = "largest-inertia";  // --split: which leaf the tree splits next
  double min_size = 0.0;                  // --min-size: smallest segment (users, or weight), 0 = none
  double min_share = 0.0;                 // --min-share: smallest segment as a share of all users, 0 = none
  bool with_path = false;                 // --with-path: segments.csv gets each user's path in the tree
};

struct AssignArgs {
  std::string input;
  std::string assign_mode = "tree";  // --assign for tree models: tree (walk from the root) or nearest-leaf
  std::string model;
  std::string out = "assigned.csv";
  char delimiter = ',';
  int64_t batch_rows = 1 << 17;  // .npy rows per batch: buffers stay small and are reused
  DeviceOptions device;
  bool quiet = false;
  IdExport ids;
};

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
};

struct DoctorArgs {
  int64_t users = 200000;
  int64_t k = 32;
  int threads = 0;
};

struct SweepArgs {
  std::string input;
  std::string k_range = "2..12";  // --k: 2..12, 3,5,8
  int64_t sample = 20000;         // --sample: rows in the silhouette sample
  int64_t fit_sample = 0;         // --fit-sample: fits on this many random rows (0 = all), judged on all rows
  int seeds = 3;                  // --seeds: fits per k
  uint64_t seed = 42;             // --seed: first fit seed, and the sample's seed
  int max_iter = 300;
  double tol = 1e-4;
  double min_share = 0.02;     // --min-share
  double min_stability = 0.8;  // --min-stability
  std::string out_dir = "sweep";
  std::string id_column;
  std::string weight_column;
  std::vector<std::string> columns;
  std::string scale = "zscore";
  char delimiter = ',';
  DeviceOptions device;
  bool quiet = false;
  PreparationOptions prep;
  ExplainOptions explain;
  bool hierarchy = false;                 // --hierarchy: one bisecting tree per seed, cut at every k
  std::string split = "largest-inertia";  // --split, as kseg fit's
};

struct ProfileArgs {
  std::string input;
  std::string model;
  std::string segments;
  std::string out_dir;  // default: the directory of --segments
  std::string segment_names;
  std::string weight_column;
  std::vector<std::string> audit;
  char delimiter = ',';
  int threads = 0;
  bool quiet = false;
  ExplainOptions explain;
};

struct ReportArgs {
  std::string dir;            // holds profiles.json (and sweep.json)
  std::string sweep;          // --sweep DIR or FILE: sweep.json from elsewhere
  std::string segment_names;  // --segment-names FILE
  std::string out;            // default DIR/report.html
  bool quiet = false;
};

void fit_command_register(CLI::App& app, FitArgs& args);
// comm: the processes of an mpirun job sharing the rows (each reads its slice; rank 0 writes the outputs).
int fit_command_run(const FitArgs& args, std::ostream& out, std::ostream& err,
                    const Communicator& comm = single_process());

void assign_command_register(CLI::App& app, AssignArgs& args);
int assign_command_run(const AssignArgs& args, std::ostream& out, std::ostream& err,
                       const Communicator& comm = single_process());

void generate_command_register(CLI::App& app, GenerateArgs& args);
int generate_command_run(const GenerateArgs& args, std::ostream& out, std::ostream& err);

void schema_command_register(CLI::App& app, SchemaArgs& args);
int schema_command_run(const SchemaArgs& args, std::ostream& out, std::ostream& err);

void doctor_command_register(CLI::App& app, DoctorArgs& args);
int doctor_command_run(const DoctorArgs& args, std::ostream& out, std::ostream& err);

void sweep_command_register(CLI::App& app, SweepArgs& args);
int sweep_command_run(const SweepArgs& args, std::ostream& out, std::ostream& err);

void profile_command_register(CLI::App& app, ProfileArgs& args);
int profile_command_run(const ProfileArgs& args, std::ostream& out, std::ostream& err);

void report_command_register(CLI::App& app, ReportArgs& args);
int report_command_run(const ReportArgs& args, std::ostream& out, std::ostream& err);

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
struct CompareArgs {
  std::string before;  // OLD_SEGMENTS
  std::string after;   // NEW_SEGMENTS
  std::string out_dir = "compare";
  char delimiter = ',';
  bool quiet = false;
};

struct DriftArgs {
  std::string input;
  std::string model;
  std::string out;                  // --out FILE.json (optional)
  double psi_threshold = 0.25;      // --psi-threshold: a feature or the segment mix at or above it → refit
  double distance_threshold = 0.2;  // --distance-threshold: relative rise of the mean distance → refit
  char delimiter = ',';
  int64_t batch_rows = 1 << 20;
  DeviceOptions device;
  bool quiet = false;
};

struct UpdateArgs {
  std::string input;
  std::string model;
  std::string out_dir = "updated";
  int64_t batch_size = 1024;         // --batch-size: rows per mini-batch (scikit-learn's default)
  int epochs = 1;                    // --epochs: passes over the input
  double reassignment_ratio = 0.01;  // --reassignment-ratio
  double memory = 1.0;               // --memory: counts start at memory × the model's segment sizes
  uint64_t seed = 42;
  char delimiter = ',';
  DeviceOptions device;
  bool quiet = false;
};

void compare_command_register(CLI::App& app, CompareArgs& args);
int compare_command_run(const CompareArgs& args, std::ostream& out, std::ostream& err);

void drift_command_register(CLI::App& app, DriftArgs& args);
int drift_command_run(const DriftArgs& args, std::ostream& out, std::ostream& err);

void update_command_register(CLI::App& app, UpdateArgs& args);
int update_command_run(const UpdateArgs& args, std::ostream& out, std::ostream& err);

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
