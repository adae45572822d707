// Progress lines on stderr during long fits: the first iteration, then at most one line a second whatever the
// number of restarts, and the end (one line per restart, or only the best one beyond 10 restarts).
#pragma once

#include <chrono>
#include <iosfwd>

#include "host/kmeans/params.hpp"

namespace kseg {

class ProgressPrinter {
 public:
  ProgressPrinter(std::ostream& err, bool quiet, int n_init);
  void iteration(int run, const IterationStats& stats);
  void done(const KMeansResult& result);

 private:
  std::ostream& err_;
  bool quiet_;
  int n_init_;
  std::chrono::steady_clock::time_point last_;
  bool printed_ = false;
};

}  // namespace kseg
