#include "host/io/signal_cleanup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace kseg {
namespace {

constexpr int kSlots = 64;
constexpr size_t kPathBytes = 4096;
constexpr int kDepth = 8;

struct Slot {
  std::atomic<int> state{0};  // 0 free, 1 being filled, 2 registered
  bool tree = false;
  char path[kPathBytes] = {};
};

// The process-wide registry: a signal handler can reach nothing else.
Slot g_slots[kSlots];
// 0 running, 1 a publish is in progress (signals wait), 2 the handler is removing the paths.
std::atomic<int> g_phase{0};
std::atomic<int> g_pending{0};  // a signal that arrived while publishing

// The fixed head of a struct linux_dirent64 record; the NUL-terminated name follows at kNameOffset.
struct LinuxDirent64Head {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
};
constexpr size_t kNameOffset = 19;

// Removes everything inside the directory dir_fd (async-signal-safe: openat, getdents64, unlinkat).
void tree_empty(int dir_fd, int depth) {
  alignas(8) char buffer[2048];
  for (int pass = 0; pass < 4; ++pass) {
    bool removed_any = false;
    ::lseek(dir_fd, 0, SEEK_SET);
    for (;;) {
      const long n = ::syscall(SYS_getdents64, dir_fd, buffer, sizeof buffer);
      if (n <= 0) break;
      for (long offset = 0; offset < n;) {
        unsigned short length = 0;
        std::memcpy(&length, buffer + offset + offsetof(LinuxDirent64Head, d_reclen), sizeof length);
        const char* name = buffer + offset + kNameOffset;
        offset += length;
        if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
        if (::unlinkat(dir_fd, name, 0) == 0) {
          removed_any = true;
          continue;
        }
        if (depth >= kDepth) continue;
        const int child = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0) continue;
        tree_empty(child, depth + 1);
        ::close(child);
        if (::unlinkat(dir_fd, name, AT_REMOVEDIR) == 0) removed_any = true;
      }
    }
    if (!removed_any) break;
  }
}

void slots_remove() {
  for (Slot& slot : g_slots) {
    if (slot.state.load() != 2) continue;
    if (!slot.tree) {
      ::unlink(slot.path);
      continue;
    }
    // Another thread may still be writing into the tree: empty it until the directory itself goes.
    for (int attempt = 0; attempt < 8; ++attempt) {
      const int fd = ::open(slot.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) break;
      tree_empty(fd, 0);
      ::close(fd);
      if (::rmdir(slot.path) == 0 || errno == ENOENT) break;
    }
  }
}

void signal_handle(int signal) {
  int expected = 0;
  if (!g_phase.compare_exchange_strong(expected, 2)) {
    if (expected == 1) g_pending.store(signal);  // publishing: SignalDeferral ends the process afterwards
    return;
  }
  slots_remove();
  ::_exit(128 + signal);
}

}  // namespace

void signal_cleanup_install() {
  struct sigaction action {};
  action.sa_handler = signal_handle;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

SignalCleanupPath::SignalCleanupPath(const std::string& path, bool tree) {
  if (path.size() >= kPathBytes) return;
  for (int s = 0; s < kSlots; ++s) {
    int expected = 0;
    if (!g_slots[s].state.compare_exchange_strong(expected, 1)) continue;
    std::memcpy(g_slots[s].path, path.c_str(), path.size() + 1);
    g_slots[s].tree = tree;
    g_slots[s].state.store(2);
    slot_ = s;
    return;
  }
}

SignalCleanupPath::~SignalCleanupPath() {
  if (slot_ >= 0) g_slots[slot_].state.store(0);
}

SignalDeferral::SignalDeferral() {
  int expected = 0;
  owner_ = g_phase.compare_exchange_strong(expected, 1);
  // The handler already runs on another thread: it ends the process; wait for it rather than race it.
  while (!owner_ && g_phase.load() == 2) ::pause();
}

SignalDeferral::~SignalDeferral() {
  if (!owner_) return;
  const int signal = g_pending.exchange(0);
  if (signal == 0) {
    g_phase.store(0);
    return;
  }
  g_phase.store(2);
  slots_remove();
  ::_exit(128 + signal);
}

}  // namespace kseg
