#include "app/option_limits.hpp"

#include <omp.h>

#include <algorithm>
#include <ostream>
#include <thread>

#include "host/error.hpp"

namespace kseg {
namespace {

// "--x a": whether name is among list.
bool listed(const std::vector<std::string>& list, const std::string& name) {
  return !name.empty() && std::find(list.begin(), list.end(), name) != list.end();
}

}  // namespace

void count_limit_check(int64_t value, int64_t max, const std::string& option) {
  KSEG_EXPECTS(value <= max, UsageError,
               option + " is at most " + std::to_string(max) + " (got " + std::to_string(value) + ")");
}

void column_roles_validate(const ColumnRoleOptions& r) {
  struct Role {
    const char* option;
    std::vector<std::string> names;
  };
  const std::vector<Role> roles = {{"--id-column", {r.id_column}}, {"--weight-column", {r.weight_column}},
                                   {"--columns", r.columns},       {"--categorical", r.categorical},
                                   {"--numeric", r.numeric},       {"--date-columns", r.dates},
                                   {"--ignore", r.ignore},         {"--audit-columns", r.audit}};
  // Pairs of roles a column cannot hold at once (indices into roles): id and weight with everything; the forced
  // types with each other; --ignore with everything; --audit-columns with --columns (audit columns are not features).
  const auto clash = [](size_t a, size_t b) {
    if (a > b) std::swap(a, b);
    if (a <= 1 || b == 6) return true;
    if (a >= 3 && a <= 5 && b >= 3 && b <= 5) return true;
    return a == 2 && b == 7;
  };
  for (size_t a = 0; a < roles.size(); ++a)
    for (size_t b = a + 1; b < roles.size(); ++b) {
      if (!clash(a, b)) continue;
      for (const std::string& name : roles[a].names)
        KSEG_EXPECTS(!listed(roles[b].names, name), UsageError,
                     "column \"" + name + "\" is given two roles: " + roles[a].option + " and " + roles[b].option +
                         "; give each column one role");
    }
}

int threads_cap(int requested, bool quiet, std::ostream& err) {
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  const int cap = static_cast<int>(std::min<int64_t>(kThreadsPerCore * cores, 4096));
  const int wanted = requested > 0 ? requested : omp_get_max_threads();
  if (wanted <= cap) return requested;
  if (!quiet)
    err << "kseg: notice: " << (requested > 0 ? "--threads " : "OMP_NUM_THREADS ") << wanted << " is more than "
        << kThreadsPerCore << " × this machine's " << cores << " cores: using " << cap << " threads\n";
  return cap;
}

}  // namespace kseg
