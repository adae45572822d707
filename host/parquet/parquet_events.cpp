// Parquet event logs through Arrow C++: the parts' row groups shared out among processes, and within a process among
// worker threads that decode them while the caller folds (handed over in file order); the few columns decoded one
// record batch at a time (string text columns as Arrow dictionaries: each distinct value decoded once; not the user
// id, whose PLAIN pages Arrow would hash cell by cell), and each batch turned into a ParquetEventBatch by the converter
// Arrow IPC files share (arrow_events.cpp).
#include "host/parquet/parquet_events.hpp"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>

#include <omp.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "host/error.hpp"
#include "host/parquet/arrow_events.hpp"
#include "host/parquet/parquet_input.hpp"
#include "host/parquet/recycling_pool.hpp"

namespace kseg {
namespace {

// Rows per record batch: a few MB per column, and as many as profile-build folds at a time (kFoldRows,
// host/events/event_fold.hpp), so each batch is one fold range: two OpenMP regions per batch, not per half batch
// (batches of 512 Ki rows took about 10 % more CPU time, bench/RESULTS.md "Columnar fold, seventh session").
constexpr int64_t kBatchRows = 1 << 20;

[[noreturn]] void unreadable(const std::string& path, const std::string& why) {
  throw DataError(path + ": not a readable Parquet file (" + why + "); check that it was copied whole");
}

template <class T>
T checked(arrow::Result<T> result, const std::string& path) {
  if (!result.ok()) unreadable(path, result.status().message());
  return std::move(result).ValueUnsafe();
}

// A part opened once: the file and its footer, read once and shared by the listing of row groups and the reader (it
// was opened three times: for the listing, for the columns' leaves and for reading). Memory-mapping the file instead,
// pre-buffering off and the jemalloc or system pools measured no different here (CPU seconds within ±5 %,
// bench/RESULTS.md): the time is in Snappy and in decoding the strings.
struct Part {
  std::string path;
  std::shared_ptr<arrow::io::RandomAccessFile> file;
  std::shared_ptr<parquet::FileMetaData> metadata;
};

Part part_open(const std::string& path) {
  Part part{path, checked(arrow::io::ReadableFile::Open(path), path), nullptr};
  try {
    part.metadata = parquet::ReadMetaData(part.file);
  } catch (const parquet::ParquetException& e) {
    unreadable(path, e.what());
  }
  return part;
}

// The leaf column of each name in a part (in the order of names), the text columns (from text_first on) read as
// Arrow dictionaries when they hold strings. DataError for a missing or nested column.
std::vector<int> leaves_find(const Part& part, const std::vector<std::string>& names, size_t text_first,
                             parquet::ArrowReaderProperties& properties) {
  parquet::arrow::SchemaManifest manifest;
  const arrow::Status made = parquet::arrow::SchemaManifest::Make(
      part.metadata->schema(), part.metadata->key_value_metadata(), properties, &manifest);
  if (!made.ok()) unreadable(part.path, made.message());
  std::vector<int> leaves;
  for (size_t k = 0; k < names.size(); ++k) {
    const auto& fields = manifest.schema_fields;
    const auto named = [&](const parquet::arrow::SchemaField& f) { return f.field->name() == names[k]; };
    const auto at = std::find_if(fields.begin(), fields.end(), named) - fields.begin();
    KSEG_EXPECTS(at < static_cast<std::ptrdiff_t>(fields.size()), DataError,
                 part.path + ": no column named \"" + names[k] + "\" (the first part has it)");
    const parquet::arrow::SchemaField& schema_field = manifest.schema_fields[static_cast<size_t>(at)];
    KSEG_EXPECTS(schema_field.children.empty() && schema_field.column_index >= 0, DataError,
                 part.path + ": column \"" + names[k] + "\" has the nested type " +
                     schema_field.field->type()->ToString() + "; profile-build reads flat columns");
    leaves.push_back(schema_field.column_index);
    if (k >= text_first && arrow_string_type(schema_field.field->type()->id()))
      properties.set_read_dictionary(schema_field.column_index, true);
  }
  return leaves;
}

// A reader whose buffers (the pages read and decompressed, the decoded arrays) come from pool.
std::unique_ptr<parquet::arrow::FileReader> reader_build(const Part& part,
                                                         const parquet::ArrowReaderProperties& properties,
                                                         arrow::MemoryPool* pool) {
  parquet::arrow::FileReaderBuilder builder;
  const arrow::Status opened = builder.Open(part.file, parquet::ReaderProperties(pool), part.metadata);
  if (!opened.ok()) unreadable(part.path, opened.message());
  return checked(builder.memory_pool(pool)->properties(properties)->Build(), part.path);
}

struct RowGroup {
  int part = 0, group = 0;
  int64_t first_row = 0, first_in_part = 0;  // global row and row within the part of its first row
};

// A record batch decoded and converted by a worker: the views of `batch` point into `arrays`.
struct Decoded {
  std::shared_ptr<arrow::RecordBatch> arrays;
  ParquetEventBatch batch;
};

// The row groups of this process, decoded by `workers` threads (each its own reader over one row group at a time), or
// by the caller's thread without workers, and handed to the caller in file order. A worker takes the next row group
// only within `workers` of the one being handed over, and stops after kQueued batches of it wait: memory stays at a few
// batches per worker.
class GroupPipeline {
 public:
  static constexpr size_t kQueued = 2;

