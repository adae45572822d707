// Event times: ISO 8601 dates and timestamps with an optional time of day and UTC offset, converted to UTC.
#pragma once

#include <cstdint>
#include <string_view>

namespace kseg {

// One parsed event time. Days count from 1970-01-01 (proleptic Gregorian).
struct EventTime {
  int64_t utc_seconds = 0;    // seconds since 1970-01-01T00:00Z; a date alone is its midnight UTC
  int32_t utc_day = 0;        // floor(utc_seconds / 86400): the day the event counts on for recency and windows
  int32_t local_day = 0;      // the calendar date as written (before converting to UTC), for the weekday
  int16_t local_minute = -1;  // minute of the day as written (0..1439); -1 when the text has no time of day
};

// Parses "YYYY-MM-DD", optionally followed by 'T' or ' ' and "HH:MM", "HH:MM:SS" or "HH:MM:SS.fff…", then an
// optional zone: 'Z', "+HH:MM", "+HHMM" or "+HH" (or '-'). A time without a zone is taken as UTC. The fraction of a
// second is ignored. Leading and trailing spaces are allowed. Returns false for anything else (a bad month, day,
// hour, minute, second or zone).
bool event_time_parse(std::string_view text, EventTime& time);

// The last date read in the common shape ("YYYY-MM-DDTHH:MM:SS[Z]") and its day count: logs written in time order
// repeat a date for many events in a row, which then costs a comparison instead of its digits and calendar
// arithmetic (about a third of the parse's instructions). One per thread.
struct EventDateCache {
  uint64_t date = 0;            // the text's first 8 bytes
  uint64_t day = ~uint64_t{0};  // its bytes 8 and 9 (never all ones: nothing is cached yet)
  int32_t days = 0;
};

// The same, remembering the last date of the common shape in cache (the results are those without it).
bool event_time_parse(std::string_view text, EventTime& time, EventDateCache& cache);

// Day of the week of a day count: 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
inline int weekday_of(int32_t day) { return static_cast<int>(((int64_t{day} + 4) % 7 + 7) % 7); }

}  // namespace kseg
