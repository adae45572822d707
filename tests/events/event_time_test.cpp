// Event time parsing: dates, timestamps, UTC offsets (converted to UTC), and what is refused.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kseg
