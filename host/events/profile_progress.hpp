// What a profile build reports while it works, for a front end's progress lines (app/profile_progress.hpp prints
// them). The readers report once per batch handed to the fold, on the calling thread, never inside an OpenMP region.
#pragma once

#include <cstdint>
#include <functional>

namespace kseg {

struct ProfileProgress {
  enum class Stage {
    reading,   // a batch of events has been read and folded
    building,  // the log is read: the per-user features are being built
  };
  Stage stage = Stage::reading;
  int64_t events = 0;  // events (data records) this process has read so far, those after --as-of included
  // How far the reading is: bytes of a CSV file read (a plain file: up to the end of the batch; a gzip or Zstandard
  // file: the compressed bytes), rows of a columnar input; -1 when not known (under MPI).
  int64_t done = -1;
  int64_t total = 0;  // the input's bytes or rows; 0 (or less) when not known
  bool rows = false;  // done and total count rows, not bytes
  int64_t users = 0;  // building: the users this process aggregated
};

// Called with each report; unset: nothing is reported (and nothing costs).
using ProfileProgressSink = std::function<void(const ProfileProgress&)>;

// A reading report to sink, when it is set (the readers' one line per batch).
inline void progress_reading_report(const ProfileProgressSink& sink, int64_t events, int64_t done, int64_t total,
                                    bool rows) {
  if (sink) sink({ProfileProgress::Stage::reading, events, done, total, rows, 0});
}

}  // namespace kseg
