// Progress lines on stderr during long fits: the first iteration, then at most one line a second, and the end.
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
};

}  // namespace kseg
