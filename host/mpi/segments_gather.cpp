#include "host/mpi/segments_gather.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "host/comm/byte_pack.hpp"
#include "host/error.hpp"

namespace kseg {
namespace {

// n, first_row, numbered, labels, squared distances, then (numbered: nothing; raw: each id as a sized string).
std::string rows_pack(const IdColumn& ids, int64_t first_row, const int32_t* labels, const float* sq_distances,
                      int64_t n) {
  BytePacker out;
  out.put(n).put(first_row).put(int64_t{ids.numbered() ? 1 : 0});
  out.put_values(labels, static_cast<size_t>(n)).put_values(sq_distances, static_cast<size_t>(n));
  if (!ids.numbered())
    for (int64_t i = 0; i < n; ++i) out.put_string(ids.raw(i));
  return out.take();
}

void rows_unpack_append(std::string_view blob, SegmentsWriter& writer) {
  ByteUnpacker in(blob);
  const int64_t n = in.get<int64_t>();
  const int64_t first_row = in.get<int64_t>();
  const bool numbered = in.get<int64_t>() != 0;
  std::vector<int32_t> labels(static_cast<size_t>(n));
  std::vector<float> sq_distances(static_cast<size_t>(n));
  in.get_values(labels.data(), labels.size());
  in.get_values(sq_distances.data(), sq_distances.size());
  if (numbered) {
    writer.rows_append(IdColumn::row_numbers(first_row + n), first_row, labels.data(), sq_distances.data(), n);
    return;
  }
  IdColumn ids;
  for (int64_t i = 0; i < n; ++i) ids.append(in.get_string());
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

namespace fs = std::filesystem;

SegmentParts::SegmentParts(const Communicator& comm, const std::string& dir) : comm_(comm), dir_(dir) {
  std::string made;
  if (comm_.rank() == 0) {
    std::string pattern = (fs::path(dir_.empty() ? "." : dir_) / ".segments.parts.tmp.XXXXXX").string();
    // On failure every rank learns why (a name starting with NUL) and throws, so no rank waits for the others.
    made = mkdtemp(pattern.data()) ? pattern : std::string(1, '\0') + std::strerror(errno);
  }
  temp_ = comm_.allgather_bytes(made)[0];
  KSEG_EXPECTS(!temp_.empty() && temp_[0] != '\0', DataError,
               "cannot write " + directory(dir_) + ": " + (temp_.empty() ? std::string("?") : temp_.substr(1)));
}

SegmentParts::~SegmentParts() {
  if (comm_.rank() != 0 || published_ || !written_) return;  // before every rank has written, a rank may still be
  std::error_code ec;                                        // writing: the next run removes the directory
  fs::remove_all(temp_, ec);
}

std::string SegmentParts::directory(const std::string& dir) {
  return (fs::path(dir.empty() ? "." : dir) / "segments.parts").string();
}

std::string SegmentParts::part_name(int rank, int size) {
  char name[64];
  std::snprintf(name, sizeof(name), "segments.part-%05d-of-%05d.csv", rank, size);
  return name;
}

void SegmentParts::write(const IdColumn& ids, int64_t first_row, const int32_t* labels, const float* sq_distances,
                         int64_t n) {
  std::error_code ec;
  KSEG_EXPECTS(fs::is_directory(temp_, ec), DataError,
               "--out-parts: rank " + std::to_string(comm_.rank()) + " cannot see " + temp_ +
                   ", made by rank 0: every rank writes its part into --out, which must be on a file system all "
                   "ranks share");
  SegmentsWriter writer((fs::path(temp_) / part_name(comm_.rank(), comm_.size())).string());
  if (ids.numbered()) {
    writer.rows_append(IdColumn::row_numbers(first_row + n), first_row, labels, sq_distances, n);
  } else {
    writer.rows_append(ids, 0, labels, sq_distances, n);
  }
  writer.commit();
  comm_.total(int64_t{1});  // every rank has committed its part (a failed rank ends the job instead)
  written_ = true;
}

void SegmentParts::publish() {
  if (comm_.rank() != 0) return;
  KSEG_EXPECTS(written_, DataError, "segments.parts: publish before every part was written");
  const fs::path target = directory(dir_);
  std::error_code ec;
  fs::path old;
  // Where the file system can, the old set and the new one trade places in one step (renameat2 RENAME_EXCHANGE);
  // otherwise the old set is renamed aside first.
  if (fs::is_directory(target, ec) &&
      renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    published_ = true;
    fs::remove_all(temp_, ec);
    fs::remove(fs::path(dir_.empty() ? "." : dir_) / "segments.csv", ec);
    return;
  }
  if (fs::exists(target, ec)) {
    old = fs::path(temp_).parent_path() / (".segments.parts.old." + fs::path(temp_).extension().string().substr(1));
    fs::rename(target, old, ec);
    KSEG_EXPECTS(!ec, DataError, "cannot replace " + target.string() + ": " + ec.message());
  }
  fs::rename(temp_, target, ec);
  KSEG_EXPECTS(!ec, DataError, "cannot write " + target.string() + ": " + ec.message());
  published_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
  fs::remove(fs::path(dir_.empty() ? "." : dir_) / "segments.csv", ec);
}

void segments_parts_stale_remove(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir.empty() ? "." : dir, ec)) {
    const std::string name = entry.path().filename().string();
    if ((name.rfind(".segments.parts.tmp.", 0) == 0 || name.rfind(".segments.parts.old.", 0) == 0) &&
        entry.is_directory(ec))
      fs::remove_all(entry.path(), ec);
  }
}

void segments_parts_remove(const std::string& dir) {
  const fs::path parts = SegmentParts::directory(dir);
  std::error_code ec;
  if (!fs::is_directory(parts, ec)) return;
  for (const auto& entry : fs::directory_iterator(parts, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("segments.part-", 0) == 0 && entry.is_regular_file(ec)) fs::remove(entry.path(), ec);
  }
  fs::remove(parts, ec);  // only when empty
}

std::vector<RankTimings> rank_timings_gather(const Communicator& comm, const RankTimings& mine) {
  return values_allgather(comm, mine);
}

}  // namespace kseg
