// Output files appear whole or not at all: bytes go to a temporary file beside the target, renamed into place.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace kseg {

class SignalCleanupPath;

// The file a chain of symbolic links at path ends at (which need not exist yet); path itself when it is no link.
std::string symlink_target(const std::string& path);

class AtomicFile {
 public:
  // Creates ".<name>.tmp.XXXXXX" beside path. Throws DataError "cannot write <path>: <reason>" (e.g. a missing or
  // unwritable directory, or a path that is a directory, device, FIFO or socket: replacing a special file with a
  // regular one would break whatever reads it). A symbolic link is followed: the file it points to is replaced and
  // the link kept, as an output directory given as a link is written through it. SIGINT/SIGTERM remove the temporary
  // file (signal_cleanup.hpp).
  explicit AtomicFile(std::string path);
  // Unless committed: closes and removes the temporary file. Never throws.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Buffered append; throws DataError on a write error.
  void write(std::string_view bytes);
  // Flushes, fsyncs, closes and renames the temporary file over path; throws DataError on error.
  void commit();
  const std::string& path() const { return path_; }

 private:
  void buffer_flush();
  void bytes_write(const char* p, size_t size);
  [[noreturn]] void error_throw(const std::string& what) const;

  std::string path_;
  std::string target_;  // path_, or the file a symbolic link at path_ points to (the link is kept, its file replaced)
  std::string temp_path_;
  std::string buffer_;  // pending bytes, flushed when a write would exceed its capacity
  int fd_ = -1;
  bool committed_ = false;
  std::unique_ptr<SignalCleanupPath> cleanup_;
};

// Creates dir and its missing parents (mkdir -p); throws DataError when it cannot.
void directory_ensure(const std::string& dir);

}  // namespace kseg
