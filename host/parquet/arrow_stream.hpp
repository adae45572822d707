// An in-memory table handed over through the Arrow C stream interface (struct ArrowArrayStream, as pyarrow's
// __arrow_c_stream__ / _export_to_c, polars and pandas through pyarrow give it): read with the same roles, missing
// values, preparation and errors as a Parquet file of the same table, without going through text. No Arrow in this
// header; without Arrow support (KSEG_PARQUET off) the constructor throws a UsageError saying how to get it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "host/data/schema.hpp"
#include "host/data/table.hpp"
#include "host/parquet/parquet_events.hpp"

struct ArrowArrayStream;  // the Arrow C stream interface (arrow/c/abi.h)

namespace kseg {

class ArrowStreamReader {
 public:
  // Takes over the stream (the caller's struct is left released, as the C interface's move semantics say) and reads
  // its schema. name: how messages name the input ("arrow stream" when empty). DataError for a stream that fails.
  explicit ArrowStreamReader(ArrowArrayStream* stream, std::string name = "");
  ~ArrowStreamReader();
  ArrowStreamReader(const ArrowStreamReader&) = delete;
  ArrowStreamReader& operator=(const ArrowStreamReader&) = delete;

  // The stream's column names, in order.
  const std::vector<std::string>& column_names() const;

  // Decides roles as schema_infer does for a Parquet file (host/parquet/parquet_input.hpp): the batches are read
  // once and kept (their buffers are shared with the producer, not copied) for table_load. UsageError for bad
  // overrides; DataError for unsupported types (naming the column and type) and for almost numeric text columns.
  TableSchema schema_infer(const SchemaOptions& options);
  // The schema's kept columns of every row, as table_load gives them for a file. Reads the rest of the stream first
  // when schema_infer has not.
  Table table_load(const TableSchema& schema);
  // Streams the schema's kept columns one batch at a time: fn(table, global index of its first row). Memory: one
  // batch, when schema_infer has not kept the batches (then it walks the kept ones). A schema from a model
  // (app/model_input.hpp's model_schema over column_names()) scores a stream without holding it.
  void batches_for_each(const TableSchema& schema, const std::function<void(const Table&, int64_t)>& fn);
  // An event log for profile-build (kseg.profile_build on a DataFrame): the named columns of each batch, in order,
  // as the Parquet and Arrow IPC readers hand them over (host/parquet/columnar_events.hpp). Reads the stream once.
  void events_for_each(const ParquetEventColumns& columns, const std::function<void(const ParquetEventBatch&)>& fn);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kseg
