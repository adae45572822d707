// Parquet event logs through Arrow C++: the parts' row groups shared out among processes, the few columns decoded
// one record batch at a time (string text columns as Arrow dictionaries: each distinct value decoded once), and each
// batch turned into a ParquetEventBatch by the converter Arrow IPC files share (arrow_events.cpp).
#include "host/parquet/parquet_events.hpp"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>

#include <algorithm>

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

// A part opened once: the file and its footer, read once and shared by the listing of row groups and the reader (it
// was opened three times: for the listing, for the columns' leaves and for reading). Memory-mapping the file instead,
// pre-buffering off, batches of 64 Ki or 1 Mi rows and the jemalloc or system pools measured no different here (CPU
// seconds within ±5 %, bench/RESULTS.md): the time is in Snappy and in decoding the strings.
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

std::unique_ptr<parquet::arrow::FileReader> reader_build(const Part& part,
                                                         const parquet::ArrowReaderProperties& properties) {
  parquet::arrow::FileReaderBuilder builder;
  const arrow::Status opened = builder.Open(part.file, parquet::default_reader_properties(), part.metadata);
  if (!opened.ok()) unreadable(part.path, opened.message());
  // Arrow's default pool keeps the freed buffers of one batch for the next (the system allocator returned and
  // re-faulted them: a sixth of the time).
  return checked(builder.memory_pool(arrow::default_memory_pool())->properties(properties)->Build(), part.path);
}

struct RowGroup {
  int part = 0, group = 0;
  int64_t first_row = 0, first_in_part = 0;  // global row and row within the part of its first row
};

}  // namespace

void parquet_events_for_each(const ParquetEventColumns& c, const Communicator& comm,
                             const std::function<void(const ParquetEventBatch&)>& fn) {
  const std::vector<std::string> paths = parquet_parts_list(c.path);
  const std::vector<std::string> names = event_column_names(c);
  const size_t text_first = c.amount.empty() ? 2 : 3;
  parquet::ArrowReaderProperties base;
  base.set_batch_size(kBatchRows);
  base.set_use_threads(true);  // the columns of a row group are decoded in parallel
  std::vector<Part> parts;
  std::vector<RowGroup> groups;
  int64_t row = 0;
  for (size_t p = 0; p < paths.size(); ++p) {
    parts.push_back(part_open(paths[p]));
    const parquet::FileMetaData& metadata = *parts.back().metadata;
    for (int64_t g = 0, in_part = 0; g < metadata.num_row_groups(); ++g) {
      groups.push_back(RowGroup{static_cast<int>(p), static_cast<int>(g), row, in_part});
      row += metadata.RowGroup(static_cast<int>(g))->num_rows();
      in_part += metadata.RowGroup(static_cast<int>(g))->num_rows();
    }
  }
  const size_t n = groups.size(), ranks = static_cast<size_t>(comm.size()), rank = static_cast<size_t>(comm.rank());
  ParquetEventBatch batch;
  batch.rows_total = row;
  for (size_t at = n * rank / ranks, end = n * (rank + 1) / ranks; at < end;) {
    const Part& part = parts[static_cast<size_t>(groups[at].part)];
    std::vector<int> read;
    batch.part = part.path;
    batch.first_record = groups[at].first_row;
    batch.row_in_part = groups[at].first_in_part;
    for (; at < end && &parts[static_cast<size_t>(groups[at].part)] == &part; ++at) read.push_back(groups[at].group);
    try {
      parquet::ArrowReaderProperties properties = base;
      const std::vector<int> leaves = leaves_find(part, names, text_first, properties);
      const auto reader = reader_build(part, properties);
      auto batches = checked(reader->GetRecordBatchReader(read, leaves), part.path);
      while (true) {
        std::shared_ptr<arrow::RecordBatch> next;
        const arrow::Status st = batches->ReadNext(&next);
        if (!st.ok()) unreadable(part.path, st.message());
        if (!next) break;
        arrow_events_convert(*next, c, batch);
        fn(batch);
        batch.first_record += batch.n_rows;
        batch.row_in_part += batch.n_rows;
      }
    } catch (const parquet::ParquetException& e) {
      unreadable(part.path, e.what());
    }
  }
}

}  // namespace kseg
