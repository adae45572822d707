// Parquet tests: files are written (and outputs read back) with pyarrow through KSEG_PYTHON, independently of kseg's
// own Arrow code. Tests skip with the reason where kseg lacks Parquet support or the Python has no pyarrow.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "../io/test_files.hpp"
#include "host/parquet/parquet_input.hpp"

namespace kseg::test {

// "" when Parquet tests can run, else why not.
inline std::string parquet_unavailable() {
  if (!parquet_support_built()) return "kseg was built without Parquet support (KSEG_PARQUET)";
  static const bool pyarrow = std::system((std::string(KSEG_PYTHON) + " -c 'import pyarrow' 2>/dev/null").c_str()) == 0;
  if (!pyarrow) return std::string("no pyarrow in ") + KSEG_PYTHON + " (scripts/install-python-deps.sh)";
  return "";
}

// Runs a Python program (pyarrow imported as pa, pyarrow.parquet as pq, pyarrow.csv as pcsv) in dir; returns its
// exit code. argv[1] is the directory.
inline int python_run(const ScratchDir& dir, const std::string& program) {
  const std::string script = dir.file("script.py");
  std::ofstream(script) << "import sys, os\nimport pyarrow as pa, pyarrow.parquet as pq, pyarrow.csv as pcsv\n"
                        << "os.chdir(sys.argv[1])\n"
                        << program;
  return std::system((std::string(KSEG_PYTHON) + " " + script + " " + dir.path().string()).c_str());
}

// model.json without the input's path, which names the file and so differs between the CSV and the Parquet run.
inline nlohmann::json model_without_input(const std::string& path) {
  nlohmann::json model = nlohmann::json::parse(file_read(path));
  model["fit"].erase("input");
  return model;
}

// The products of the fits into dir/from_csv and dir/from_parquet: byte-identical segments, centroids and profiles,
// the same model but for its input's path.
inline void fit_products_expect_equal(const ScratchDir& dir) {
  for (const char* name : {"segments.csv", "centroids.csv", "profiles.csv"})
    EXPECT_EQ(file_read(dir.file(std::string("from_csv/") + name)),
              file_read(dir.file(std::string("from_parquet/") + name)))
        << name;
  EXPECT_EQ(model_without_input(dir.file("from_csv/model.json")),
            model_without_input(dir.file("from_parquet/model.json")));
}

}  // namespace kseg::test
