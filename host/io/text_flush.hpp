// For writers that format rows into a string: the string goes to the file whenever it holds more than about 1 MiB,
// so memory stays bounded whatever the number of rows, and each write is large.
#pragma once

#include <cstddef>
#include <string>

#include "host/io/atomic_file.hpp"

namespace kseg {

constexpr size_t kTextFlushBytes = size_t{1} << 20;

// Writes text to file and empties it once it holds more than kTextFlushBytes; call after each row.
inline void text_flush_when_full(AtomicFile& file, std::string& text) {
  if (text.size() <= kTextFlushBytes) return;
  file.write(text);
  text.clear();
}

}  // namespace kseg
