// The Arrow side of profile-build's columnar inputs: record batches of an event log (from a Parquet file or an Arrow
// IPC file) turned into the typed arrays of a ParquetEventBatch by one converter, so every source reads alike. Needs
// Arrow C++: included only by the kseg_arrow_io sources.
#pragma once

#include <arrow/api.h>

#include <string>
#include <vector>

#include "host/parquet/parquet_events.hpp"

namespace kseg {

// True for Arrow's string types (string, large_string, string_view).
bool arrow_string_type(arrow::Type::type id);

// The columns to read, each once, in the order user, time, amount (when named), then the text columns.
std::vector<std::string> event_column_names(const ParquetEventColumns& columns);

// One record batch into `out` (n_rows, user, time, amount and text; out.part names the file in messages). Columns are
// found by name, so a batch may hold more; a column may serve twice (as --last and --mode). DataError naming the part,
// column and type for a type profile-build cannot read, or for a column the batch lacks.
void arrow_events_convert(const arrow::RecordBatch& batch, const ParquetEventColumns& columns, ParquetEventBatch& out);

}  // namespace kseg
