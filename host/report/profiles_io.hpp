// profiles.csv (one row per segment × statistic, for spreadsheets) and profiles.json (everything, read back by
// `kseg report`).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "host/report/profiles.hpp"

namespace kseg {

// Header `segment,name,kind,column,level,value,population,index,std_diff,flag`; kind is size (value: rows,
// population: all rows), share (value: share of users, population: 1), mean, level_share, audit_mean or
// audit_level_share. Numbers are shortest round-trip doubles; an undefined value (NaN) is an empty field.
void profiles_csv_write(const std::string& path, const Profiles& profiles);

nlohmann::json profiles_to_json(const Profiles& profiles);
// DataError naming where for a document that is not a profiles.json.
Profiles profiles_from_json(const nlohmann::json& doc, const std::string& where);

}  // namespace kseg