  // rows_total: the rows of the whole input (every batch carries it, for progress).
  GroupPipeline(const std::vector<Part>& parts, const std::vector<RowGroup>& groups, const ParquetEventColumns& c,
                const parquet::ArrowReaderProperties& base, size_t workers, int64_t rows_total)
      : parts_(parts),
        groups_(groups),
        columns_(c),
        base_(base),
        slots_(groups.size()),
        window_(workers),
        rows_total_(rows_total) {
    try {
      for (size_t w = 0; w < workers; ++w) threads_.emplace_back([this] { work(); });
    } catch (...) {  // no thread: the ones started are stopped before the error leaves
      workers_stop();
      throw;
    }
  }
  ~GroupPipeline() { workers_stop(); }

  // Hands every batch to fn in file order; rethrows a row group's error when its turn comes. Without workers, the
  // row groups are decoded here, one batch at a time.
  void for_each(const std::function<void(const ParquetEventBatch&)>& fn) {
    if (threads_.empty()) {
      for (size_t i = 0; i < slots_.size(); ++i)
        group_read(i, [&](Decoded& d) {
          fn(d.batch);
          batch_spare(d);
          return true;
        });
      return;
    }
    for (size_t i = 0; i < slots_.size(); ++i) {
      Slot& slot = slots_[i];
      while (true) {
        Decoded next;
        {
          std::unique_lock<std::mutex> lock(mutex_);
          ready_.wait(lock, [&] { return !slot.ready.empty() || slot.done; });
          if (slot.ready.empty()) {
            if (slot.error) std::rethrow_exception(slot.error);
            handed_ = i + 1;
            break;
          }
          next = std::move(slot.ready.front());
          slot.ready.pop_front();
        }
        room_.notify_all();
        fn(next.batch);
        batch_spare(next);
      }
      room_.notify_all();
    }
  }

 private:
  struct Slot {
    std::deque<Decoded> ready;
    bool done = false;
    std::exception_ptr error;
  };

  void work() {
    while (true) {
      size_t i = 0;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        room_.wait(lock, [&] { return stop_ || next_ >= slots_.size() || next_ < handed_ + window_; });
        if (stop_ || next_ >= slots_.size()) return;
        i = next_++;
      }
      std::exception_ptr error;
      try {
        group_read(i, [&](Decoded& d) { return batch_queue(i, d); });
      } catch (...) {
        error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        slots_[i].done = true;
        slots_[i].error = error;
      }
      ready_.notify_all();
    }
  }

  // Waits for room in slot i and queues d there; false when the caller has stopped.
  bool batch_queue(size_t i, Decoded& d) {
    std::unique_lock<std::mutex> lock(mutex_);
    room_.wait(lock, [&] { return stop_ || slots_[i].ready.size() < kQueued; });
    if (stop_) return false;
    slots_[i].ready.push_back(std::move(d));
    lock.unlock();
    ready_.notify_all();
    return true;
  }

