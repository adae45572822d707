// The kseg command line as a function, so tests can run it in-process.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace kseg {

class Communicator;

// Runs `kseg ARGS...` (args excludes the program name). Returns the exit code: 0 success, 1 data or runtime
// error, 2 usage error. Normal output goes to out, notices and errors to err.
int cli_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The same as one rank of a data-parallel job (mpirun): fit and assign split the rows across comm's processes and
// rank 0 writes the outputs; the other commands run on rank 0 only.
int cli_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const Communicator& comm);

}  // namespace kseg
