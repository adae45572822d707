// Arrow IPC event logs through Arrow C++: each part memory-mapped (its footer lists the record batches), the batches
// shared out among processes, only the named columns read, uncompressed buffers used in place (zero-copy: the arrays
// point into the mapping) and LZ4/ZSTD buffers decompressed on Arrow's threads into a recycling pool; each batch is
// checked, then turned into a ParquetEventBatch by the converter Parquet shares (arrow_events.cpp).
#include <arrow/api.h>
#include <arrow/io/file.h>
#include <arrow/ipc/reader.h>

#include "host/error.hpp"
#include "host/parquet/arrow_events.hpp"
#include "host/parquet/columnar_events.hpp"
#include "host/parquet/recycling_pool.hpp"

namespace kseg {
namespace {

[[noreturn]] void unreadable(const std::string& path, const std::string& why) {
  throw DataError(path + ": not a readable Arrow IPC file (" + why +
                  "); check that it was copied whole and written in the IPC file format (pyarrow.feather.write_feather "
                  "or pyarrow.ipc.new_file), not the stream format");
}

template <class T>
T checked(arrow::Result<T> result, const std::string& path) {
  if (!result.ok()) unreadable(path, result.status().message());
  return std::move(result).ValueUnsafe();
}

std::shared_ptr<arrow::ipc::RecordBatchFileReader> part_open(const std::string& path,
                                                             const arrow::ipc::IpcReadOptions& options) {
  std::shared_ptr<arrow::io::MemoryMappedFile> file =
      checked(arrow::io::MemoryMappedFile::Open(path, arrow::io::FileMode::READ), path);
  return checked(arrow::ipc::RecordBatchFileReader::Open(file, options), path);
}

// The field index of each name in a part's schema. DataError for a name it lacks.
std::vector<int> fields_find(const arrow::Schema& schema, const std::vector<std::string>& names,
                             const std::string& path) {
  std::vector<int> fields;
  for (const std::string& name : names) {
    const int field = schema.GetFieldIndex(name);
    KSEG_EXPECTS(field >= 0, DataError, path + ": no column named \"" + name + "\" (the first part has it)");
    fields.push_back(field);
  }
  return fields;
}

// A part, mapped once and opened twice over the mapping: `whole` reads every column, uncompressed buffers in place
// (zero-copy: the arrays point into the mapping; the columns not named are never touched), and `some` only the named
// columns, which Arrow copies out of the mapping (or decompresses) into buffers of the pool. The first batch read
// whole says which the part needs: in place, or `some` (compressed: read whole, every column would be decompressed).
struct Part {
  std::string path;
  std::shared_ptr<arrow::ipc::RecordBatchFileReader> whole, some;
  std::vector<int> fields;                                              // the named columns' indices in the schema
  std::shared_ptr<arrow::Buffer> mapping;                               // the whole file, in place
  enum class Reader { unknown, whole, some } reader = Reader::unknown;  // unknown: before the first batch
};

// (The schema gives the columns' indices, which the options of the reader that reads them must hold.)
Part part_open_columns(const std::string& path, const std::vector<std::string>& names, arrow::MemoryPool* pool) {
  std::shared_ptr<arrow::io::MemoryMappedFile> file =
      checked(arrow::io::MemoryMappedFile::Open(path, arrow::io::FileMode::READ), path);
  auto options = arrow::ipc::IpcReadOptions::Defaults();
  options.memory_pool = pool;
  options.use_threads = true;  // compressed buffers are decompressed in parallel
  Part part{path,    checked(arrow::ipc::RecordBatchFileReader::Open(file, options), path),
            nullptr, {},
            nullptr, Part::Reader::unknown};
  part.fields = fields_find(*part.whole->schema(), names, path);
  options.included_fields = part.fields;
  part.some = checked(arrow::ipc::RecordBatchFileReader::Open(file, options), path);
  part.mapping = checked(file->ReadAt(0, checked(file->GetSize(), path)), path);
  return part;
}

// Whether every buffer of the batch's columns lies in the mapping (empty buffers aside).
bool buffers_in(const arrow::RecordBatch& batch, const arrow::Buffer& mapping) {
  const auto begin = reinterpret_cast<uintptr_t>(mapping.data()), end = begin + static_cast<uintptr_t>(mapping.size());
  for (const std::shared_ptr<arrow::ArrayData>& column : batch.column_data())
    for (const std::shared_ptr<arrow::Buffer>& buffer : column->buffers) {
      if (!buffer || buffer->size() == 0) continue;
      const auto at = reinterpret_cast<uintptr_t>(buffer->data());
      if (at < begin || at + static_cast<uintptr_t>(buffer->size()) > end) return false;
    }
  return true;
}

// Record batch `index` of a part (its named columns), checked (a damaged or hostile file has offsets or dictionary
// indices outside its buffers, which the converter would follow).
std::shared_ptr<arrow::RecordBatch> batch_read(Part& part, int index) {
  std::shared_ptr<arrow::RecordBatch> batch;
  if (part.reader != Part::Reader::some) {
    batch = checked(checked(part.whole->ReadRecordBatch(index), part.path)->SelectColumns(part.fields), part.path);
    if (part.reader == Part::Reader::unknown)
      part.reader = buffers_in(*batch, *part.mapping) ? Part::Reader::whole : Part::Reader::some;
  } else {
    batch = checked(part.some->ReadRecordBatch(index), part.path);
  }
  const arrow::Status valid = batch->ValidateFull();
  if (!valid.ok()) unreadable(part.path, "record batch " + std::to_string(index) + ": " + valid.message());
  return batch;
}

struct BatchRef {
  int part = 0, index = 0;  // part, and record batch within the part
};

}  // namespace

std::vector<std::string> ipc_column_names(const std::string& path) {
  const std::string first = ipc_parts_list(path).front();
  const auto schema = part_open(first, arrow::ipc::IpcReadOptions::Defaults())->schema();
  return schema->field_names();
}

void ipc_events_for_each(const ParquetEventColumns& c, const Communicator& comm,
                         const std::function<void(const ParquetEventBatch&)>& fn) {
  const std::vector<std::string> paths = ipc_parts_list(c.path);
  const std::vector<std::string> names = event_column_names(c);
  // Before the parts and batches, which it outlives: the buffers of one batch serve the next (fresh ones were faulted
  // in and cleared by the kernel for each batch).
  RecyclingPool pool;
  std::vector<Part> parts;
  std::vector<BatchRef> batches;
  for (size_t p = 0; p < paths.size(); ++p) {  // opening reads the footers only: the schema, the record batches
    parts.push_back(part_open_columns(paths[p], names, &pool));
    for (int i = 0; i < parts.back().some->num_record_batches(); ++i) batches.push_back({static_cast<int>(p), i});
  }
  const size_t n = batches.size(), ranks = static_cast<size_t>(comm.size()), rank = static_cast<size_t>(comm.rank());
  const size_t begin = n * rank / ranks, end = n * (rank + 1) / ranks;
  if (begin == end) return;
  // The rows before this rank's share (for the rows messages name and the records' order): whole parts counted from
  // their batches' metadata, the first part's earlier batches by reading their named columns.
  ParquetEventBatch out;
  const BatchRef first = batches[begin];
  for (size_t p = 0; p < static_cast<size_t>(first.part); ++p)
    out.first_record += checked(parts[p].some->CountRows(), paths[p]);
  const Part& first_part = parts[static_cast<size_t>(first.part)];
  for (int i = 0; i < first.index; ++i)
    out.row_in_part += checked(first_part.some->ReadRecordBatch(i), first_part.path)->num_rows();
  out.first_record += out.row_in_part;
  for (size_t p = 0; p < parts.size(); ++p) out.rows_total += checked(parts[p].some->CountRows(), paths[p]);
  for (size_t at = begin; at < end; ++at) {
    Part& part = parts[static_cast<size_t>(batches[at].part)];
    if (at > begin && batches[at].index == 0) out.row_in_part = 0;
    out.part = part.path;
    // The batch holds the buffers the views point into (the mapping's or the pool's): it lives until fn returns.
    const std::shared_ptr<arrow::RecordBatch> batch = batch_read(part, batches[at].index);
    arrow_events_convert(*batch, c, out);
    fn(out);
    out.first_record += out.n_rows;
    out.row_in_part += out.n_rows;
  }
}

}  // namespace kseg
