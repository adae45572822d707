// users.csv: the profile table as CSV text (id, numeric, categorical columns), numbers with 12 significant digits.
#pragma once

#include <string>

#include "host/events/profile_build.hpp"

namespace kseg {

// Writes t to path atomically with delimiter between cells: a header, then one line per user. Text cells are quoted
// (inner quotes doubled) when they hold the delimiter, a quote or a line break; numbers are written as
// std::to_chars(general, 12) writes them (sums of amounts read back as written: 2243.06, not 2243.0600000000004;
// counts exactly), NaN as an empty cell. Blocks of rows are formatted on `threads` threads.
void users_csv_write(const ProfileTable& t, const std::string& path, char delimiter, int threads);

}  // namespace kseg
