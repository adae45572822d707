#include <iostream>
#include <string>
#include <vector>

#include "cli/cli_run.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return kseg::cli_run(args, std::cout, std::cerr);
}
