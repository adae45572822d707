// Errors kseg reports to users. Library code throws; the CLI catches once, prints one line, sets the exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace kseg {

// Bad input data, an unreadable file or a failure while running: exit code 1.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad command line: unknown or contradictory options, values out of range: exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Formats "file:line:column: message" (line/column omitted when 0) for errors located in an input file.
std::string location_format(const std::string& file, long long line, long long column, const std::string& message);

}  // namespace kseg

// Validate user-facing preconditions at public entry points.
#define KSEG_EXPECTS(cond, ErrorType, message) \
  do {                                         \
    if (!(cond)) throw ErrorType(message);     \
  } while (0)
