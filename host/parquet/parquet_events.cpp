// Parquet event logs through Arrow C++: the parts' row groups shared out among processes, the few columns decoded
// one record batch at a time (string text columns as Arrow dictionaries: each distinct value decoded once), and each
// batch turned into a ParquetEventBatch by the converter Arrow IPC files share (arrow_events.cpp).
#include "host/parquet/parquet_events.hpp"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>

#include "host/error.hpp"
#include "host/parquet/arrow_events.hpp"
#include "host/parquet/parquet_input.hpp"

namespace kseg {
namespace {

// Rows per record batch: a few MB per column, and few enough batches that the per-batch work is amortised.
constexpr int64_t kBatchRows = 1 << 19;

[[noreturn]] void unreadable(const std::string& path, const std::string& why) {
  throw DataError(path + ": not a readable Parquet file (" + why + "); check that it was copied whole");
}

template <class T>
T checked(arrow::Result<T> result, const std::string& path) {
  if (!result.ok()) unreadable(path, result.status().message());
  return std::move(result).ValueUnsafe();
}

std::unique_ptr<parquet::arrow::FileReader> part_open(const std::string& path,
                                                      const parquet::ArrowReaderProperties& properties) {
  std::shared_ptr<arrow::io::ReadableFile> file = checked(arrow::io::ReadableFile::Open(path), path);
  parquet::arrow::FileReaderBuilder builder;
  const arrow::Status opened = builder.Open(file);
  if (!opened.ok()) unreadable(path, opened.message());
  // Arrow's default pool keeps the freed buffers of one batch for the next (the system allocator returned and
  // re-faulted them: a sixth of the time).
  return checked(builder.memory_pool(arrow::default_memory_pool())->properties(properties)->Build(), path);
}

// The leaf column of each name in a part (in the order of names), the text columns (from text_first on) read as
// Arrow dictionaries when they hold strings. DataError for a missing or nested column.
std::vector<int> leaves_find(const std::string& path, const std::vector<std::string>& names, size_t text_first,
                             parquet::ArrowReaderProperties& properties) {
  const auto reader = part_open(path, properties);
  std::shared_ptr<arrow::Schema> schema;
  const arrow::Status st = reader->GetSchema(&schema);
  if (!st.ok()) unreadable(path, st.message());
  std::vector<int> leaves;
  for (size_t k = 0; k < names.size(); ++k) {
    const int field = schema->GetFieldIndex(names[k]);
    KSEG_EXPECTS(field >= 0, DataError, path + ": no column named \"" + names[k] + "\" (the first part has it)");
    const auto& manifest = reader->manifest().schema_fields[static_cast<size_t>(field)];
    KSEG_EXPECTS(manifest.children.empty() && manifest.column_index >= 0, DataError,
                 path + ": column \"" + names[k] + "\" has the nested type " +
                     schema->field(field)->type()->ToString() + "; profile-build reads flat columns");
    leaves.push_back(manifest.column_index);
    if (k >= text_first && arrow_string_type(schema->field(field)->type()->id()))
      properties.set_read_dictionary(manifest.column_index, true);
  }
  return leaves;
}

struct RowGroup {
  int part = 0, group = 0;
  int64_t first_row = 0, first_in_part = 0;  // global row and row within the part of its first row
};

}  // namespace

void parquet_events_for_each(const ParquetEventColumns& c, const Communicator& comm,
                             const std::function<void(const ParquetEventBatch&)>& fn) {
  const std::vector<std::string> parts = parquet_parts_list(c.path);
  const std::vector<std::string> names = event_column_names(c);
  const size_t text_first = c.amount.empty() ? 2 : 3;
  parquet::ArrowReaderProperties base;
  base.set_batch_size(kBatchRows);
  base.set_use_threads(true);  // the columns of a row group are decoded in parallel
  std::vector<RowGroup> groups;
  int64_t row = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    const auto metadata = part_open(parts[p], base)->parquet_reader()->metadata();
    for (int64_t g = 0, in_part = 0; g < metadata->num_row_groups(); ++g) {
      groups.push_back(RowGroup{static_cast<int>(p), static_cast<int>(g), row, in_part});
      row += metadata->RowGroup(static_cast<int>(g))->num_rows();
      in_part += metadata->RowGroup(static_cast<int>(g))->num_rows();
    }
  }
  const size_t n = groups.size(), ranks = static_cast<size_t>(comm.size()), rank = static_cast<size_t>(comm.rank());
  ParquetEventBatch batch;
  for (size_t at = n * rank / ranks, end = n * (rank + 1) / ranks; at < end;) {
    const int part = groups[at].part;
    const std::string& path = parts[static_cast<size_t>(part)];
    std::vector<int> read;
    batch.part = path;
    batch.first_record = groups[at].first_row;
    batch.row_in_part = groups[at].first_in_part;
    for (; at < end && groups[at].part == part; ++at) read.push_back(groups[at].group);
    try {
      parquet::ArrowReaderProperties properties = base;
      const std::vector<int> leaves = leaves_find(path, names, text_first, properties);
      const auto reader = part_open(path, properties);
      auto batches = checked(reader->GetRecordBatchReader(read, leaves), path);
      while (true) {
        std::shared_ptr<arrow::RecordBatch> next;
        const arrow::Status st = batches->ReadNext(&next);
        if (!st.ok()) unreadable(path, st.message());
        if (!next) break;
        arrow_events_convert(*next, c, batch);
        fn(batch);
        batch.first_record += batch.n_rows;
        batch.row_in_part += batch.n_rows;
      }
    } catch (const parquet::ParquetException& e) {
      unreadable(path, e.what());
    }
  }
}

}  // namespace kseg
