// Limits and consistency checks of request values, shared by every front end: counts with sane upper limits, one
// role per column, thread counts the machine can start.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace kseg {

// Upper limits of the counts users give (documented in the README): far above any useful value, low enough that
// a typing slip does not start a run of days or print millions of lines.
constexpr int64_t kNInitMax = 1000;       // --n-init
constexpr int64_t kMaxIterMax = 1000000;  // --max-iter
constexpr int64_t kEpochsMax = 10000;     // --epochs
constexpr int64_t kSeedsMax = 1000;       // sweep --seeds
constexpr int64_t kThreadsPerCore = 4;    // --threads / OMP_NUM_THREADS are capped at 4 × the cores

// UsageError "OPTION: at most MAX (got VALUE)" when value > max.
void count_limit_check(int64_t value, int64_t max, const std::string& option);

// The roles given to columns on the command line; UsageError naming both options when one column has two roles
// (--id-column a --weight-column a; the id column listed in --columns; a column both --categorical and --numeric).
struct ColumnRoleOptions {
  std::string id_column;
  std::string weight_column;
  std::vector<std::string> columns, categorical, numeric, dates, ignore, audit;
};
void column_roles_validate(const ColumnRoleOptions& roles);

// The thread count to use for --threads (0 = OpenMP's default, which OMP_NUM_THREADS sets): more than
// kThreadsPerCore × the cores is capped there, with one notice line on err unless quiet. Returns 0 when the default
// is within the limit.
int threads_cap(int requested, bool quiet, std::ostream& err);

}  // namespace kseg
