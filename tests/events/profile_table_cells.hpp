// A cell of a built profile table by user id and column name, for the profile-build tests.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>

#include "host/events/profile_build.hpp"

namespace kseg::test {

// The numeric cell of user id in column; throws when either is not in the table.
inline double profile_cell(const ProfileTable& t, const std::string& id, const std::string& column) {
  const size_t row = std::find(t.ids.begin(), t.ids.end(), id) - t.ids.begin();
  const size_t col = std::find(t.numeric_names.begin(), t.numeric_names.end(), column) - t.numeric_names.begin();
  if (row >= t.ids.size() || col >= t.numeric_names.size()) throw std::runtime_error("no cell " + id + "/" + column);
  return t.numeric[col][row];
}

}  // namespace kseg::test
