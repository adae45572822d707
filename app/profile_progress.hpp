// Progress lines on stderr during a long profile build, as fit prints them (app/progress.hpp): while the log is read,
// at most one line a second (the first once a second has passed, so a small log prints none); then one line when the
// per-user features are being built, one when the table is written, and a summary. Nothing when quiet.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

#include "host/events/profile_build.hpp"

namespace kseg {

class ProfileProgressPrinter {
 public:
  // Seconds on a steady clock (a test passes a fake one); the default reads std::chrono::steady_clock.
  using Clock = std::function<double()>;

  // input: how the lines name the log. processes > 1 (MPI, the printer on rank 0): the reading lines count the
  // events rank 0 has read of its share, without a share of the whole log. The clock starts now.
  ProfileProgressPrinter(std::ostream& err, bool quiet, std::string input, int processes = 1, Clock clock = {});

  // The sink for ProfileBuildRequest::progress (empty when quiet, so the build reports nothing). The printer must
  // outlive the build.
  ProfileProgressSink sink();
  void report(const ProfileProgress& p);
  // Before the table is written to path.
  void writing(const ProfileBuildProducts& products, const std::string& path);
  // After the outputs are written: events, users, seconds and the rate of the whole build.
  void done(const ProfileBuildProducts& products);

 private:
  void reading_print(const ProfileProgress& p, double now);

  std::ostream& err_;
  bool quiet_;
  std::string input_;
  int processes_;
  Clock clock_;
  double start_ = 0.0;
  double last_ = 0.0;        // when the last reading line was printed (start_ before any)
  double built_from_ = 0.0;  // when the per-user phase began
};

}  // namespace kseg
