#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_run.hpp"
#include "host/comm/communicator.hpp"
#include "host/io/signal_cleanup.hpp"
#ifdef KSEG_WITH_MPI
#include "host/mpi/mpi_communicator.hpp"
#endif

namespace {

#ifdef KSEG_WITH_MPI
// One rank of an mpirun/srun job. Rank 0 prints; the other ranks keep their messages and print them only when they
// fail. A failing rank ends the whole job (MPI_Abort) after its one-line error: the others may be waiting for it in
// a collective call. An error every rank meets (a bad option, a missing file) is printed once: the other ranks give
// rank 0 a second to print it and end the job before they print theirs.
int rank_main(const std::vector<std::string>& args, int& argc, char**& argv) {
  kseg::MpiCommunicator comm(&argc, &argv);
  std::ostream null_out(nullptr);
  std::ostringstream held_err;
  const bool root = comm.rank() == 0;
  const int code = kseg::cli_run(args, root ? std::cout : null_out, root ? std::cerr : held_err, comm);
  if (code != 0) {
    if (!root) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      std::cerr << held_err.str() << std::flush;
    }
    std::cout.flush();
    std::cerr.flush();
    comm.abort(code);
  }
  return 0;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  // SIGINT/SIGTERM remove kseg's temporary files and staging directories, then exit 130/143.
  kseg::signal_cleanup_install();
  std::vector<std::string> args(argv + 1, argv + argc);
  const int processes = kseg::launcher_process_count();
  if (processes > 1) {
#ifdef KSEG_WITH_MPI
    return rank_main(args, argc, argv);
#else
    std::cerr << "kseg: started as one of " << processes
              << " processes (mpirun/srun), but this kseg was built without MPI, so each process would run the whole "
                 "job alone: rebuild with MPI (libopenmpi-dev, cmake -DKSEG_MPI=ON) or run a single process\n";
    return 2;
#endif
  }
  return kseg::cli_run(args, std::cout, std::cerr);
}
