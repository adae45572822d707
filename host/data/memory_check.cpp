#include "host/data/memory_check.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cstdio>
#include <fstream>
#include <limits>

#include "host/error.hpp"

namespace kseg {

uint64_t memory_available_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return std::numeric_limits<uint64_t>::max();
}

void memory_check(double bytes, uint64_t available, const std::string& what) {
  if (bytes <= static_cast<double>(available)) return;
  char message[256];
  std::snprintf(message, sizeof(message),
                "%s needs %.1f GiB but only %.1f GiB of memory are available; use fewer rows or columns, a smaller "
                "--k, or more processes (mpirun)",
                what.c_str(), bytes / 1073741824.0, static_cast<double>(available) / 1073741824.0);
  throw DataError(message);
}

void memory_release_to_system() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

}  // namespace kseg
