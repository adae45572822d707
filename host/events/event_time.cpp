#include "host/events/event_time.hpp"

#include "host/data/schema.hpp"
#include "host/floor_div.hpp"
#include "host/io/word_digits.hpp"

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

// Days from civil (H. Hinnant), as the ISO date parser counts them, of a valid date. The year is moved one era
// (400 years, 146097 days) up so that it is never negative, and the divisions are multiplications: g++ 12 emitted
// divisions here, a tenth of an event's parse. (y * 5243) >> 21 is y / 400 for y <= 10400 and (x * 1311) >> 17 is
// x / 100 for x < 400: both factors exceed the exact ones by so little that no quotient moves past an integer.
int32_t civil_days(int year, int month, int day) {
  static const unsigned days_before_month[12] = {306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275};  // from March
  const auto y = static_cast<unsigned>(year + 400 - (month <= 2));
  const unsigned era = (y * 5243u) >> 21, yoe = y - era * 400;
  const unsigned doy = days_before_month[month - 1] + static_cast<unsigned>(day) - 1;
  return static_cast<int32_t>(era * 146097 + yoe * 365 + yoe / 4 - ((yoe * 1311u) >> 17) + doy) - 146097 - 719468;
}

// The day count of the date in the words "YYYY-MM-" and "DD…" (bytes 0 and 1 of middle); false for another shape or
// an invalid date.
bool common_date_parse(uint64_t date, uint64_t middle, int32_t& days) {
  constexpr uint64_t kDateSeparators = 0xFF0000FF00000000ull, kDateDigits = 0x00FFFF00FFFFFFFFull;
  uint64_t date_values = 0, day_values = 0;
  const bool shape = (date & kDateSeparators) == 0x2D00002D00000000ull;
  if (!(shape & digits_word(date, kDateDigits, date_values) & digits_word(middle, 0xFFFF, day_values))) return false;
  const uint64_t date_pairs = digit_pairs(date_values);
  const int year = byte_at(date_pairs, 0) * 100 + byte_at(date_pairs, 2), month = byte_at(date_pairs, 5);
  const int day = byte_at(digit_pairs(day_values), 0);
  static const int month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1]) return false;
  if (month == 2 && day == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return false;
  days = civil_days(year, month, day);
  return true;
}

// The shape most logs write, "YYYY-MM-DDTHH:MM:SS" then 'Z' or nothing, in one pass without the general parser's
// trimming, fraction and zone handling (which took a quarter of the time spent parsing events): three 8-byte words
// ("YYYY-MM-", "DDTHH:MM", "HH:MM:SS", the last two overlapping), their separators compared and their digits checked
// and combined a word at a time, without a branch per character; the date's day count taken from cache when the
// date is the one read last. false: another shape or an invalid value, which the general parser then reads or
// refuses (the results agree where both accept).
bool common_time_parse(std::string_view text, EventTime& time, EventDateCache& cache) {
  const size_t n = text.size();
  if (n != 19 && (n != 20 || text[19] != 'Z')) return false;
  const char* p = text.data();
  const uint64_t date = word_load(p), middle = word_load(p + 8), clock = word_load(p + 11);
  // The clock: 'T' at 10 (byte 2 of the middle word), ':' at 13 and 16 (bytes 2 and 5 of the clock word).
  constexpr uint64_t kClockSeparators = 0x0000FF0000FF0000ull, kClockDigits = 0xFFFF00FFFF00FFFFull;
  uint64_t clock_values = 0;
  const bool shape = byte_at(middle, 2) == 'T' && (clock & kClockSeparators) == 0x00003A00003A0000ull;
  if (!(shape & digits_word(clock, kClockDigits, clock_values))) return false;
  const uint64_t clock_pairs = digit_pairs(clock_values);
  const int hour = byte_at(clock_pairs, 0), minute = byte_at(clock_pairs, 3), second = byte_at(clock_pairs, 6);
  if (hour > 23 || minute > 59 || second > 60) return false;
  const uint64_t day_bytes = middle & 0xFFFF;
  int32_t days = cache.days;
  if (date != cache.date || day_bytes != cache.day) {
    if (!common_date_parse(date, middle, days)) return false;
    cache = {date, day_bytes, days};
  }
  time.local_day = days;
  time.local_minute = static_cast<int16_t>(hour * 60 + minute);
  const int seconds = hour * 3600 + minute * 60 + second;
  time.utc_seconds = int64_t{days} * 86400 + seconds;
  time.utc_day = days + (seconds >= 86400);  // 23:59:60 counts on the next day
  return true;
}

}  // namespace

bool event_time_parse(std::string_view text, EventTime& time) {
  EventDateCache cache;
  return event_time_parse(text, time, cache);
}

bool event_time_parse(std::string_view text, EventTime& time, EventDateCache& cache) {
  if (common_time_parse(text, time, cache)) return true;
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
