// A build without Parquet support (KSEG_PARQUET=OFF, or no pyarrow found): every Parquet entry says how to get it.
#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/parquet/arrow_stream.hpp"
#include "host/parquet/parquet_input.hpp"
#include "host/parquet/parquet_output.hpp"

namespace kseg {
namespace {

[[noreturn]] void unsupported(const std::string& path) {
  throw UsageError(path +
                   " is Parquet, but this kseg was built without Parquet support: run scripts/install-deps.sh and "
                   "rebuild (cmake finds Arrow C++ in the .venv/ pyarrow)");
}

[[noreturn]] void no_arrow() {
  throw UsageError(
      "Arrow streams need Arrow support, and this kseg was built without it: run scripts/install-deps.sh and rebuild "
      "(cmake finds Arrow C++ in the .venv/ pyarrow)");
}

}  // namespace

bool parquet_support_built() { return false; }

std::vector<std::string> parquet_column_names(const std::string& path) { unsupported(path); }

TableSchema parquet_schema_infer(const std::string& path, const SchemaOptions&, const Communicator&) {
  unsupported(path);
}

Table parquet_table_load(const TableSchema& schema, const Communicator&) { unsupported(schema.path); }

std::vector<int64_t> parquet_segments_read(const std::string& path) { unsupported(path); }

void parquet_batches_for_each(const TableSchema& schema, const Communicator&,
                              const std::function<void(const Table&, int64_t)>&) {
  unsupported(schema.path);
}

struct ParquetSegmentsSink::State {};

ParquetSegmentsSink::ParquetSegmentsSink(AtomicFile& file, std::map<int64_t, std::string>) { unsupported(file.path()); }
ParquetSegmentsSink::~ParquetSegmentsSink() = default;
void ParquetSegmentsSink::rows_append(const std::string&, const std::vector<size_t>&, const int32_t*, const float*,
                                      int64_t) {}
void ParquetSegmentsSink::rows_numbered_append(int64_t, const int32_t*, const float*, int64_t) {}
void ParquetSegmentsSink::finish() {}

void parquet_columns_write(AtomicFile& file, const std::vector<ParquetColumn>&) { unsupported(file.path()); }

struct ArrowStreamReader::State {};

ArrowStreamReader::ArrowStreamReader(ArrowArrayStream*, std::string) { no_arrow(); }
ArrowStreamReader::~ArrowStreamReader() = default;
const std::vector<std::string>& ArrowStreamReader::column_names() const { no_arrow(); }
TableSchema ArrowStreamReader::schema_infer(const SchemaOptions&) { no_arrow(); }
Table ArrowStreamReader::table_load(const TableSchema&) { no_arrow(); }
void ArrowStreamReader::batches_for_each(const TableSchema&, const std::function<void(const Table&, int64_t)>&) {
  no_arrow();
}
void ArrowStreamReader::events_for_each(const ParquetEventColumns&,
                                        const std::function<void(const ParquetEventBatch&)>&) {
  no_arrow();
}

}  // namespace kseg
