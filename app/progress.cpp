#include "app/progress.hpp"

#include <cstdio>
#include <ostream>

namespace kseg {

ProgressPrinter::ProgressPrinter(std::ostream& err, bool quiet, int n_init)
    : err_(err), quiet_(quiet), n_init_(n_init), last_(std::chrono::steady_clock::now()) {}

void ProgressPrinter::iteration(int run, const IterationStats& s) {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  // At most one line a second whatever the counts (--n-init 1000 restarts print no more than a long single run).
  if (printed_ && now - last_ < std::chrono::seconds(1)) return;
  printed_ = true;
  last_ = now;
  char line[256];
  std::snprintf(line, sizeof(line), "kseg: run %d/%d iteration %d: inertia %.6g, shift %.3g, %lld labels changed%s\n",
                run + 1, n_init_, s.iteration, s.objective, s.centroid_shift, static_cast<long long>(s.labels_changed),
                s.empty_repaired ? ", empty clusters repaired" : "");
  err_ << line;
}

void ProgressPrinter::done(const KMeansResult& result) {
  if (quiet_) return;
  // One line per restart up to kRunsListed restarts; beyond, the best one only.
  constexpr size_t kRunsListed = 10;
  for (size_t r = 0; r < result.runs.size(); ++r) {
    if (result.runs.size() > kRunsListed && static_cast<int>(r) != result.best_run) continue;
    const KMeansRun& run = result.runs[r];
    char line[256];
    std::snprintf(line, sizeof(line), "kseg: run %zu/%zu: %s after %d iterations, inertia %.8g%s\n", r + 1,
                  result.runs.size(), run.converged ? "converged" : "stopped at --max-iter", run.n_iter, run.inertia,
                  static_cast<int>(r) == result.best_run && result.runs.size() > 1 ? " (best)" : "");
    err_ << line;
  }
}

}  // namespace kseg
