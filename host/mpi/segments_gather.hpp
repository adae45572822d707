// segments.csv from many processes: every rank's rows reach rank 0's writer in rank order, which is input order.
#pragma once

#include <cstdint>

#include "host/data/id_column.hpp"
#include "host/kmeans/communicator.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {

// Collective. Appends rows [0, n) of every rank (ids numbered from first_row when ids.numbered(), raw otherwise) to
// writer on rank 0, rank after rank; writer may be nullptr on the other ranks. Rank 0 holds one rank's rows at a
// time. One process appends its rows directly.
void segments_gather_append(const Communicator& comm, SegmentsWriter* writer, const IdColumn& ids, int64_t first_row,
                            const int32_t* labels, const float* sq_distances, int64_t n);

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
