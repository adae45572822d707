// profile-build's columnar event logs: Parquet (a file or a directory of parts) and Arrow IPC files (Feather v2: a
// file or a directory of parts), recognised and read through one entry that hands over typed batches
// (ParquetEventBatch). This header needs no Arrow; in a build without Arrow the readers throw the UsageError that says
// how to get support.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "host/comm/communicator.hpp"
#include "host/parquet/parquet_events.hpp"

namespace kseg {

// True for an Arrow IPC input: a regular file that starts and ends with the magic "ARROW1" or is named *.arrow,
// *.feather or *.ipc (so a damaged one is reported as such), or a directory holding such parts and no *.parquet.
// Needs no Arrow.
bool ipc_input_is(const std::string& path);

// The files of an Arrow IPC input in reading order: the file itself, or a directory's *.arrow, *.feather and *.ipc
// files in sorted name order (_SUCCESS, dot files and other names skipped). DataError when a directory holds none.
std::vector<std::string> ipc_parts_list(const std::string& path);

// True for a directory of NumPy columns (DIR/<column>.npy) holding no Parquet or Arrow IPC parts. Needs no Arrow.
bool npy_events_input_is(const std::string& path);

// The columns of a directory of .npy columns: the files' names without ".npy", sorted.
std::vector<std::string> npy_events_column_names(const std::string& path);

// A directory of .npy columns (npy_events.cpp, no Arrow): each 1-D column memory-mapped and read in batches of 1 Mi
// rows, shared out among processes as record batches are; user ids and text columns as integers (i1..i8, u1..u8; their
// decimal text), byte strings 'S' (read in place, NUL padding removed) or unicode 'U' (as UTF-8); times as
// datetime64[s|ms|us|ns] (instants in UTC), datetime64[D] (dates) or ISO 8601 strings, NaT = null; amounts as integers
// or floats, NaN = missing. DataError naming the file for a dtype it cannot read, columns of different lengths or a
// damaged file.
void npy_events_for_each(const ParquetEventColumns& columns, const Communicator& comm,
                         const std::function<void(const ParquetEventBatch&)>& fn);

// True for any columnar event log (a directory of .npy columns, Arrow IPC or Parquet).
bool columnar_events_input_is(const std::string& path);

// The column names of a columnar event log, in file order (the first part's schema).
std::vector<std::string> columnar_events_column_names(const std::string& path);

// Reads the named columns of a columnar event log (.npy columns, Arrow IPC or Parquet), this process's share, in order:
// fn(batch). See parquet_events_for_each; Arrow IPC files share out their record batches as Parquet its row groups.
void columnar_events_for_each(const ParquetEventColumns& columns, const Communicator& comm,
                              const std::function<void(const ParquetEventBatch&)>& fn);

// Arrow IPC only (ipc_events.cpp; in a build without Arrow, ipc_events_missing.cpp refuses with how to get support).
// The first part's column names.
std::vector<std::string> ipc_column_names(const std::string& path);

// Arrow IPC only: the parts memory-mapped, the named columns of each record batch read in place where its buffers are
// uncompressed, and only theirs decompressed where they are LZ4 or ZSTD; rank r of N reads the record batches
// [r·B/N, (r+1)·B/N) of all B batches in order. DataError naming the part (and the column and type) for an
// unreadable file, a missing column, or a type profile-build cannot read.
void ipc_events_for_each(const ParquetEventColumns& columns, const Communicator& comm,
                         const std::function<void(const ParquetEventBatch&)>& fn);

}  // namespace kseg
