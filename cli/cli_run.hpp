// The kseg command line as a function, so tests can run it in-process.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace kseg {

// Runs `kseg ARGS...` (args excludes the program name). Returns the exit code: 0 success, 1 data or runtime
// error, 2 usage error. Normal output goes to out, notices and errors to err.
int cli_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace kseg
