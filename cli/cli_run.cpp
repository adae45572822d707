#include "cli/cli_run.hpp"

#include <ostream>

namespace kseg {

int cli_run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  (void)args;
  (void)out;
  err << "kseg: not built yet\n";
  return 1;
}

}  // namespace kseg
