// segments.csv from many processes: every rank's rows reach rank 0's writer in rank order, which is input order.
#pragma once

#include <cstdint>
#include <string>

#include "host/data/id_column.hpp"
#include "host/comm/communicator.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {

// Collective. Appends rows [0, n) of every rank (ids numbered from first_row when ids.numbered(), raw otherwise) to
// writer on rank 0, rank after rank; writer may be nullptr on the other ranks. Rank 0 holds one rank's rows at a
// time. One process appends its rows directly.
void segments_gather_append(const Communicator& comm, SegmentsWriter* writer, const IdColumn& ids, int64_t first_row,
                            const int32_t* labels, const float* sq_distances, int64_t n);

// --out-parts: segments.csv written by every rank at once, as DIR/segments.parts/segments.part-RRRRR-of-NNNNN.csv
// (rank R of N), each with the header and its rank's rows in input order, so that the parts in rank order, less the
// repeated headers, are the segments.csv rank 0 would gather. The set appears whole or not at all: the parts go into
// a fresh hidden directory DIR/.segments.parts.tmp.XXXXXX (made by rank 0, its name sent to every rank, so DIR must
// be on a file system all ranks see), each through its own temporary file; once every rank has written, rank 0
// publishes the directory by renaming it over DIR/segments.parts (a previous set is first renamed aside, then
// removed). A run that fails before publishing leaves the old set in place; what it leaves hidden,
// segments_parts_stale_remove removes.
class SegmentParts {
 public:
  // Collective: rank 0 makes the hidden directory.
  SegmentParts(const Communicator& comm, const std::string& dir);
  // Rank 0, unless published: removes the hidden directory. Never throws.
  ~SegmentParts();
  SegmentParts(const SegmentParts&) = delete;
  SegmentParts& operator=(const SegmentParts&) = delete;

  // Collective: writes this rank's rows (as segments_gather_append takes them) and returns once every rank has.
  void write(const IdColumn& ids, int64_t first_row, const int32_t* labels, const float* sq_distances, int64_t n);
  // Rank 0 (others: no-op): the set appears as DIR/segments.parts; a segments.csv of an earlier run is removed.
  void publish();
  // "DIR/segments.parts" and a part's file name.
  static std::string directory(const std::string& dir);
  static std::string part_name(int rank, int size);

 private:
  const Communicator& comm_;
  std::string dir_;
  std::string temp_;  // the hidden directory
  bool written_ = false;
  bool published_ = false;
};

// Removes the hidden directories an interrupted --out-parts run left in dir (".segments.parts.tmp.*",
// ".segments.parts.old.*"). Call on one rank only, before any rank writes.
void segments_parts_stale_remove(const std::string& dir);

// Removes dir's segments.parts set (its part files, then the directory if empty), after a run without --out-parts
// wrote segments.csv, so that the two never disagree.
void segments_parts_remove(const std::string& dir);

// Per-rank timings for summary.json: one entry per rank with its rows and the seconds it spent reading and
// preparing, computing (fit minus communication) and communicating. Collective.
struct RankTimings {
  int64_t rows = 0;
  double read = 0.0;
  double compute = 0.0;
  double communication = 0.0;
};
std::vector<RankTimings> rank_timings_gather(const Communicator& comm, const RankTimings& mine);

}  // namespace kseg
