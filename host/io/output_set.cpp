#include "host/io/output_set.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <vector>

#include "host/error.hpp"
#include "host/io/signal_cleanup.hpp"

namespace kseg {
namespace {

namespace fs = std::filesystem;

constexpr unsigned kRenameExchange = 1u << 1;  // RENAME_EXCHANGE of <linux/fs.h>
constexpr int64_t kCarriedMax = 100000;        // entries of the previous directory carried into a new set, at most

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

// ".<target>.kseg-<kind>.<pid>." : the prefix of the hidden directories beside target.
std::string hidden_prefix(const std::string& target_name, const std::string& kind) {
  return "." + target_name + ".kseg-" + kind + ".";
}

// The pid in "<prefix><pid>.XXXXXX", or -1 when name is not of that form.
long hidden_pid(const std::string& name, const std::string& prefix) {
  if (name.size() < prefix.size() + 8 || name.compare(0, prefix.size(), prefix) != 0) return -1;
  const std::string rest = name.substr(prefix.size());
  const size_t dot = rest.find('.');
  if (dot == std::string::npos || dot == 0 || rest.size() - dot - 1 != 6) return -1;
  if (rest.find_first_not_of("0123456789") != dot) return -1;
  return std::stol(rest.substr(0, dot));
}

bool process_gone(long pid) { return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH; }

// The temporary names kseg writes beside an output (".NAME.tmp.XXXXXX", ".segments.parts.tmp.*"): never carried.
bool temporary_name(const std::string& name) {
  const size_t at = name.rfind(".tmp.");
  if (name.empty() || name[0] != '.' || at == std::string::npos) return false;
  return name.size() - at - 5 == 6 || name.rfind(".segments.parts.", 0) == 0;
}

// The process's umask (mkdtemp makes 0700; a new output directory gets the usual 0777 & ~umask).
mode_t umask_current() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

void directory_sync(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Removes what killed runs left beside target: staging directories (the previous set is intact), and after a
// killed fallback swap (no RENAME_EXCHANGE) the previous set put aside, which goes back when target is missing.
void stale_remove(const fs::path& target) {
  const fs::path parent = target.parent_path();
  const std::string name = target.filename().string();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string entry_name = entry.path().filename().string();
    if (output_set_stale(entry_name, target.string())) {
      fs::remove_all(entry.path(), ec);
    } else if (process_gone(hidden_pid(entry_name, hidden_prefix(name, "old")))) {
      if (!fs::exists(fs::symlink_status(target, ec))) {
        fs::rename(entry.path(), target, ec);
      } else {
        fs::remove_all(entry.path(), ec);
      }
    }
  }
}

}  // namespace

std::string output_path_shown(const std::string& path) {
  const std::string marker = ".kseg-staging.";
  const size_t at = path.find(marker);
  if (at == std::string::npos) return path;
  const size_t slash = at == 0 ? std::string::npos : path.rfind('/', at - 1);
  const size_t begin = slash == std::string::npos ? 0 : slash + 1;  // the component ".NAME.kseg-staging.PID.XXXXXX"
  const size_t end = path.find('/', at);
  if (path[begin] != '.' || begin + 1 >= at) return path;
  return path.substr(0, begin) + path.substr(begin + 1, at - begin - 1) +
         (end == std::string::npos ? std::string() : path.substr(end));
}

bool output_set_stale(const std::string& name, const std::string& target) {
  return process_gone(hidden_pid(name, hidden_prefix(fs::path(target).filename().string(), "staging")));
}

OutputSet::OutputSet(const std::string& dir, const std::string& option) : dir_(dir) {
  KSEG_EXPECTS(!dir.empty(), UsageError, option + " is empty: give an output directory");
  std::error_code ec;
  fs::path full = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  KSEG_EXPECTS(!ec, DataError, "cannot create directory " + dir + ": " + ec.message());
  if (!full.has_filename()) full = full.parent_path();
  // The deepest existing ancestor: the staging directory goes beside its child on the way to dir.
  fs::path target = full, existing = full;
  for (;;) {
    const fs::file_status status = fs::symlink_status(existing, ec);
    if (fs::exists(status)) break;
    KSEG_EXPECTS(existing.has_relative_path(), DataError, "cannot create directory " + dir + ": no existing parent");
    target = existing;
    existing = existing.parent_path();
  }
  KSEG_EXPECTS(fs::is_directory(existing, ec), DataError,
               "cannot create directory " + dir + ": " + existing.string() + " is not a directory");
  existed_ = fs::exists(fs::symlink_status(full, ec));
  const fs::path cwd = fs::current_path(ec);
  const std::string cwd_text = cwd.string() + "/", target_text = target.string() + "/";
  KSEG_EXPECTS(!existed_ || cwd_text.compare(0, target_text.size(), target_text) != 0, UsageError,
               option + " " + dir +
                   " is (or holds) the working directory: kseg swaps the whole directory in when it publishes "
                   "its outputs; give an output directory below it with --out");
  target_ = target.string();
  stale_remove(target);
  const fs::path pattern = target.parent_path() / (hidden_prefix(target.filename().string(), "staging") +
                                                   std::to_string(::getpid()) + ".XXXXXX");
  std::string name = pattern.string();
  KSEG_EXPECTS(::mkdtemp(name.data()) != nullptr, DataError,
               "cannot create directory " + dir + ": " + errno_text(errno));
  staging_ = name;
  cleanup_ = std::make_unique<SignalCleanupPath>(staging_, true);
  struct stat info {};
  if (existed_ && ::stat(target_.c_str(), &info) == 0) ::chmod(staging_.c_str(), info.st_mode & 07777);
  if (!existed_) ::chmod(staging_.c_str(), 0777 & ~umask_current());
  path_ = (fs::path(staging_) / full.lexically_relative(target)).lexically_normal().string();
  if (!path_.empty() && path_.back() == '/') path_.pop_back();
  fs::create_directories(path_, ec);
  KSEG_EXPECTS(!ec, DataError, "cannot create directory " + dir + ": " + ec.message());
}

OutputSet::~OutputSet() {
  if (published_ || staging_.empty()) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

void OutputSet::carry(const std::string& from, const std::string& to, bool top, int64_t& carried) const {
  std::error_code list_error;
  fs::directory_iterator entries(from, list_error), end;
  for (; !list_error && entries != end; entries.increment(list_error)) {
    const std::string name = entries->path().filename().string();
    if (top && (temporary_name(name) || std::find(dropped_.begin(), dropped_.end(), name) != dropped_.end())) continue;
    const fs::path source = entries->path(), copy = fs::path(to) / name;
    std::error_code ec, absent;
    const fs::file_status status = fs::symlink_status(source, ec);
    const fs::file_status present = fs::symlink_status(copy, absent);
    if (fs::exists(present)) continue;  // this run wrote it (a file or a whole subdirectory): the new one wins
    KSEG_EXPECTS(++carried <= kCarriedMax, DataError,
                 "cannot publish " + dir_ + ": it holds more than " + std::to_string(kCarriedMax) +
                     " entries kseg did not write (kseg would carry them all into the new set); give a dedicated "
                     "output directory; the directory is unchanged");
    if (fs::is_symlink(status)) {
      fs::copy_symlink(source, copy, ec);
    } else if (fs::is_directory(status)) {
      fs::create_directory(copy, source, ec);
      if (!ec) carry(source.string(), copy.string(), false, carried);
    } else if (::link(source.c_str(), copy.c_str()) != 0) {
      const int error = errno;
      ec = std::error_code(error, std::generic_category());
      if (fs::is_regular_file(status)) fs::copy_file(source, copy, ec);
    }
    KSEG_EXPECTS(!ec, DataError,
                 "cannot publish " + dir_ + ": " + source.string() + " could not be carried into the new set (" +
                     ec.message() + "); the directory is unchanged");
  }
  KSEG_EXPECTS(!list_error, DataError,
               "cannot publish " + dir_ + ": cannot list " + from + " (" + list_error.message() + ")");
}

void OutputSet::publish() {
  KSEG_EXPECTS(!published_, DataError, "cannot publish " + dir_ + " twice");
  const SignalDeferral deferral;
  std::error_code ec;
  const std::string parent = fs::path(target_).parent_path().string();
  if (!existed_) {
    KSEG_EXPECTS(::rename(staging_.c_str(), target_.c_str()) == 0, DataError,
                 "cannot publish " + dir_ + ": " + errno_text(errno));
    published_ = true;
    directory_sync(parent);
    return;
  }
  int64_t carried = 0;
  carry(target_, staging_, true, carried);
  if (::syscall(SYS_renameat2, AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), kRenameExchange) != 0) {
    const int error = errno;
    KSEG_EXPECTS(error == EINVAL || error == ENOSYS || error == EOPNOTSUPP, DataError,
                 "cannot publish " + dir_ + ": " + errno_text(error) + "; the directory is unchanged");
    // No atomic exchange on this file system: put the previous set aside, then rename the new one in. A kill
    // between the two renames leaves the previous set aside, and the next run puts it back.
    std::string aside = (fs::path(parent) / (hidden_prefix(fs::path(target_).filename().string(), "old") +
                                             std::to_string(::getpid()) + ".XXXXXX"))
                            .string();
    KSEG_EXPECTS(::mkdtemp(aside.data()) != nullptr && ::rename(target_.c_str(), aside.c_str()) == 0, DataError,
                 "cannot publish " + dir_ + ": " + errno_text(errno) + "; the directory is unchanged");
    if (::rename(staging_.c_str(), target_.c_str()) != 0) {
      const int failed = errno;
      ::rename(aside.c_str(), target_.c_str());
      throw DataError("cannot publish " + dir_ + ": " + errno_text(failed) + "; the directory is unchanged");
    }
    staging_ = aside;
  }
  published_ = true;
  directory_sync(parent);
  fs::remove_all(staging_, ec);  // now the previous set; a failure leaves it for the next run's stale_remove
}

}  // namespace kseg
