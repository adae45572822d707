// Integers read from JSON files a person may have edited (model.json, profiles.json, sweep.json,
// profile_build.json). nlohmann's get<int>() converts without a check: 1e300 becomes INT_MIN (a float out of range is
// undefined behaviour), 2^40 wraps to 0, 1.9 becomes 1. These read only a whole number within the type's range and
// otherwise throw a DataError naming the file and the field.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "host/error.hpp"

namespace kseg {

// v as a T; where: the file, field: the key as the message shows it (e.g. "n_clusters", "windows[2]").
template <typename T>
T json_integer(const nlohmann::json& v, const std::string& field, const std::string& where) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  using limits = std::numeric_limits<T>;
  if (v.is_number_unsigned()) {
    const auto u = v.get<uint64_t>();
    if (u <= static_cast<uint64_t>(limits::max())) return static_cast<T>(u);
  } else if (v.is_number_integer()) {
    const auto s = v.get<int64_t>();
    if (limits::is_signed ? s >= static_cast<int64_t>(limits::min()) && s <= static_cast<int64_t>(limits::max())
                          : s >= 0 && static_cast<uint64_t>(s) <= static_cast<uint64_t>(limits::max()))
      return static_cast<T>(s);
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    // ±2^63 and 2^64 are exact doubles: the comparisons below never round a value into range.
    const double low = limits::is_signed ? -9223372036854775808.0 : 0.0;
    const double high = limits::is_signed ? 9223372036854775808.0 : 18446744073709551616.0;
    if (std::isfinite(d) && d == std::floor(d) && d >= low && d < high) {
      if (limits::is_signed) {
        const auto s = static_cast<int64_t>(d);
        if (s >= static_cast<int64_t>(limits::min()) && s <= static_cast<int64_t>(limits::max()))
          return static_cast<T>(s);
      } else {
        const auto u = static_cast<uint64_t>(d);
        if (u <= static_cast<uint64_t>(limits::max())) return static_cast<T>(u);
      }
    }
  }
  throw DataError(where + ": \"" + field + "\" is " + v.dump().substr(0, 40) + ", not a whole number from " +
                  std::to_string(limits::min()) + " to " + std::to_string(limits::max()) +
                  " (damaged or hand-edited file)");
}

// v.at(key) as a T.
template <typename T>
T json_integer_at(const nlohmann::json& v, const std::string& key, const std::string& where) {
  return json_integer<T>(v.at(key), key, where);
}

// v.at(key), an array, as T values.
template <typename T>
std::vector<T> json_integers_at(const nlohmann::json& v, const std::string& key, const std::string& where) {
  const nlohmann::json& array = v.at(key);
  if (!array.is_array())
    throw DataError(where + ": \"" + key + "\" is " + array.dump().substr(0, 40) + ", not a list of whole numbers");
  std::vector<T> out;
  out.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i)
    out.push_back(json_integer<T>(array[i], key + "[" + std::to_string(i) + "]", where));
  return out;
}

}  // namespace kseg
