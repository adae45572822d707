// Event logs in Parquet for kseg profile-build: only the columns the build needs, read one record batch at a time and
// handed over as typed arrays (no text round trip: integers, timestamps and amounts arrive as numbers). This header
// needs no Arrow; in a build without Parquet support the reader throws the UsageError that says how to get it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "host/comm/communicator.hpp"

namespace kseg {

// The columns to read (by name) from a Parquet file or a directory of parts.
struct ParquetEventColumns {
  std::string path;
  std::string user;               // string, dictionary of strings, or any integer type (read as its decimal text)
  std::string time;               // timestamp (any unit, any zone), date32, date64, or ISO 8601 text
  std::string amount;             // "" → none; any integer, floating or decimal type
  std::vector<std::string> text;  // string, dictionary of strings, or integer columns (category, --last, --mode)
  int threads = 0;                // Parquet: decoding threads (0: OpenMP's thread count)
  int64_t batch_rows = 0;         // Parquet: rows per record batch (0: 1 Mi)
};

// How the times of a batch are given.
enum class EventTimeKind {
  instant,  // time_value: whole seconds since 1970-01-01T00:00Z, rounded down
  date,     // time_value: days since 1970-01-01
  text,     // time_text: ISO 8601 text, parsed as a CSV cell is
};

// One record batch of the log as typed arrays, all n_rows long. A null user or time is a view without data
// (data() == nullptr) or time_value == kEventTimeNull; a null text cell is an empty view; a null amount is NaN. The
// user ids and amounts are read through user_at and amount_at: an Arrow string column without nulls and an Arrow
// double column without nulls are read in place (their buffers outlive the batch's use), not copied into user and
// amount (a copy per event, on the thread that folds for Arrow IPC).
struct ParquetEventBatch {
  static constexpr int64_t kEventTimeNull = INT64_MIN;
  std::string part;          // the file the batch comes from (for messages)
  int64_t row_in_part = 0;   // 0-based row of row 0 within part
  int64_t first_record = 0;  // 0-based row of row 0 within the whole input (all parts in order)
  int64_t n_rows = 0;
  int64_t rows_total = 0;  // rows of the whole input, where the reader knows them up front (progress); 0: not known
  std::vector<std::string_view> user;
  EventTimeKind time_kind = EventTimeKind::instant;
  std::vector<int64_t> time_value;          // instant or date
  std::vector<std::string_view> time_text;  // text
  // instant: the zone's fixed offset in minutes east of UTC (a "+02:00" zone: local time = UTC + 120 min), which sets
  // the local date and time of day as the same offset written in a CSV does; 0 without a zone, for "UTC" and for a
  // named zone (whose local times are taken in UTC).
  int32_t time_offset_minutes = 0;
  std::vector<double> amount;                       // empty when no amount column is read
  std::vector<std::vector<std::string_view>> text;  // per text column
  // Where the user or a text column is a dictionary of strings: text_hash (host/events/key_index.hpp) of each cell,
  // each dictionary entry hashed once per batch; empty for other columns (the parse hashes their cells).
  std::vector<uint64_t> user_hashes;
  std::vector<std::vector<uint64_t>> text_hashes;  // per text column
  std::vector<char> digits;  // where integer ids and texts are written as decimal text (the views point into it)
  // In place (Arrow): the user ids' n_rows + 1 offsets into user_bytes (user is then empty), the amounts (amount is
  // then empty); null: read user and amount.
  const int32_t* user_offsets = nullptr;
  const char* user_bytes = nullptr;
  const double* amount_values = nullptr;
  std::string_view user_at(int64_t r) const {
    const auto i = static_cast<size_t>(r);
    if (user_offsets == nullptr) return user[i];
    return std::string_view(user_bytes + user_offsets[i], static_cast<size_t>(user_offsets[i + 1] - user_offsets[i]));
  }
  double amount_at(int64_t r) const { return amount_values ? amount_values[r] : amount[static_cast<size_t>(r)]; }
};

// Reads the named columns of this process's share of the row groups (all of them in one process; rank r of N reads
// the groups [r·G/N, (r+1)·G/N)), in file order: fn(batch), on the calling thread. With columns.threads > 1, as many
// worker threads decode the row groups meanwhile, each its own row group (so decoding overlaps fn, and row groups
// decode in parallel), at most that many row groups ahead and two batches each: memory of a few batches per thread;
// with 1, the calling thread decodes between the calls. An error of a row group is thrown when its turn comes, after
// the batches before it. DataError naming the part, column and type for a type kseg cannot read, a column missing
// from a part, or an unreadable file.
void parquet_events_for_each(const ParquetEventColumns& columns, const Communicator& comm,
                             const std::function<void(const ParquetEventBatch&)>& fn);

}  // namespace kseg
