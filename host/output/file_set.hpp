// Separate output files replaced together: a command that writes several files that are not one directory (generate
// --out/--events/--campaign, profile-build's table and profile_build.json, measure's measure.csv and measure.json)
// writes each to a staged name beside its target, and commit() renames them all into place once every one is
// complete. A failed run (an error, a full disk, SIGINT/SIGTERM) leaves every target as it was, no staged file, and
// none of the directories stage() created.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace kseg {

class SignalCleanupPath;

class FileSet {
 public:
  FileSet();
  // Unless committed: removes the staged files and the directories stage() created (when empty). Never throws.
  ~FileSet();
  FileSet(const FileSet&) = delete;
  FileSet& operator=(const FileSet&) = delete;

  // The path to write target's bytes to (".<name>.kseg-staging.<pid>.<n>" beside it, shown as <name> in messages; a
  // symbolic link at target is followed, as AtomicFile does). Creates target's missing parent directories. DataError
  // "cannot write TARGET: ..." when target is a directory or a special file, or its directory cannot be made.
  std::string stage(const std::string& target);
  // A file a writer put beside a staged one (e.g. STAGED.truth.csv), renamed over target with the others.
  void adopt(const std::string& written, const std::string& target);
  // Renames every staged file over its target; DataError naming the target on failure.
  void commit();

 private:
  struct Staged {
    std::string target, resolved, staged;
    std::unique_ptr<SignalCleanupPath> cleanup;
  };
  std::vector<Staged> files_;
  std::vector<std::string> created_dirs_;  // deepest last
  bool committed_ = false;
};

}  // namespace kseg
