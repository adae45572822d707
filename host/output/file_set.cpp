#include "host/output/file_set.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/signal_cleanup.hpp"

namespace kseg {

FileSet::FileSet() = default;

FileSet::~FileSet() {
  if (committed_) return;
  std::error_code ec;
  for (const Staged& f : files_) std::filesystem::remove(f.staged, ec);
  for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) ::rmdir(it->c_str());
}

std::string FileSet::stage(const std::string& target) {
  namespace fs = std::filesystem;
  struct stat info {};
  if (::stat(target.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
    throw DataError("cannot write " + target + ": " +
                    (S_ISDIR(info.st_mode) ? "it is a directory; give a file path"
                                           : "it is a device, FIFO or socket, not a regular file; give the path of a "
                                             "regular file"));
  const std::string resolved = symlink_target(target);
  fs::path dir = fs::path(resolved).parent_path();
  if (dir.empty()) dir = ".";
  // Missing parents, outermost first, recorded so that a failed run removes them again.
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.insert(missing.begin(), p);
    if (p == p.parent_path()) break;
  }
  for (const fs::path& p : missing) {
    if (!fs::create_directory(p, ec) && ec)
      throw DataError("cannot write " + target + ": cannot create directory " + p.string() + ": " + ec.message());
    created_dirs_.push_back(p.string());
  }
  if (!fs::is_directory(dir, ec))
    throw DataError("cannot write " + target + ": " + dir.string() + " is not a directory");
  Staged f;
  f.target = target;
  f.resolved = resolved;
  // Ends with the target's own name, so that writers that go by the extension (.npy, .parquet) see it.
  const std::string name = fs::path(resolved).filename().string();
  f.staged = (fs::path(resolved).parent_path() / ("." + name + ".kseg-staging." + std::to_string(::getpid()) + "." +
                                                  std::to_string(files_.size()) + "." + name))
                 .string();
  f.cleanup = std::make_unique<SignalCleanupPath>(f.staged, false);
  files_.push_back(std::move(f));
  return files_.back().staged;
}

void FileSet::adopt(const std::string& written, const std::string& target) {
  Staged f;
  f.target = target;
  f.resolved = symlink_target(target);
  f.staged = written;
  f.cleanup = std::make_unique<SignalCleanupPath>(f.staged, false);
  files_.push_back(std::move(f));
}

void FileSet::commit() {
  for (const Staged& f : files_)
    if (std::rename(f.staged.c_str(), f.resolved.c_str()) != 0)
      throw DataError("cannot write " + f.target + ": " + std::error_code(errno, std::generic_category()).message());
  committed_ = true;
  for (Staged& f : files_) f.cleanup.reset();
}

}  // namespace kseg
