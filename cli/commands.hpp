// The kseg subcommands: each has an argument struct filled by CLI11, a register function that declares its
// options, and a run function that does the work (throwing UsageError / DataError, caught once in cli_run).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/backend_select.hpp"
#include "host/privacy/id_export.hpp"

namespace CLI {
class App;
}

namespace kseg {

// How user profiles are read and prepared (issue: mixed columns, gaps, heavy tails).
struct PreparationArgs {
  std::vector<std::string> categorical, numeric, ignore, audit, dates;
  std::string impute = "median";
  bool missing_indicators = false;
  std::string log = "auto";  // auto | none | a,b
  std::vector<std::string> feature_weights;  // col=weight
  int max_levels = 50;
  std::string as_of;
};

struct SchemaArgs {
  std::string input;
  std::string id_column;
  std::string weight_column;
  std::vector<std::string> columns;
  char delimiter = ',';
  int threads = 0;
  PreparationArgs prep;
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
  PreparationArgs prep;
  bool dry_run = false;
};

struct AssignArgs {
  std::string input;
  std::string model;
  std::string out = "assigned.csv";
  char delimiter = ',';
  int64_t batch_rows = 1 << 20;
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
};

struct DoctorArgs {
  int64_t users = 200000;
  int64_t k = 32;
  int threads = 0;
};

void fit_command_register(CLI::App& app, FitArgs& args);
int fit_command_run(const FitArgs& args, std::ostream& out, std::ostream& err);

void assign_command_register(CLI::App& app, AssignArgs& args);
int assign_command_run(const AssignArgs& args, std::ostream& out, std::ostream& err);

void generate_command_register(CLI::App& app, GenerateArgs& args);
int generate_command_run(const GenerateArgs& args, std::ostream& out, std::ostream& err);

void schema_command_register(CLI::App& app, SchemaArgs& args);
int schema_command_run(const SchemaArgs& args, std::ostream& out, std::ostream& err);

void doctor_command_register(CLI::App& app, DoctorArgs& args);
int doctor_command_run(const DoctorArgs& args, std::ostream& out, std::ostream& err);

// Options every computing command shares: --device, --threads, --precision, --gpu-memory.
void device_options_register(CLI::App& app, DeviceOptions& options);

// Options of commands that export ids: --hash-ids, --hash-key-file (and a refusal of --hash-key).
void id_export_options_register(CLI::App& app, IdExport& ids);

}  // namespace kseg
