// The option groups of the application layer's requests, each declared once: a request (FitRequest, AssignRequest,
// ...) is made of the groups it takes, and every front end (the kseg program, the Python package, a C++ caller)
// fills the same fields. Defaults here are the documented defaults of every front end.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kseg {

class ArrowStreamReader;  // host/parquet/arrow_stream.hpp

// The user table a workflow reads: where it is and which columns play which role.
struct InputOptions {
  std::string path;                  // CSV (plain, .gz, .zst) with a header, or a 2-D .npy
  std::string id_column;             // "" = a column named id or user_id, else row numbers
  std::string weight_column;         // per-user sample weights, "" = none
  std::vector<std::string> columns;  // feature columns; empty = all but id and weight
  char delimiter = ',';
  // An in-memory table (an Arrow C stream, e.g. from the Python package) read instead of path; messages call it
  // "the table". One process only.
  std::shared_ptr<ArrowStreamReader> table;
};

// How user profiles are read and prepared (issue: mixed columns, gaps, heavy tails).
struct PreparationOptions {
  std::vector<std::string> categorical, numeric, ignore, audit, dates;
  std::string impute = "median";
  bool missing_indicators = false;
  std::string log = "auto";                  // auto | none | a,b
  std::vector<std::string> feature_weights;  // col=weight
  int max_levels = 50;
  std::string as_of;
  std::optional<std::string> na_values;  // --na-values a,b: missing-value spellings; unset: pandas' set and "-"
};

// The K-means parameters a user chooses (host/kmeans/params.hpp holds the backend-level KMeansParams).
struct KMeansOptions {
  int64_t k = 0;
  uint64_t seed = 42;
  int n_init = 1;
  int max_iter = 300;
  double tol = 1e-4;
  std::string init = "k-means++";  // k-means++, k-means||, random, or FILE.npy of k × d centroids in original units
};

// Where and how the computation runs.
struct DeviceOptions {
  std::string device = "auto";      // --device
  int threads = 0;                  // --threads for the CPU backend; 0 = all cores
  std::string precision = "fp32";   // --precision fp32|tf32 (CUDA)
  double gpu_memory_gb = 0.0;       // --gpu-memory budget in GiB; 0 = a safe fraction of free memory
  std::string algorithm = "lloyd";  // --algorithm lloyd|hamerly: the CPU backend's pass (CpuPassMode)
};

// Options of the explanation layer (profiles, personas, fairness audit, report) shared by fit, sweep and profile.
struct ExplainOptions {
  double audit_ratio = 0.8;      // --audit-ratio: flag a group below this × or above 1/this × its population share
  double audit_min_diff = 0.02;  // --audit-min-diff: ... and at least this far from it (0.02 = 2 points)
};

}  // namespace kseg
