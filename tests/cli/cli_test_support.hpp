// Running the kseg CLI in-process and reading its outputs, for the CLI tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../io/test_files.hpp"
#include "cli/cli_run.hpp"

namespace kseg::test {

struct CliResult {
  int code = 0;
  std::string out;
  std::string err;
};

inline CliResult cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = cli_run(args, out, err);
  return {code, out.str(), err.str()};
}

inline std::vector<std::string> lines_split(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace kseg::test
