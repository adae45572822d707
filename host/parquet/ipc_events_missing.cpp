// A build without Arrow support: reading an Arrow IPC event log is refused with the line that says how to get Arrow
// support (as parquet_missing.cpp does for Parquet); nothing here is left to write.
#include "host/error.hpp"
#include "host/parquet/columnar_events.hpp"

namespace kseg {
namespace {

[[noreturn]] void unsupported(const std::string& path) {
  throw UsageError(path +
                   " is an Arrow IPC file, but this kseg was built without Arrow support: run "
                   "scripts/install-deps.sh and rebuild (cmake finds Arrow C++ in the .venv/ pyarrow)");
}

}  // namespace

std::vector<std::string> ipc_column_names(const std::string& path) { unsupported(path); }

void ipc_events_for_each(const ParquetEventColumns& columns, const Communicator&,
                         const std::function<void(const ParquetEventBatch&)>&) {
  unsupported(columns.path);
}

}  // namespace kseg
