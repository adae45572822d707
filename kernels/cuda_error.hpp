// The error the CUDA backend throws: a failed CUDA or cuBLAS call, or a device allocation over the budget.
// Plain C++ (no CUDA types), so the CLI can catch it next to the other kseg errors.
#pragma once

#include <string>

#include "host/error.hpp"

namespace kseg {

// A DataError (exit code 1) that names the failed statement and where it was made.
class CudaError : public DataError {
 public:
  using DataError::DataError;
};

// "<statement> failed at <file>:<line>: <what>", the one message format of every CUDA failure.
inline std::string cuda_error_format(const char* statement, const char* file, int line, const std::string& what) {
  return std::string(statement) + " failed at " + file + ":" + std::to_string(line) + ": " + what;
}

}  // namespace kseg
