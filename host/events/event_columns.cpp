#include "host/events/event_columns.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "host/data/missing_values.hpp"
#include "host/error.hpp"
#include "host/events/event_fold.hpp"
#include "host/parquet/arrow_stream.hpp"
#include "host/parquet/columnar_events.hpp"

namespace kseg {

namespace {

DataError cell_problem(const ParquetEventBatch& b, int64_t r, const std::string& column, const std::string& problem) {
  return DataError(b.part + ": row " + std::to_string(b.row_in_part + r + 1) + ": column \"" + column +
                   "\": " + problem);
}

[[noreturn]] void cell_error(const ParquetEventBatch& b, int64_t r, const std::string& column,
                             const std::string& problem) {
  throw cell_problem(b, r, column, problem);
}

// Events given as views, by record (see event_fold.hpp): a Parquet batch's columns, or events received from ranks.
struct ViewEvents {
  const std::string_view* users = nullptr;               // the user ids by record, where there is no batch
  const std::vector<std::string_view>* texts = nullptr;  // per text column, by record
  int64_t first_record = 0;
  const int64_t* record_of = nullptr;        // the records' places in the log; none: first_record + r
  int64_t text_offset = 0;                   // record r's text cells are texts[k][text_offset + r]
  const ParquetEventBatch* batch = nullptr;  // the batch read (for messages); none: events received from ranks
  const std::string* user_column = nullptr;
  std::string_view user(int64_t r) const { return batch ? batch->user_at(r) : users[r]; }
  std::string_view text(int64_t r, size_t k) const { return texts[k][static_cast<size_t>(text_offset + r)]; }
  int64_t record(int64_t r) const { return record_of ? record_of[r] : first_record + r; }
  std::exception_ptr user_error(int64_t r, const std::string& problem) const {
    // Received events had their ids checked by the rank that read them; this is for completeness.
    if (!batch) return std::make_exception_ptr(DataError("user id: " + problem));
    return std::make_exception_ptr(cell_problem(*batch, r, *user_column, problem));
  }
};

// The time of record r of a Parquet batch.
void time_convert(const ProfileBuildRequest& req, const ParquetEventBatch& b, int64_t r, EventTime& t,
                  EventDateCache& dates) {
  const auto i = static_cast<size_t>(r);
  if (b.time_kind == EventTimeKind::text) {
    const std::string_view text = b.time_text[i];
    if (text.data() == nullptr) cell_error(b, r, req.time_column, "no time (null)");
    if (!event_time_parse(text, t, dates))
      cell_error(b, r, req.time_column,
                 "\"" + std::string(text) +
                     "\" is not an ISO 8601 date or timestamp (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])");
    return;
  }
  const int64_t v = b.time_value[i];
  if (v == ParquetEventBatch::kEventTimeNull) cell_error(b, r, req.time_column, "no time (null)");
  if (b.time_kind == EventTimeKind::date) {
    if (v < -(int64_t{1} << 30) || v >= (int64_t{1} << 30))
      cell_error(b, r, req.time_column, "the date is out of range");
    t = {v * 86400, static_cast<int32_t>(v), static_cast<int32_t>(v), -1};
    return;
  }
  constexpr int64_t kLimit = int64_t{1} << 45;  // seconds: far beyond any day an int32 counts
  if (v < -kLimit || v > kLimit) cell_error(b, r, req.time_column, "the timestamp is out of range");
  const int64_t local = v + int64_t{b.time_offset_minutes} * 60;
  const int64_t local_day = (local >= 0 ? local : local - 86399) / 86400;
  t.utc_seconds = v;
  t.utc_day = static_cast<int32_t>((v >= 0 ? v : v - 86399) / 86400);
  t.local_day = static_cast<int32_t>(local_day);
  t.local_minute = static_cast<int16_t>((local - local_day * 86400) / 60);
}

// Row r of a Parquet batch into its partition's bucket (or left out, after as_of_day), as record_parse does for CSV.
void row_parse(const ProfileBuildRequest& req, const LogColumns& cols, const ParquetEventBatch& b, int64_t r,
               int32_t as_of_day, bool check_ids, ParsedBatch& p, std::vector<EventRow>* buckets, ChunkFacts& facts,
               EventDateCache& dates) {
  const auto i = static_cast<size_t>(r);
  const bool amounts = cols.amount >= 0;
  const std::string_view user = b.user_at(r);
  if (user.data() == nullptr) cell_error(b, r, req.user_column, "no user id (null)");
  if (check_ids) {
    const std::string problem = user_id_problem(user, p.missing);
    if (!problem.empty()) cell_error(b, r, req.user_column, problem);
  }
  EventTime t;
  time_convert(req, b, r, t, dates);
  EventRow row;
  row.amount = amounts ? b.amount_at(r) : std::numeric_limits<double>::quiet_NaN();
  if (std::fabs(row.amount) > kAmountLimit) cell_error(b, r, req.amount_column, amount_value_problem(row.amount));
  if (t.utc_day > as_of_day) {
    const std::string problem = user_id_problem(user, p.missing);
    if (!problem.empty()) cell_error(b, r, req.user_column, problem);
    ++facts.after_as_of;
    return;
  }
  row.record = static_cast<int32_t>(r);
  row.time_set(t);
  row.id_set(user);
  const size_t n_text = cols.text.size();
  for (size_t k = 0; k < n_text; ++k)  // a dictionary column's cells come hashed (each entry once)
    p.text_hash[i * n_text + k] =
        k < b.text_hashes.size() && !b.text_hashes[k].empty() ? b.text_hashes[k][i] : text_hash(b.text[k][i]);
  facts.keep(row, t, b.user_hashes.empty() ? text_hash(user) : b.user_hashes[i], amounts, buckets);
}

// Rows [begin, end) into the chunk's buckets; stops at the first bad row, kept in facts.failure (an id error before
// any other of its row's).
void rows_parse(const ProfileBuildRequest& req, const LogColumns& cols, const ParquetEventBatch& b, int64_t begin,
                int64_t end, int32_t as_of_day, bool check_ids, ParsedBatch& p, std::vector<EventRow>* buckets,
                ChunkFacts& facts) {
  for (int q = 0; q < kEventPartitions; ++q) buckets[q].clear();
  int64_t r = begin;
  EventDateCache dates;
  try {
    for (; r < end; ++r) row_parse(req, cols, b, r, as_of_day, check_ids, p, buckets, facts, dates);
  } catch (const DataError&) {
    const std::string_view user = b.user_at(r);
    const std::string problem = user.data() == nullptr ? std::string() : user_id_problem(user, p.missing);
    facts.failure.take(r, problem.empty() ? std::current_exception()
                                          : std::make_exception_ptr(cell_problem(b, r, req.user_column, problem)));
  }
}

ChunkFacts batch_parse(const ProfileBuildRequest& req, const LogColumns& cols, const ParquetEventBatch& b,
                       int64_t begin, int64_t end, int threads, int32_t as_of_day, bool check_ids, ParsedBatch& p) {
  const int64_t n = end - begin;
  const int64_t n_chunks = std::max<int64_t>(1, std::min<int64_t>(n, int64_t{threads} * 4));
  p.prepare(n_chunks, b.n_rows, cols.text.size());
  return chunks_run(n_chunks, threads, [&](int64_t c, ChunkFacts& facts) {
    rows_parse(req, cols, b, begin + c * n / n_chunks, begin + (c + 1) * n / n_chunks, as_of_day, check_ids, p,
               p.buckets.data() + c * kEventPartitions, facts);
  });
}

template <class T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
void text_put(std::string& out, std::string_view text) {
  put(out, static_cast<uint32_t>(text.size()));
  out.append(text);
}

// Appends the kept events of a parsed batch to the pieces for their partitions' ranks, per event: its place in the
// log, its time and amount as parsed, the user id and the text cells. Within a partition, events stay in file order.
void events_route(const ParquetEventBatch& b, const ParsedBatch& p, int ranks, std::vector<std::string>& to_rank) {
  for (int q = 0; q < kEventPartitions; ++q) {
    std::string& out = to_rank[static_cast<size_t>(partition_owner(q, ranks))];
    for (size_t c = static_cast<size_t>(q); c < p.buckets.size(); c += kEventPartitions)
      for (const EventRow& row : p.buckets[c]) {
        put(out, b.first_record + row.record);
        put(out, row.time());
        put(out, row.amount);
        text_put(out, b.user_at(row.record));
        for (const std::vector<std::string_view>& column : b.text)
          text_put(out, column[static_cast<size_t>(row.record)]);
      }
  }
}

// Folds the events routed here by one rank (in file order within each partition, as they were sent).
void events_received_fold(const LogColumns& cols, std::string_view in, int threads, ParsedBatch& p,
                          EventAggregate& agg) {
  const size_t n_text = cols.text.size();
  std::vector<int64_t> records;
  std::vector<EventRow> rows;
  std::vector<std::string_view> users;
  std::vector<std::vector<std::string_view>> texts(n_text);
  const auto get = [&](size_t& at, auto& v) {
    std::memcpy(&v, in.data() + at, sizeof(v));
    at += sizeof(v);
  };
  const auto text_get = [&](size_t& at) {
    uint32_t size = 0;
    get(at, size);
    at += size;
    return in.substr(at - size, size);
  };
  for (size_t at = 0; at < in.size();) {
    int64_t record = 0;
    EventTime time;
    EventRow row;
    get(at, record);
    get(at, time);
    get(at, row.amount);
    row.time_set(time);
    records.push_back(record);
    users.push_back(text_get(at));
    for (size_t k = 0; k < n_text; ++k) texts[k].push_back(text_get(at));
    rows.push_back(row);
  }
  const auto n = static_cast<int64_t>(rows.size());
  for (int64_t a = 0; a < n; a += kFoldRows) {
    const int64_t e = std::min(n, a + kFoldRows), m = e - a;
    const int64_t n_chunks = std::max<int64_t>(1, std::min<int64_t>(m, int64_t{threads} * 4));
    p.prepare(n_chunks, m, n_text);
    const ChunkFacts found = chunks_run(n_chunks, threads, [&](int64_t c, ChunkFacts& facts) {
      std::vector<EventRow>* buckets = p.buckets.data() + c * kEventPartitions;
      for (int q = 0; q < kEventPartitions; ++q) buckets[q].clear();
      for (int64_t r = c * m / n_chunks; r < (c + 1) * m / n_chunks; ++r) {  // r: within the range
        const auto i = static_cast<size_t>(a + r);
        EventRow row = rows[i];
        row.record = static_cast<int32_t>(r);
        row.id_set(users[i]);
        for (size_t k = 0; k < n_text; ++k) p.text_hash[static_cast<size_t>(r) * n_text + k] = text_hash(texts[k][i]);
        facts.keep(row, row.time(), text_hash(users[i]), cols.amount >= 0, buckets);
      }
    });
    batch_fold(cols, ViewEvents{users.data() + a, texts.data(), 0, records.data() + a, a}, threads, p, agg,
               found.failure);
  }
}

}  // namespace

EventAggregate events_columns_aggregate(const ProfileBuildRequest& request, int32_t as_of_day,
                                        const Communicator& comm) {
  // In a build without Parquet support this says how to get it, as fit does.
  ArrowStreamReader* const stream = request.events_stream.get();
  KSEG_EXPECTS(stream == nullptr || comm.size() == 1, UsageError,
               request.events_path + ": an in-memory event log is read by one process");
  const std::vector<std::string> header =
      stream ? stream->column_names() : columnar_events_column_names(request.events_path);
  const LogColumns cols = log_columns_find(request, header);
  ParquetEventColumns columns{request.events_path, request.user_column, request.time_column, request.amount_column, {}};
  for (int k : cols.text) columns.text.push_back(header[static_cast<size_t>(k)]);
  EventAggregate agg;
  partitions_prepare(agg, cols);
  const int threads = request.threads > 0 ? request.threads : omp_get_max_threads();
  columns.threads = threads;
  ParsedBatch parsed;
  if (comm.size() == 1) {
    const auto for_each = [&](const std::function<void(const ParquetEventBatch&)>& fn) {
      if (stream) return stream->events_for_each(columns, fn);
      columnar_events_for_each(columns, comm, fn);
    };
    for_each([&](const ParquetEventBatch& b) {
      for (int64_t a = 0; a < b.n_rows; a += kFoldRows) {
        const int64_t e = std::min(b.n_rows, a + kFoldRows);
        const ChunkFacts facts = batch_parse(request, cols, b, a, e, threads, as_of_day, false, parsed);
        facts_add(agg, facts, e - a);
        const ViewEvents src{nullptr, b.text.data(), b.first_record, nullptr, 0, &b, &request.user_column};
        batch_fold(cols, src, threads, parsed, agg, facts.failure);
      }
      progress_reading_report(request.progress, agg.events_read, agg.events_read, b.rows_total, true);
    });
  } else {
    std::vector<std::string> to_rank(static_cast<size_t>(comm.size()));
    columnar_events_for_each(columns, comm, [&](const ParquetEventBatch& b) {
      for (int64_t a = 0; a < b.n_rows; a += kFoldRows) {
        const int64_t e = std::min(b.n_rows, a + kFoldRows);
        const ChunkFacts facts = batch_parse(request, cols, b, a, e, threads, as_of_day, true, parsed);
        facts.failure.rethrow();
        facts_add(agg, facts, e - a);
        events_route(b, parsed, comm.size(), to_rank);
      }
      progress_reading_report(request.progress, agg.events_read, -1, 0, true);  // this rank's events
    });
    const std::vector<std::string> received = comm.exchange_bytes(to_rank);
    to_rank = {};
    for (const std::string& piece : received) events_received_fold(cols, piece, threads, parsed, agg);
    aggregate_counts_combine(agg, comm);
  }
  aggregate_finish(agg, threads);
  return agg;
}

}  // namespace kseg
