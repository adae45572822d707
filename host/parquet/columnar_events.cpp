// Recognising a columnar event log needs no Arrow, so a build without Arrow still names the file for what it is; the
// reading is dispatched to the Arrow IPC or the Parquet reader.
#include "host/parquet/columnar_events.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>

#include "host/error.hpp"
#include "host/parquet/parquet_input.hpp"

namespace kseg {
namespace {

bool name_ends_with(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool ipc_name_is(const std::string& name) {
  return name_ends_with(name, ".arrow") || name_ends_with(name, ".feather") || name_ends_with(name, ".ipc");
}

// The regular files of a directory a Spark-like writer leaves as parts (no _SUCCESS, _metadata, dot files).
std::vector<std::string> directory_files(const std::string& path) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || name[0] == '_' || !entry.is_regular_file(ec)) continue;
    files.push_back(entry.path().string());
  }
  KSEG_EXPECTS(!ec, DataError, path + ": cannot list the directory (" + ec.message() + ")");
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

bool ipc_input_is(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    const std::vector<std::string> files = directory_files(path);
    const auto parquet = [](const std::string& f) { return name_ends_with(f, ".parquet"); };
    return std::any_of(files.begin(), files.end(), ipc_name_is) && std::none_of(files.begin(), files.end(), parquet);
  }
  // Only a regular file is opened (a FIFO or a device is left to the CSV reader, which refuses it).
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  if (ipc_name_is(path)) return true;
  // The IPC file format starts and ends with the magic (so a CSV whose header begins "ARROW1" stays a CSV).
  std::array<char, 6> head{}, tail{};
  std::ifstream in(path, std::ios::binary);
  if (!in.read(head.data(), head.size()) || !in.seekg(-6, std::ios::end) || !in.read(tail.data(), tail.size()))
    return false;
  return std::string(head.data(), 6) == "ARROW1" && std::string(tail.data(), 6) == "ARROW1";
}

std::vector<std::string> ipc_parts_list(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return {path};
  std::vector<std::string> parts = directory_files(path);
  parts.erase(std::remove_if(parts.begin(), parts.end(), [](const std::string& f) { return !ipc_name_is(f); }),
              parts.end());
  KSEG_EXPECTS(!parts.empty(), DataError,
               "cannot read " + path + ": the directory holds no *.arrow, *.feather or *.ipc parts");
  return parts;
}

bool columnar_events_input_is(const std::string& path) {
  return npy_events_input_is(path) || ipc_input_is(path) || parquet_input_is(path);
}

std::vector<std::string> columnar_events_column_names(const std::string& path) {
  if (npy_events_input_is(path)) return npy_events_column_names(path);
  return ipc_input_is(path) ? ipc_column_names(path) : parquet_column_names(path);
}

void columnar_events_for_each(const ParquetEventColumns& columns, const Communicator& comm,
                              const std::function<void(const ParquetEventBatch&)>& fn) {
  if (npy_events_input_is(columns.path)) {
    npy_events_for_each(columns, comm, fn);
  } else if (ipc_input_is(columns.path)) {
    ipc_events_for_each(columns, comm, fn);
  } else {
    parquet_events_for_each(columns, comm, fn);
  }
}

}  // namespace kseg
