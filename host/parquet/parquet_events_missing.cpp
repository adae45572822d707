// A build without Parquet support: reading a Parquet event log says how to get it, in the words fit uses.
#include "host/parquet/parquet_events.hpp"
#include "host/parquet/parquet_input.hpp"

namespace kseg {

void parquet_events_for_each(const ParquetEventColumns& columns, const Communicator&,
                             const std::function<void(const ParquetEventBatch&)>&) {
  parquet_column_names(columns.path);  // throws the UsageError saying how to build with Parquet
}

}  // namespace kseg
