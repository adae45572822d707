// The readers take paths (they memory-map files): each fuzz input is written to one temporary file first.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace kseg::fuzz {

// Writes the input to a per-process file under /tmp (or $TMPDIR) with the given extension; returns its path.
inline std::string input_file(const uint8_t* data, size_t size, const std::string& extension) {
  static const std::string path = [&] {
    const char* dir = getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/kseg_fuzz_" + std::to_string(getpid()) + extension;
  }();
  FILE* f = fopen(path.c_str(), "wb");
  if (f == nullptr) abort();
  if (size > 0 && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  return path;
}

}  // namespace kseg::fuzz
