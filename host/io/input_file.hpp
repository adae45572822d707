// Inputs are regular files: a FIFO, a directory, a device (/dev/zero) or a socket given where kseg reads a file is
// refused with one line before anything blocks on it or reads it forever; files read whole have a size limit.
#pragma once

#include <cstdint>
#include <string>

namespace kseg {

// Size limits of the files kseg reads whole (bytes). A model holds k × d centroids and the training histograms.
constexpr int64_t kModelFileMaxBytes = int64_t{1} << 30;   // model.json: 1 GiB
constexpr int64_t kJsonFileMaxBytes = int64_t{256} << 20;  // profiles.json, sweep.json, report.html: 256 MiB
constexpr int64_t kNamesFileMaxBytes = int64_t{16} << 20;  // --segment-names: 16 MiB
constexpr int64_t kKeyFileMaxBytes = int64_t{64} << 10;    // --hash-key-file: 64 KiB

// "a directory", "a FIFO (named pipe)", "a character device", ... for a stat mode; "" for a regular file.
std::string file_kind_describe(unsigned mode);

// DataError "cannot read WHAT PATH: it is a FIFO (named pipe), not a regular file" unless path is a regular file
// (stat: never blocks), or "... is N MiB; kseg reads it whole and accepts at most M MiB" when max_bytes > 0 and the
// file is larger. what: how the user gave it ("--model", "the input"), may be empty.
void input_file_check(const std::string& path, const std::string& what, int64_t max_bytes = 0);

// The whole file, after the same checks (opened non-blocking, checked on the open descriptor).
std::string input_file_read(const std::string& path, const std::string& what, int64_t max_bytes);

}  // namespace kseg
