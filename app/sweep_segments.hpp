// Choosing k as a call: prepares the users once, fits every k of a range with several seeds on one backend (or one
// bisecting tree per seed, cut at every k), and returns the metrics, the recommended k and its segments in memory;
// writing sweep.csv, sweep.json and the recommended k's explanation files is one more call. The kseg sweep command,
// the Python package and C++ callers all run this.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "app/options.hpp"
#include "app/prepare_input.hpp"
#include "host/report/k_sweep.hpp"

namespace kseg {

class OutputSet;

struct SweepRequest {
  InputOptions input;
  PreparationOptions prep;
  std::string scale = "zscore";  // feature scaling: zscore, robust, minmax or none
  DeviceOptions device;
  ExplainOptions explain;
  std::string k_range = "2..12";          // the k to try: a range 2..12, a list 3,5,8, or one k
  int64_t sample = 20000;                 // rows in the silhouette sample (at least 3)
  int64_t fit_sample = 0;                 // fits on this many random rows (0 = all), judged on all rows
  int seeds = 3;                          // fits per k, seeds seed, seed + 1, ... (1 .. kSeedsMax)
  uint64_t seed = 42;                     // first fit seed, and the silhouette sample's seed
  int max_iter = 300;                     // Lloyd iterations per fit, at most (1 .. kMaxIterMax)
  double tol = 1e-4;                      // convergence tolerance, as fit's (finite, >= 0)
  double min_share = 0.02;                // the rule: smallest segment's share of users at least this, in [0, 1)
  double min_stability = 0.8;             // the rule: mean ARI between seeds at least this, in [-1, 1]
  bool hierarchy = false;                 // one bisecting tree per seed, cut at every k (no fit_sample)
  std::string split = "largest-inertia";  // with hierarchy: which leaf the tree splits next
  std::string out_dir = "sweep";          // where sweep_products_write puts the set (front ends' default)
  bool quiet = false;                     // no notices (progress, fallbacks) on the notices stream
};

// Every check of a request that needs no data, before any work (UsageError naming the option).
void sweep_request_validate(const SweepRequest& request);

// The sweep's SweepParams from a valid request.
SweepParams sweep_params_make(const SweepRequest& request);

struct SweepProducts {
  PreparedInput input;          // the users as read and prepared (table, pipeline, X)
  SweepResult result;           // one row per k, the recommendation
  std::vector<int32_t> labels;  // the recommended k's best fit: each user's centroid index
  std::string source;           // what produced the segments, in words, for report.html
  ExplainOptions explain;       // the request's, for the profiles written beside the sweep
};

// The recommended row of result.
const SweepRow& sweep_row_recommended(const SweepResult& result);

// Validates, reads and prepares request.input, runs the sweep and labels the users with the recommended k's best
// fit. Progress and notices go to notices unless request.quiet.
SweepProducts sweep_segments(const SweepRequest& request, std::ostream& notices);

// sweep.csv, sweep.json, profiles.csv, profiles.json and report.html of the recommended k, staged in set and
// published at once; the files listed on listing unless quiet.
void sweep_products_write(const SweepProducts& products, OutputSet& set, std::ostream& listing, bool quiet);
void sweep_products_write(const SweepProducts& products, const std::string& out_dir, std::ostream& listing, bool quiet);

}  // namespace kseg
