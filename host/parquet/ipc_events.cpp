// Arrow IPC event logs through Arrow C++: each part memory-mapped (its footer lists the record batches), the batches
// shared out among processes, only the named columns read, uncompressed buffers used in place (zero-copy: the arrays
// point into the mapping) and LZ4/ZSTD buffers decompressed on Arrow's threads; each batch is checked, then turned
// into a ParquetEventBatch by the converter Parquet shares (arrow_events.cpp).
#include <arrow/api.h>
#include <arrow/io/file.h>
#include <arrow/ipc/reader.h>

#include "host/error.hpp"
#include "host/parquet/arrow_events.hpp"
#include "host/parquet/columnar_events.hpp"

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

// A part opened to read only the named columns.
struct Part {
  std::string path;
  std::shared_ptr<arrow::ipc::RecordBatchFileReader> reader;
};

// (Opened twice: the schema gives the columns' indices, which the options of the reader that reads them must hold.)
Part part_open_columns(const std::string& path, const std::vector<std::string>& names) {
  auto options = arrow::ipc::IpcReadOptions::Defaults();
  options.use_threads = true;  // compressed buffers are decompressed in parallel
  options.included_fields = fields_find(*part_open(path, options)->schema(), names, path);
  return Part{path, part_open(path, options)};
}

// Record batch `index` of a part, checked (a damaged or hostile file has offsets or dictionary indices outside its
// buffers, which the converter would follow).
std::shared_ptr<arrow::RecordBatch> batch_read(const Part& part, int index) {
  std::shared_ptr<arrow::RecordBatch> batch = checked(part.reader->ReadRecordBatch(index), part.path);
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
  std::vector<Part> parts;
  std::vector<BatchRef> batches;
  for (size_t p = 0; p < paths.size(); ++p) {  // opening reads the footers only: the schema, the record batches
    parts.push_back(part_open_columns(paths[p], names));
    for (int i = 0; i < parts.back().reader->num_record_batches(); ++i) batches.push_back({static_cast<int>(p), i});
  }
  const size_t n = batches.size(), ranks = static_cast<size_t>(comm.size()), rank = static_cast<size_t>(comm.rank());
  const size_t begin = n * rank / ranks, end = n * (rank + 1) / ranks;
  if (begin == end) return;
  // The rows before this rank's share (for the rows messages name and the records' order): whole parts counted from
  // their batches' metadata, the first part's earlier batches by reading them (zero-copy when uncompressed).
  ParquetEventBatch out;
  const BatchRef first = batches[begin];
  for (size_t p = 0; p < static_cast<size_t>(first.part); ++p)
    out.first_record += checked(parts[p].reader->CountRows(), paths[p]);
  const Part& first_part = parts[static_cast<size_t>(first.part)];
  for (int i = 0; i < first.index; ++i)
    out.row_in_part += checked(first_part.reader->ReadRecordBatch(i), first_part.path)->num_rows();
  out.first_record += out.row_in_part;
  for (size_t p = 0; p < parts.size(); ++p) out.rows_total += checked(parts[p].reader->CountRows(), paths[p]);
  for (size_t at = begin; at < end; ++at) {
    const Part& part = parts[static_cast<size_t>(batches[at].part)];
    if (at > begin && batches[at].index == 0) out.row_in_part = 0;
    out.part = part.path;
    // The batch owns the decompressed buffers the views point into: it lives until fn returns.
    const std::shared_ptr<arrow::RecordBatch> batch = batch_read(part, batches[at].index);
    arrow_events_convert(*batch, c, out);
    fn(out);
    out.first_record += out.n_rows;
    out.row_in_part += out.n_rows;
  }
}

}  // namespace kseg
