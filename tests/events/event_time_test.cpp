// Event time parsing: dates, timestamps, UTC offsets (converted to UTC), and what is refused.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "host/events/event_time.hpp"
#include "host/events/profile_build.hpp"

namespace kseg {
namespace {

// 2024-03-24 is day 19806 since 1970-01-01: 54 years of 365 days + 13 leap days (1972…2020) + 83 days into 2024.
constexpr int32_t kMarch24 = 54 * 365 + 13 + 31 + 29 + 23;

TEST(EventTime, DateAloneIsMidnightUtcWithoutTimeOfDay) {
  EventTime t;
  ASSERT_TRUE(event_time_parse("2024-03-24", t));
  EXPECT_EQ(t.utc_day, kMarch24);
  EXPECT_EQ(t.local_day, kMarch24);
  EXPECT_EQ(t.utc_seconds, int64_t{kMarch24} * 86400);
  EXPECT_EQ(t.local_minute, -1);
  EXPECT_EQ(weekday_of(t.local_day), 0);  // a Sunday
}

TEST(EventTime, OffsetsAreConvertedToUtc) {
  EventTime t;
  // 23:30 at UTC−1 is 00:30 UTC the next day; the local clock (for habits) stays 23:30 on the 24th.
  ASSERT_TRUE(event_time_parse("2024-03-24T23:30:00-01:00", t));
  EXPECT_EQ(t.utc_day, kMarch24 + 1);
  EXPECT_EQ(t.utc_seconds, int64_t{kMarch24 + 1} * 86400 + 30 * 60);
  EXPECT_EQ(t.local_day, kMarch24);
  EXPECT_EQ(t.local_minute, 23 * 60 + 30);
  // 02:00 at UTC+05:30 is 20:30 UTC the day before, in all three offset spellings.
  for (const char* text : {"2024-03-24T02:00:00+05:30", "2024-03-24T02:00+0530", "2024-03-24 02:00:00.250+05:30"}) {
    ASSERT_TRUE(event_time_parse(text, t)) << text;
    EXPECT_EQ(t.utc_seconds, int64_t{kMarch24} * 86400 + 2 * 3600 - 5 * 3600 - 30 * 60) << text;
    EXPECT_EQ(t.utc_day, kMarch24 - 1) << text;
  }
  ASSERT_TRUE(event_time_parse("2024-03-24T02:00+05", t));
  EXPECT_EQ(t.utc_seconds, int64_t{kMarch24} * 86400 - 3 * 3600);
  // Z and no zone both mean UTC.
  EventTime z, none;
  ASSERT_TRUE(event_time_parse(" 2024-03-24T12:34:56Z ", z));
  ASSERT_TRUE(event_time_parse("2024-03-24T12:34:56", none));
  EXPECT_EQ(z.utc_seconds, none.utc_seconds);
  EXPECT_EQ(z.utc_seconds, int64_t{kMarch24} * 86400 + 12 * 3600 + 34 * 60 + 56);
}

TEST(EventTime, DaysBefore1970RoundDown) {
  EventTime t;
  ASSERT_TRUE(event_time_parse("1970-01-01T00:30:00+01:00", t));  // 23:30 on 1969-12-31 in UTC
  EXPECT_EQ(t.utc_seconds, -1800);
  EXPECT_EQ(t.utc_day, -1);
}

TEST(EventTime, RefusesMalformedTimes) {
  EventTime t;
  for (const char* text :
       {"", "2024-02-30", "2023-02-29", "24-03-01", "2024/03/01", "2024-03-24X10:00", "2024-03-24T10",
        "2024-03-24T24:00", "2024-03-24T23:60", "2024-03-24T10:00:61", "2024-03-24T10:00+25:00",
        "2024-03-24T10:00+05:3", "2024-03-24T10:00Zjunk", "2024-03-24T10:00:00.", "yesterday"})
    EXPECT_FALSE(event_time_parse(text, t)) << text;
}

TEST(EventTime, DayFormatInvertsTheParser) {
  for (const char* text : {"1970-01-01", "1969-12-31", "2000-02-29", "2024-03-24", "2100-12-31"}) {
    EventTime t;
    ASSERT_TRUE(event_time_parse(text, t));
    EXPECT_EQ(day_format(t.utc_day), text);
  }
}

TEST(EventTime, CommonShapeAgreesWithTheGeneralParser) {
  // "…SSZ" and "…SS" take the one-pass path; the same instant written "+00:00" (or with a fraction) takes the
  // general one. Random fields over years 0000-9999, including invalid days (Feb 29 of common years, day 31 of
  // short months) and the leap second 23:59:60, which both must refuse or read alike.
  std::mt19937 rng(19);
  const auto two = [](int v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const int year = i < 200 ? static_cast<int>(rng() % 3) : static_cast<int>(rng() % 10000);
    const int month = 1 + static_cast<int>(rng() % 12), day = 1 + static_cast<int>(rng() % 31);
    const int hour = static_cast<int>(rng() % 24), minute = static_cast<int>(rng() % 60);
    const int second = static_cast<int>(rng() % 61);
    std::string date = std::to_string(year);
    date = std::string(4 - date.size(), '0') + date + "-" + two(month) + "-" + two(day);
    const std::string clock = "T" + two(hour) + ":" + two(minute) + ":" + two(second);
    for (const std::string& common : {date + clock + "Z", date + clock}) {
      EventTime fast, general;
      const bool fast_ok = event_time_parse(common, fast);
      const bool general_ok = event_time_parse(date + clock + ".000+00:00", general);
      ASSERT_EQ(fast_ok, general_ok) << common;
      if (!fast_ok) continue;
      ++accepted;
      EXPECT_EQ(fast.utc_seconds, general.utc_seconds) << common;
      EXPECT_EQ(fast.utc_day, general.utc_day) << common;
      EXPECT_EQ(fast.local_day, general.local_day) << common;
      EXPECT_EQ(fast.local_minute, general.local_minute) << common;
    }
  }
  EXPECT_GT(accepted, 30000);  // most drawn dates exist
  EventTime t;
  EXPECT_FALSE(event_time_parse("2023-02-29T10:00:00Z", t));
  EXPECT_FALSE(event_time_parse("2024-04-31T10:00:00Z", t));
  EXPECT_FALSE(event_time_parse("2024-04-30T24:00:00Z", t));
  EXPECT_FALSE(event_time_parse("2024-04-3OT10:00:00Z", t));
  ASSERT_TRUE(event_time_parse("2024-12-31T23:59:60Z", t));
  EXPECT_EQ(t.utc_day, t.local_day + 1);  // the leap second counts on the next UTC day, as the general parser has it
}

TEST(EventTime, CommonShapeRefusesWhatTheGeneralParserRefuses) {
  // The one-pass path checks its digits a word at a time: every byte value at every place of a valid time (with 'Z')
  // must be read as the general parser reads the same text ending "+00:00" (which the one-pass path never takes).
  const std::string valid = "2024-03-15T10:20:30";
  int accepted = 0;
  for (size_t at = 0; at < valid.size(); ++at)
    for (int b = 0; b < 256; ++b) {
      std::string text = valid;
      text[at] = static_cast<char>(b);
      EventTime fast, general;
      const bool fast_ok = event_time_parse(text + "Z", fast);
      ASSERT_EQ(fast_ok, event_time_parse(text + "+00:00", general)) << at << " " << b;
      if (!fast_ok) continue;
      ++accepted;
      EXPECT_EQ(fast.utc_seconds, general.utc_seconds) << text;
      EXPECT_EQ(fast.local_minute, general.local_minute) << text;
    }
  EXPECT_GT(accepted, 19 * 5);  // the valid digits at each place, at least
  EXPECT_LT(accepted, 19 * 12);
}

TEST(EventTime, DateCacheGivesTheUncachedResults) {
  // Runs of one date (as a log in time order has them) with invalid clocks and invalid dates among them, and dates
  // that differ from the cached one in one byte: each read with the cache must equal the read without it.
  std::mt19937 rng(5);
  const std::vector<std::string> dates = {"2024-03-15", "2024-03-16", "2024-02-29", "2023-02-29", "2024-13-01",
                                          "2024-03-1x", "2024-04-15", "2025-03-15", "1999-12-31", "2024-03-15"};
  const std::vector<std::string> clocks = {"T10:20:30Z", "T23:59:60",  "T24:00:00Z", "T00:00:00",
                                           "T12:60:00Z", "T07:08:09Z", "T1O:20:30Z", "T10:20:30+01:00"};
  EventDateCache cache;
  int cached_reads = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string& date = dates[i / 40 % dates.size()];  // 40 events in a row on a date
    const std::string text = (rng() % 10 == 0 ? dates[rng() % dates.size()] : date) + clocks[rng() % clocks.size()];
    EventTime with, without;
    const bool ok = event_time_parse(text, with, cache);
    ASSERT_EQ(ok, event_time_parse(text, without)) << text;
    cached_reads += ok;
    if (!ok) continue;
    EXPECT_EQ(with.utc_seconds, without.utc_seconds) << text;
    EXPECT_EQ(with.utc_day, without.utc_day) << text;
    EXPECT_EQ(with.local_day, without.local_day) << text;
    EXPECT_EQ(with.local_minute, without.local_minute) << text;
  }
  EXPECT_GT(cached_reads, 5000);
}

}  // namespace
}  // namespace kseg
