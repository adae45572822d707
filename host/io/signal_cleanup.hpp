// SIGINT and SIGTERM end kseg without leaving its temporary files and staging directories behind: paths in flight
// are registered here, and the handler (installed by a program's main) removes them with async-signal-safe calls
// and exits with 128 + the signal (130, 143).
#pragma once

#include <string>

namespace kseg {

// Installs the handler for SIGINT and SIGTERM. Programs call it once at start; library users who handle signals
// themselves leave it out (registrations then cost nothing and remove nothing).
void signal_cleanup_install();

// A path removed if SIGINT/SIGTERM ends the process while the registration lives: a file, or a directory tree
// (tree = true, at most 8 levels deep). The registry is process-wide by necessity, since a signal handler has no
// other way to reach it; it holds 64 paths of up to 4095 bytes (a longer path, or a 65th, is not registered).
class SignalCleanupPath {
 public:
  SignalCleanupPath(const std::string& path, bool tree);
  ~SignalCleanupPath();
  SignalCleanupPath(const SignalCleanupPath&) = delete;
  SignalCleanupPath& operator=(const SignalCleanupPath&) = delete;

 private:
  int slot_ = -1;
};

// While alive, SIGINT/SIGTERM wait: a publishing step (a directory swap) completes before the handler runs. When
// one arrived meanwhile, the destructor removes the registered paths and ends the process with its exit code.
class SignalDeferral {
 public:
  SignalDeferral();
  ~SignalDeferral();
  SignalDeferral(const SignalDeferral&) = delete;
  SignalDeferral& operator=(const SignalDeferral&) = delete;

 private:
  bool owner_ = false;
};

}  // namespace kseg
