// An output must not replace an input: a command given --out equal to one of its inputs (the same path, another
// spelling of it, a symbolic or hard link to it) would destroy the input, and two outputs of one run at the same path
// would leave only the last. Checked before any work, as a usage error naming both options.
#pragma once

#include <string>
#include <vector>

namespace kseg {

struct NamedPath {
  std::string option;  // how the message names it: "--out", "--model", "INPUT"
  std::string path;    // "" = not given (skipped)
};

// Whether a and b name the same file: equivalent when both exist, else the same path once symbolic links and . / ..
// are resolved (an output that does not exist yet).
bool paths_same_file(const std::string& a, const std::string& b);

// UsageError "--out X is also --model: ..." when an output names an input or another output.
void output_paths_check(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

}  // namespace kseg