  // Decodes row group i batch by batch, each to sink (which returns false to stop).
  template <class Sink>
  void group_read(size_t i, Sink sink) {
    const RowGroup& g = groups_[i];
    const Part& part = parts_[static_cast<size_t>(g.part)];
    int64_t first_record = g.first_row, row_in_part = g.first_in_part;
    try {
      parquet::ArrowReaderProperties properties = base_;
      const std::vector<int> leaves = leaves_find(part, event_column_names(columns_), text_first(), properties);
      const auto reader = reader_build(part, properties, &pool_);
      auto batches = checked(reader->GetRecordBatchReader({g.group}, leaves), part.path);
      while (true) {
        Decoded d;
        const arrow::Status st = batches->ReadNext(&d.arrays);
        if (!st.ok()) unreadable(part.path, st.message());
        if (!d.arrays) return;
        batch_reuse(d.batch);
        d.batch.part = part.path;
        d.batch.first_record = first_record;
        d.batch.row_in_part = row_in_part;
        d.batch.rows_total = rows_total_;
        arrow_events_convert(*d.arrays, columns_, d.batch);
        first_record += d.batch.n_rows;
        row_in_part += d.batch.n_rows;
        if (!sink(d)) return;
      }
    } catch (const parquet::ParquetException& e) {
      unreadable(part.path, e.what());
    }
  }

  void workers_stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    room_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  // Keeps a batch fn is done with: its vectors keep their capacity for a later batch.
  void batch_spare(Decoded& d) {
    d.arrays.reset();
    std::lock_guard<std::mutex> lock(mutex_);
    spare_.push_back(std::move(d.batch));
  }

  // A spent batch's vectors for the next one (rather than new vectors, and their pages faulted in, per batch).
  void batch_reuse(ParquetEventBatch& b) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (spare_.empty()) return;
    ParquetEventBatch& s = spare_.back();
    b.user.swap(s.user);
    b.time_value.swap(s.time_value);
    b.time_text.swap(s.time_text);
    b.amount.swap(s.amount);
    b.text.swap(s.text);
    b.digits.swap(s.digits);
    b.user_hashes.swap(s.user_hashes);
    b.text_hashes.swap(s.text_hashes);
    spare_.pop_back();
  }

  size_t text_first() const { return columns_.amount.empty() ? 2 : 3; }

  const std::vector<Part>& parts_;
  const std::vector<RowGroup>& groups_;
  const ParquetEventColumns& columns_;
  const parquet::ArrowReaderProperties base_;
  // Before the slots and threads, so it outlives every batch and reader: the buffers of one batch serve the next
  // (Arrow's default pool returned their pages to the kernel, which cleared new ones for each batch).
  RecyclingPool pool_;
  std::vector<Slot> slots_;
  const size_t window_;
  const int64_t rows_total_;
  std::mutex mutex_;
  std::condition_variable ready_, room_;  // a batch or a row group's end for the caller; room for the workers
  std::vector<ParquetEventBatch> spare_;
  size_t next_ = 0;    // the next row group a worker takes
  size_t handed_ = 0;  // row groups handed over entirely
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

void parquet_events_for_each(const ParquetEventColumns& c, const Communicator& comm,
                             const std::function<void(const ParquetEventBatch&)>& fn) {
  const std::vector<std::string> paths = parquet_parts_list(c.path);
  std::vector<Part> parts;
  std::vector<RowGroup> all;
  int64_t row = 0;
  for (size_t p = 0; p < paths.size(); ++p) {
    parts.push_back(part_open(paths[p]));
    const parquet::FileMetaData& metadata = *parts.back().metadata;
    for (int64_t g = 0, in_part = 0; g < metadata.num_row_groups(); ++g) {
      all.push_back(RowGroup{static_cast<int>(p), static_cast<int>(g), row, in_part});
      row += metadata.RowGroup(static_cast<int>(g))->num_rows();
      in_part += metadata.RowGroup(static_cast<int>(g))->num_rows();
    }
  }
  const size_t n = all.size(), ranks = static_cast<size_t>(comm.size()), rank = static_cast<size_t>(comm.rank());
  const std::vector<RowGroup> groups(all.begin() + static_cast<std::ptrdiff_t>(n * rank / ranks),
                                     all.begin() + static_cast<std::ptrdiff_t>(n * (rank + 1) / ranks));
  if (groups.empty()) return;
  const size_t threads = static_cast<size_t>(c.threads > 0 ? c.threads : omp_get_max_threads());
  // One thread: no worker, the row groups decoded between the calls of fn (as one process per core under MPI wants).
  const size_t workers = threads == 1 ? 0 : std::min(threads, groups.size());
  parquet::ArrowReaderProperties base;
  base.set_batch_size(c.batch_rows > 0 ? c.batch_rows : kBatchRows);
  // One worker (one row group): Arrow decodes the columns of the row group in parallel instead.
  base.set_use_threads(workers == 1);
  GroupPipeline pipeline(parts, groups, c, base, workers, row);
  pipeline.for_each(fn);
}

}  // namespace kseg
