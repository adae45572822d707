#include "host/mpi/segments_gather.hpp"

#include <cstring>
#include <string>
#include <vector>

namespace kseg {
namespace {

template <class T>
void put(std::string& out, const T* values, size_t n) {
  out.append(reinterpret_cast<const char*>(values), n * sizeof(T));
}

template <class T>
void get(std::string_view in, size_t& at, T* values, size_t n) {
  std::memcpy(values, in.data() + at, n * sizeof(T));
  at += n * sizeof(T);
}

// n, first_row, numbered, labels, squared distances, then (numbered: nothing; raw: size and bytes of each id).
std::string rows_pack(const IdColumn& ids, int64_t first_row, const int32_t* labels, const float* sq_distances,
                      int64_t n) {
  std::string out;
  const int64_t header[3] = {n, first_row, ids.numbered() ? 1 : 0};
  put(out, header, 3);
  put(out, labels, static_cast<size_t>(n));
  put(out, sq_distances, static_cast<size_t>(n));
  if (!ids.numbered())
    for (int64_t i = 0; i < n; ++i) {
      const std::string_view raw = ids.raw(i);
      const uint64_t size = raw.size();
      put(out, &size, 1);
      out.append(raw);
    }
  return out;
}

void rows_unpack_append(std::string_view blob, SegmentsWriter& writer) {
  size_t at = 0;
  int64_t header[3];
  get(blob, at, header, 3);
  const int64_t n = header[0], first_row = header[1];
  std::vector<int32_t> labels(static_cast<size_t>(n));
  std::vector<float> sq_distances(static_cast<size_t>(n));
  get(blob, at, labels.data(), labels.size());
  get(blob, at, sq_distances.data(), sq_distances.size());
  if (header[2] != 0) {
    writer.rows_append(IdColumn::row_numbers(first_row + n), first_row, labels.data(), sq_distances.data(), n);
    return;
  }
  IdColumn ids;
  for (int64_t i = 0; i < n; ++i) {
    uint64_t size = 0;
    get(blob, at, &size, 1);
    ids.append(blob.substr(at, size));
    at += size;
  }
  writer.rows_append(ids, 0, labels.data(), sq_distances.data(), n);
}

}  // namespace

void segments_gather_append(const Communicator& comm, SegmentsWriter* writer, const IdColumn& ids, int64_t first_row,
                            const int32_t* labels, const float* sq_distances, int64_t n) {
  if (comm.size() == 1) {
    writer->rows_append(ids, 0, labels, sq_distances, n);
    return;
  }
  const std::string mine = comm.rank() == 0 ? std::string() : rows_pack(ids, first_row, labels, sq_distances, n);
  comm.root_collect(mine, [&](int rank, std::string_view blob) {
    if (rank == 0) {
      if (ids.numbered()) {
        writer->rows_append(IdColumn::row_numbers(first_row + n), first_row, labels, sq_distances, n);
      } else {
        writer->rows_append(ids, 0, labels, sq_distances, n);
      }
      return;
    }
    rows_unpack_append(blob, *writer);
  });
}

std::vector<RankTimings> rank_timings_gather(const Communicator& comm, const RankTimings& mine) {
  const std::vector<std::string> blobs =
      comm.allgather_bytes(std::string_view(reinterpret_cast<const char*>(&mine), sizeof(mine)));
  std::vector<RankTimings> all(blobs.size());
  for (size_t r = 0; r < blobs.size(); ++r) std::memcpy(&all[r], blobs[r].data(), sizeof(RankTimings));
  return all;
}

}  // namespace kseg
