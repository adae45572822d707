// Recognising a Parquet input needs no Arrow: a build without Parquet support still names the file for what it is.
#include <algorithm>
#include <filesystem>

#include "host/error.hpp"
#include "host/io/input_format.hpp"
#include "host/parquet/parquet_input.hpp"
#include "host/parquet/parquet_output.hpp"

namespace kseg {
namespace {

bool name_ends_with(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool parquet_input_is(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return true;
  // The bytes are checked first (which refuses a FIFO or a device before anything opens it); a damaged file named
  // *.parquet is still reported as a damaged Parquet file, not parsed as CSV.
  return input_format_detect(path) == InputFormat::parquet || name_ends_with(path, ".parquet");
}

std::vector<std::string> parquet_parts_list(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return {path};
  std::vector<std::string> parts;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    const std::string name = entry.path().filename().string();
    // Spark and warehouses leave _SUCCESS, _metadata and .crc files beside the parts.
    if (name.empty() || name[0] == '.' || name[0] == '_' || !entry.is_regular_file(ec)) continue;
    if (name_ends_with(name, ".parquet")) parts.push_back(entry.path().string());
  }
  KSEG_EXPECTS(!ec, DataError, path + ": cannot list the directory (" + ec.message() + ")");
  std::sort(parts.begin(), parts.end());
  KSEG_EXPECTS(!parts.empty(), DataError,
               "cannot read " + path +
                   ": it is a directory, not a regular file, and holds no *.parquet parts; give a CSV, .npy or "
                   "Parquet file, or a directory of Parquet parts");
  return parts;
}

bool parquet_output_path_is(const std::string& path) { return name_ends_with(path, ".parquet"); }

void out_format_check(const std::string& format, const std::string& option) {
  KSEG_EXPECTS(format == "csv" || format == "parquet", UsageError,
               option + ": expected csv or parquet, got \"" + format + "\"");
  KSEG_EXPECTS(
      format == "csv" || parquet_support_built(), UsageError,
      option + " parquet: this kseg was built without Parquet support; run scripts/install-deps.sh and rebuild");
}

std::vector<std::string> segment_files_other_format(const std::string& format) {
  const std::string other = format == "parquet" ? "csv" : "parquet";
  return {"segments." + other, "centroids." + other};
}

std::string segments_out_resolve(const std::string& out, const std::string& format, const std::string& default_out) {
  const bool named_parquet = parquet_output_path_is(out);
  const std::string chosen = format.empty() ? (named_parquet ? "parquet" : "csv") : format;
  out_format_check(chosen);
  if (chosen == "parquet" && out == default_out && !named_parquet) return out.substr(0, out.rfind('.')) + ".parquet";
  KSEG_EXPECTS((chosen == "parquet") == named_parquet, UsageError,
               "--out " + out + " does not match --out-format " + chosen + ": name the file *." + chosen);
  return out;
}

}  // namespace kseg
