// The Arrow C stream route through Arrow C++: arrow::ImportRecordBatchReader, then the same batch facts and
// conversion as Parquet (arrow_batches.hpp).
#include "host/parquet/arrow_stream.hpp"

#include <arrow/c/bridge.h>

#include "host/error.hpp"
#include "host/parquet/arrow_batches.hpp"
#include "host/parquet/arrow_cells.hpp"
#include "host/parquet/arrow_events.hpp"

namespace kseg {

struct ArrowStreamReader::State {
  std::string name;
  std::shared_ptr<arrow::RecordBatchReader> reader;  // null once read to the end
  std::shared_ptr<arrow::Schema> schema;
  std::vector<std::string> columns;
  std::vector<std::shared_ptr<arrow::RecordBatch>> kept;  // all batches, once schema_infer or table_load read them
  bool all_kept = false;

  // The next batch from the stream; nullptr at its end.
  std::shared_ptr<arrow::RecordBatch> next() {
    if (!reader) return nullptr;
    std::shared_ptr<arrow::RecordBatch> batch;
    const arrow::Status status = reader->ReadNext(&batch);
    KSEG_EXPECTS(status.ok(), DataError, name + ": the Arrow stream failed: " + status.message());
    if (!batch) reader.reset();
    return batch;
  }
  void keep_all() {
    if (all_kept) return;
    KSEG_EXPECTS(reader != nullptr, UsageError, name + ": the Arrow stream was already read; hand it over again");
    while (auto batch = next())
      if (batch->num_rows() > 0) kept.push_back(std::move(batch));
    all_kept = true;
  }
  void types_check(const std::vector<std::string>& names) const {
    for (const std::string& column : names) {
      const auto field = schema->GetFieldByName(column);
      if (field) field_type_check(column, *field->type(), name);
    }
  }
};

ArrowStreamReader::ArrowStreamReader(ArrowArrayStream* stream, std::string name) : state_(std::make_unique<State>()) {
  state_->name = name.empty() ? "arrow stream" : std::move(name);
  KSEG_EXPECTS(stream != nullptr, UsageError, state_->name + ": no Arrow stream given");
  arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> imported = arrow::ImportRecordBatchReader(stream);
  KSEG_EXPECTS(imported.ok(), DataError,
               state_->name + ": not a readable Arrow stream (" + imported.status().message() + ")");
  state_->reader = std::move(imported).ValueUnsafe();
  state_->schema = state_->reader->schema();
  for (const auto& field : state_->schema->fields()) state_->columns.push_back(field->name());
  typed_column_names_check(state_->columns, state_->name);
}

ArrowStreamReader::~ArrowStreamReader() = default;

const std::vector<std::string>& ArrowStreamReader::column_names() const { return state_->columns; }

TableSchema ArrowStreamReader::schema_infer(const SchemaOptions& o) {
  const std::vector<std::string>& header = state_->columns;
  schema_overrides_check(header, o, state_->name);
  BatchFacts facts(header, columns_projected(header, o), o.missing);
  state_->types_check(facts.names());
  state_->keep_all();
  TableSchema schema;
  schema.path = state_->name;
  schema.missing = o.missing;
  for (const auto& batch : state_->kept) {
    facts.add(*batch, schema.n_rows);
    schema.n_rows += batch->num_rows();
  }
  schema.slice.n_rows = schema.n_rows;
  KSEG_EXPECTS(schema.n_rows > 0, DataError, state_->name + ": the Arrow stream has no rows");
  schema_roles_decide(schema, header, facts.stats(), o, CellPlace::row);
  return schema;
}

Table ArrowStreamReader::table_load(const TableSchema& schema) {
  const BatchConverter converter(schema);
  state_->types_check(converter.names());
  state_->keep_all();
  Table table = converter.table_empty();
  int64_t rows = 0;
  for (const auto& batch : state_->kept) rows += batch->num_rows();
  for (TableColumn& column : table.columns) {  // allocated once: the row count is known
    if (column.is_categorical()) {
      column.codes.reserve(static_cast<size_t>(rows));
    } else {
      column.values.reserve(static_cast<size_t>(rows));
    }
  }
  for (const auto& batch : state_->kept) converter.append(*batch, state_->name, table.n_rows, table);
  return table;
}

void ArrowStreamReader::batches_for_each(const TableSchema& schema,
                                         const std::function<void(const Table&, int64_t)>& fn) {
  const BatchConverter converter(schema);
  state_->types_check(converter.names());
  int64_t first = 0;
  const auto convert = [&](const arrow::RecordBatch& batch) {
    Table table = converter.table_empty();
    converter.append(batch, state_->name, first, table);
    table.first_row = first;
    fn(table, first);
    first += batch.num_rows();
  };
  if (state_->all_kept) {
    for (const auto& batch : state_->kept) convert(*batch);
    return;
  }
  KSEG_EXPECTS(state_->reader != nullptr, UsageError, state_->name + ": the Arrow stream was already read");
  while (auto batch = state_->next()) convert(*batch);
}

void ArrowStreamReader::events_for_each(const ParquetEventColumns& columns,
                                        const std::function<void(const ParquetEventBatch&)>& fn) {
  KSEG_EXPECTS(state_->all_kept || state_->reader != nullptr, UsageError,
               state_->name + ": the Arrow stream was already read");
  ParquetEventBatch batch;
  batch.part = state_->name;
  const auto convert = [&](const arrow::RecordBatch& next) {
    arrow_events_convert(next, columns, batch);
    fn(batch);
    batch.first_record += batch.n_rows;
    batch.row_in_part += batch.n_rows;
  };
  if (state_->all_kept) {
    for (const auto& kept : state_->kept) convert(*kept);
    return;
  }
  while (auto next = state_->next())
    if (next->num_rows() > 0) convert(*next);
}

}  // namespace kseg
