#include "host/events/event_time.hpp"

#include "host/data/schema.hpp"

namespace kseg {

namespace {

// Reads exactly n digits at text[at...]; false when one is not a digit or the text is too short.
bool digits_read(std::string_view text, size_t at, int n, int& value) {
  if (at + static_cast<size_t>(n) > text.size()) return false;
  value = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[at + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

// The zone suffix at text[at...] ("" → UTC, "Z", "+HH", "+HHMM", "+HH:MM"); offset in minutes east of UTC.
bool zone_parse(std::string_view text, size_t at, int& offset_minutes) {
  offset_minutes = 0;
  if (at == text.size()) return true;
  if (text[at] == 'Z' || text[at] == 'z') return at + 1 == text.size();
  if (text[at] != '+' && text[at] != '-') return false;
  const int sign = text[at] == '+' ? 1 : -1;
  int hours = 0, minutes = 0;
  if (!digits_read(text, at + 1, 2, hours)) return false;
  size_t next = at + 3;
  if (next < text.size() && text[next] == ':') ++next;
  if (next < text.size() && !digits_read(text, next, 2, minutes)) return false;
  if (next < text.size()) next += 2;
  if (next != text.size() || hours > 18 || minutes > 59) return false;
  offset_minutes = sign * (hours * 60 + minutes);
  return true;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

bool event_time_parse(std::string_view text, EventTime& time) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  float days = 0.0f;
  // The calendar part is the schema's ISO date parser (it accepts and ignores anything after 'T' or ' ').
  if (!iso_date_parse(text.substr(0, 10), days)) return false;
  if (text.size() > 10 && text[10] != 'T' && text[10] != ' ') return false;
  time.local_day = static_cast<int32_t>(days);
  time.local_minute = -1;
  int64_t local_seconds = int64_t{time.local_day} * 86400;
  int offset_minutes = 0;
  if (text.size() > 10) {
    int hour = 0, minute = 0, second = 0;
    if (!digits_read(text, 11, 2, hour) || text.size() < 16 || text[13] != ':' || !digits_read(text, 14, 2, minute))
      return false;
    size_t at = 16;
    if (at < text.size() && text[at] == ':') {
      if (!digits_read(text, at + 1, 2, second)) return false;
      at += 3;
      if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
        ++at;
        const size_t digits_begin = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
        if (at == digits_begin) return false;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return false;  // 60: a leap second
    if (!zone_parse(text, at, offset_minutes)) return false;
    time.local_minute = static_cast<int16_t>(hour * 60 + minute);
    local_seconds += hour * 3600 + minute * 60 + second;
  }
  time.utc_seconds = local_seconds - int64_t{offset_minutes} * 60;
  time.utc_day = static_cast<int32_t>(floor_div(time.utc_seconds, 86400));
  return true;
}

}  // namespace kseg
