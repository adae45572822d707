// kseg profile-build: one row of behavioural features per user (RFM, windows, category mix, time habits) from a
// raw event log, and the spec that rebuilds the same columns from a later log.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "host/comm/communicator.hpp"
#include "host/events/profile_progress.hpp"

namespace kseg {

class ArrowStreamReader;  // host/parquet/arrow_stream.hpp

// Which feature families are built (see README "From event logs to profiles").
struct ProfileFamilies {
  bool rfm = true;         // recency, frequency, active days, tenure, inter-purchase days, monetary
  bool windows = true;     // events (and amounts) in the last N days for each window, trend of the last 30 days
  bool categories = true;  // share of events per category (needs category_column)
  bool time = true;        // weekend share; part-of-day shares when the times have a time of day
};

// What to build and from which columns. Defaults are the CLI's.
struct ProfileBuildRequest {
  std::string events_path;  // the event log (CSV with a header); with events_stream: how messages name it
  // An in-memory log (an Arrow C stream: kseg.profile_build on a DataFrame), read once in one process instead of
  // events_path.
  std::shared_ptr<ArrowStreamReader> events_stream;
  std::string user_column;      // required: who did it
  std::string time_column;      // required: when (ISO 8601 date or timestamp; converted to UTC)
  std::string amount_column;    // "" → no monetary features
  std::string category_column;  // "" → no category mix
  std::string as_of;  // reference date (YYYY-MM-DD or a timestamp; its UTC day); "" → the latest event's day
  std::vector<int> windows = {7, 30, 90};  // window lengths in days
  int max_categories = 10;                 // categories kept (most frequent); the others are "(other)"
  bool category_share_amount = false;      // category mix as shares of spend (positive amounts), not of events
  std::vector<std::string> last_columns;   // each user's most recent non-empty value: last_<COL>
  std::vector<std::string> mode_columns;   // each user's most frequent non-empty value: mode_<COL>
  bool rfm_scores = false;                 // R, F, M quintile scores and the named RFM segment
  ProfileFamilies families;                // the default: all (categories only where there is a category column)
  std::vector<std::string> categories;     // fixed category list (from a spec); used when categories_fixed
  bool categories_fixed = false;           // true: a replay; categories are not chosen from this log
  int time_of_day = -1;                    // part-of-day columns: -1 → when any time has a time of day; 0 no; 1 yes
  char delimiter = ',';
  int threads = 0;               // OpenMP threads; 0 → all cores. The output does not depend on it.
  ProfileProgressSink progress;  // once per batch read, then once when the users are built; unset: no reports
};

// A user table: ids, numeric columns (NaN = empty cell) and categorical columns, users in order of first appearance
// in the log.
struct ProfileTable {
  std::string id_name;
  std::vector<std::string> ids;
  std::vector<std::string> numeric_names;
  // [column][user]; deques, so a column being filled stays in place while the builders add the next ones
  std::deque<std::vector<double>> numeric;
  std::vector<std::string> categorical_names;
  std::deque<std::vector<std::string>> categorical;  // [column][user]; "" = empty cell
};

struct ProfileBuildProducts {
  ProfileTable users;
  ProfileBuildRequest settings;    // the request as resolved: categories fixed, time_of_day decided
  int32_t as_of_day = 0;           // days since 1970-01-01 (UTC)
  int64_t events_read = 0;         // data records in the log
  int64_t events_after_as_of = 0;  // left out: their UTC day is after the reference date
  int64_t amounts_missing = 0;     // events counted without an amount (empty cell, NA, NULL, ...)
  int64_t refunds = 0;             // events with a negative amount
};

// Builds the profiles. UsageError for unknown columns or bad settings; DataError at file:line:column for a time or
// amount that does not parse, an empty user id, or a log without events up to the reference date. Under MPI
// (comm.size() > 1; collective) each rank reads its share of the log, the events are routed by user to the rank that
// folds them, and rank 0 ends with the whole table, the same as one process builds (the other ranks: no users).
ProfileBuildProducts profile_build(const ProfileBuildRequest& request, const Communicator& comm = single_process());

// Reads a profile_build.json: every setting of the build that wrote it, categories fixed (events_path, as_of and
// threads are left empty/0: a replay takes them from the new run). DataError when unreadable or malformed.
ProfileBuildRequest profile_spec_read(const std::string& path);
// The same from the spec's text; path names it in errors.
ProfileBuildRequest profile_spec_parse(const std::string& text, const std::string& path);

// The text of profile_build.json for products (what profile_build_write writes beside users.csv).
std::string profile_spec_text(const ProfileBuildProducts& products);

// Writes users.csv (id, numeric, categorical columns) and the spec (profile_build.json), each atomically.
void profile_build_write(const ProfileBuildProducts& products, const std::string& users_path,
                         const std::string& spec_path);

// Parses "rfm,windows,categories,time" (any subset, at least one); UsageError naming --families otherwise.
ProfileFamilies profile_families_parse(const std::string& text);

// "YYYY-MM-DD" of a day count.
std::string day_format(int32_t day);

}  // namespace kseg
