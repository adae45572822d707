// The projection scan of CSV event logs (host/events/event_scan.hpp) against the general tokenizer: the same log
// aggregated with the scan (in windows of a few records, so chunks, windows, full chunks and fallbacks all occur in a
// small log) and with the tokenizer alone must give the same aggregate, bit for bit (users, totals, days, text
// values, first records), and the same error message for a bad record. The logs are written in several spellings
// of the same events (LF, CRLF, blank lines, no final line feed, a byte order mark, every field quoted, some records
// quoted), which must all aggregate alike; logs with quoted line breaks compare with the tokenizer on themselves.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fast_float/fast_float.h>

#include "../io/test_files.hpp"
#include "aggregate_dump.hpp"
#include "host/error.hpp"
#include "host/events/event_aggregate.hpp"
#include "host/events/event_scan.hpp"
#include "profile_requests.hpp"

namespace kseg {
namespace {

// One event's fields, unquoted.
using Event = std::vector<std::string>;

// n events of about n / 4 users: short and long ids (longer than an EventRow holds), times in every shape the
// parser reads (the common one, a date alone, offsets, fractions, blanks), amounts short and long, with exponents,
// blanks, missing spellings and refunds, empty categories and devices.
std::vector<Event> events_draw(int n, unsigned seed) {
  std::mt19937 rng(seed);
  const auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<unsigned>(k)); };
  const std::vector<std::string> times = {
      "2024-03-0%dT1%d:2%d:0%dZ",      "2024-03-1%dT0%d:1%d:4%d",          "2024-02-2%d",
      "2024-03-0%dT0%d:0%d:1%d+02:00", "2024-03-0%d 1%d:3%d:1%d.25-05:30", " 2024-03-1%dT0%d:0%d:0%dZ "};
  const std::vector<std::string> amounts = {
      "12.5", "-3", "0.033", "1e2", "", "NA", " 7.25 ", "123456789012.3456789", "99.999999999999999", "-0.0", "5."};
  const std::vector<std::string> categories = {"books", "home", "", "garden tools", "x"};
  std::vector<Event> events;
  for (int i = 0; i < n; ++i) {
    const int user = pick(std::max(1, n / 4));
    const std::string id = user % 3 == 0 ? "customer-" + std::to_string(1000000 + user) : "u" + std::to_string(user);
    char time[64];
    std::snprintf(time, sizeof(time), times[static_cast<size_t>(pick(6))].c_str(), 1 + pick(9), pick(10), pick(10),
                  pick(10));
    events.push_back({id, time, amounts[static_cast<size_t>(pick(11))], categories[static_cast<size_t>(pick(5))],
                      pick(4) == 0 ? "" : "dev" + std::to_string(pick(3))});
  }
  return events;
}

// How a log spells its events.
struct Spelling {
  std::string line_end = "\n";
  int quote_every = 0;  // quote every field of every k-th record (0: none; 1: all)
  int blank_every = 0;  // a blank line before every k-th record
  bool final_line_end = true;
  bool bom = false;
};

std::string log_write(const std::vector<Event>& events, const Spelling& s) {
  std::string text = s.bom ? "\xEF\xBB\xBF" : "";
  text += "user,time,amount,category,device" + s.line_end;
  for (size_t i = 0; i < events.size(); ++i) {
    if (s.blank_every > 0 && i % static_cast<size_t>(s.blank_every) == 0) text += s.line_end;
    const bool quoted = s.quote_every > 0 && i % static_cast<size_t>(s.quote_every) == 0;
    for (size_t c = 0; c < events[i].size(); ++c) {
      std::string field = events[i][c];
      if (quoted) {
        std::string escaped;
        for (const char ch : field) escaped += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        field = "\"" + escaped + "\"";
      }
      text += (c == 0 ? "" : ",") + field;
    }
    if (s.final_line_end || i + 1 < events.size()) text += s.line_end;
  }
  return text;
}

ProfileBuildRequest request_make(const std::string& path, int threads, bool all_families) {
  ProfileBuildRequest r = test::request_user_time_amount(path, threads);
  r.families = {true, all_families, all_families, all_families};
  if (all_families) {
    r.category_column = "category";
    r.category_share_amount = true;
    r.last_columns = {"device"};
    r.mode_columns = {"device"};
  }
  return r;
}

std::string dump_scanned(const ProfileBuildRequest& r, int32_t as_of_day, int64_t window_records, bool scan) {
  EventScanParams params;
  params.window_records = window_records;
  params.enabled = scan;
  return test::aggregate_dump(events_aggregate_scanned(r, as_of_day, params));
}

// The message of the DataError the aggregation throws ("" when none).
std::string error_scanned(const ProfileBuildRequest& r, int64_t window_records, bool scan) {
  try {
    dump_scanned(r, INT32_MAX, window_records, scan);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(EventScan, SpellingsOfOneLogAggregateAsTheTokenizerDoes) {
  test::ScratchDir dir;
  const std::vector<Event> events = events_draw(1200, 7);
  std::vector<Spelling> spellings(7);
  spellings[1].line_end = "\r\n";
  spellings[2].blank_every = 13;
  spellings[2].final_line_end = false;
  spellings[3].quote_every = 1;   // the tokenizer reads it all
  spellings[4].quote_every = 97;  // falls back now and then
  spellings[5].bom = true;
  spellings[5].line_end = "\r\n";
  spellings[5].blank_every = 5;
  spellings[6].quote_every = 1000;
  spellings[6].final_line_end = false;
  for (const bool all : {false, true}) {
    const std::string reference = dump_scanned(
        request_make(dir.file_write("plain.csv", log_write(events, Spelling{})), 1, all), INT32_MAX, kFoldRows, false);
    ASSERT_GT(reference.size(), 1200u);
    for (size_t s = 0; s < spellings.size(); ++s) {
      const std::string path = dir.file_write("log" + std::to_string(s) + ".csv", log_write(events, spellings[s]));
      for (const int threads : {1, 2})
        for (const int64_t window : {int64_t{1}, int64_t{7}, int64_t{100}, kFoldRows}) {
          SCOPED_TRACE("spelling " + std::to_string(s) + ", threads " + std::to_string(threads) + ", window " +
                       std::to_string(window) + (all ? ", all families" : ", rfm"));
          const ProfileBuildRequest r = request_make(path, threads, all);
          EXPECT_TRUE(dump_scanned(r, INT32_MAX, window, true) == reference);
          EXPECT_TRUE(dump_scanned(r, INT32_MAX, window, false) == reference);
        }
    }
  }
}

TEST(EventScan, QuotedLineBreaksAndDelimitersAggregateAsTheTokenizerDoes) {
  test::ScratchDir dir;
  std::vector<Event> events = events_draw(2000, 11);
  for (size_t i = 0; i < events.size(); i += 41) events[i][3] = "two\nlines, \"quoted\"";
  for (size_t i = 5; i < events.size(); i += 53) events[i][4] = "a,b";
  for (size_t i = 9; i < events.size(); i += 61) events[i][0] = "id, with comma";
  std::string text = "user,time,amount,category,device\n";
  for (const Event& e : events) {
    for (size_t c = 0; c < e.size(); ++c) {
      const bool quote = e[c].find_first_of(",\"\n") != std::string::npos;
      std::string field;
      for (const char ch : e[c]) field += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      text += (c == 0 ? "" : ",") + (quote ? "\"" + field + "\"" : field);
    }
    text += "\n";
  }
  const std::string path = dir.file_write("quoted.csv", text);
  for (const bool all : {false, true}) {
    const std::string reference = dump_scanned(request_make(path, 1, all), INT32_MAX, kFoldRows, false);
    for (const int threads : {1, 2})
      for (const int64_t window : {int64_t{3}, int64_t{64}, kFoldRows}) {
        SCOPED_TRACE("threads " + std::to_string(threads) + ", window " + std::to_string(window));
        EXPECT_TRUE(dump_scanned(request_make(path, threads, all), INT32_MAX, window, true) == reference);
      }
  }
}

TEST(EventScan, EventsAfterAsOfAreLeftOutAsTheTokenizerDoes) {
  test::ScratchDir dir;
  const std::vector<Event> events = events_draw(1500, 3);
  const std::string path = dir.file_write("log.csv", log_write(events, Spelling{}));
  const int32_t as_of_day = 19792;  // 2024-03-10: about half the events are later
  const std::string reference = dump_scanned(request_make(path, 2, true), as_of_day, kFoldRows, false);
  EventAggregate check = events_aggregate_scanned(request_make(path, 2, true), as_of_day, EventScanParams{});
  EXPECT_GT(check.events_after_as_of, 300);
  EXPECT_LT(check.events_after_as_of, 1200);
  for (const int64_t window : {int64_t{2}, int64_t{50}, kFoldRows})
    EXPECT_TRUE(dump_scanned(request_make(path, 2, true), as_of_day, window, true) == reference);
}

// Amount cells as the build reads them, against fast_float on the same (trimmed) text: short decimals take a path of
// their own (one division), which must give the same double, bit for bit; other numbers, blanks and missing
// spellings as before; anything else refused.
TEST(EventScan, AmountsReadAsFastFloatReadsThem) {
  const MissingValues missing = MissingValues::defaults();
  std::mt19937_64 rng(42);
  int checked = 0, beyond = 0;  // read, and refused as beyond ±kAmountLimit
  for (int i = 0; i < 200000; ++i) {
    const int int_digits = 1 + static_cast<int>(rng() % 16), fraction_digits = static_cast<int>(rng() % 18);
    std::string text = rng() % 3 == 0 ? "-" : "";
    for (int d = 0; d < int_digits; ++d) text += static_cast<char>('0' + rng() % 10);
    if (fraction_digits > 0 || rng() % 8 == 0) text += '.';
    for (int d = 0; d < fraction_digits; ++d) text += static_cast<char>('0' + rng() % 10);
    if (rng() % 16 == 0) text += "e" + std::to_string(static_cast<int>(rng() % 40) - 20);
    double expected = 0.0, got = -1.0;
    const auto res = fast_float::from_chars(text.data(), text.data() + text.size(), expected);
    ASSERT_TRUE(res.ec == std::errc() && res.ptr == text.data() + text.size()) << text;
    const bool within = std::fabs(expected) <= kAmountLimit;
    ASSERT_EQ(event_amount_parse(text, missing, got), within) << text;
    if (!within) {
      ++beyond;
      continue;
    }
    ASSERT_EQ(std::memcmp(&got, &expected, sizeof(double)), 0) << text << ": " << got << " vs " << expected;
    ++checked;
  }
  EXPECT_EQ(checked + beyond, 200000);
  EXPECT_GT(checked, 150000);
  EXPECT_GT(beyond, 1000);
  double v = 0.0;
  EXPECT_TRUE(event_amount_parse(" 7.25\t", missing, v) && v == 7.25);
  EXPECT_TRUE(event_amount_parse("-0", missing, v) && v == 0.0 && std::signbit(v));
  for (const char* gone : {"", "  ", "NA", "null", "nan"}) {
    v = 1.0;
    EXPECT_TRUE(event_amount_parse(gone, missing, v) && std::isnan(v)) << gone;
  }
  EXPECT_TRUE(event_amount_parse("-1e15", missing, v) && v == -1e15);
  for (const char* bad :
       {"abc", "1.2.3", "--1", "+-1", "1e400", "inf", "12,5", "1 2", ".", "1e308", "-1000000000000001"})
    EXPECT_FALSE(event_amount_parse(bad, missing, v)) << bad;
}

// A log of 600 good events whose data record `bad` (on line bad + 2, or later with blank lines) is replaced.
std::string bad_log(int bad, const std::string& record, const std::string& line_end, int blank_every) {
  std::string text = "user,time,amount" + line_end;
  for (int i = 0; i < 600; ++i) {
    if (blank_every > 0 && i % blank_every == 0) text += line_end;
    text += (i == bad ? record
                      : "u" + std::to_string(i % 97) + ",2024-01-0" + std::to_string(1 + i % 9) + "T10:00:00Z," +
                            std::to_string(i % 50)) +
            line_end;
  }
  return text;
}

TEST(EventScan, BadRecordsAreNamedAsTheTokenizerNamesThem) {
  test::ScratchDir dir;
  struct Case {
    std::string record;
    int column;  // where the error points
    std::string problem;
  };
  const std::vector<Case> cases = {
      {"u5,2024-13-01,3", 2, "column \"time\": \"2024-13-01\" is not an ISO 8601 date"},
      {"u5,2024-01-01,abc", 3, "column \"amount\": \"abc\" is not a finite number"},
      {"u5,2024-01-01,1e308", 3, "column \"amount\": \"1e308\" is beyond ±1e15"},
      {"u5,2024-01-01,-1000000000000000.1", 3, "column \"amount\": \"-1000000000000000.1\" is beyond ±1e15"},
      {"u5,2024-01-01", 3, "expected 3 fields, found 2"},
      {"u5,2024-01-01,3,4", 4, "expected 3 fields, found 4"},
      {"NA,2024-01-01,3", 1, "column \"user\": user id \"NA\" is a missing-value spelling"},
      {" ,2024-01-01,3", 1, "column \"user\": empty user id"},
      {"u5,2024-01-01,3\"", 3, "quote inside an unquoted field"},
  };
  // Blank lines are written with CRLF line ends: the line numbers count both.
  for (const Case& c : cases)
    for (const int bad : {0, 123, 599})
      for (const int blank_every : {0, 10}) {
        const std::string line_end = blank_every == 0 ? "\n" : "\r\n";
        const std::string path = dir.file_write("bad.csv", bad_log(bad, c.record, line_end, blank_every));
        const int line = 2 + bad + (blank_every > 0 ? bad / blank_every + 1 : 0);
        const std::string expected = path + ":" + std::to_string(line) + ":" + std::to_string(c.column) + ": ";
        for (const int threads : {1, 2})
          for (const int64_t window : {int64_t{1}, int64_t{16}, kFoldRows}) {
            SCOPED_TRACE(c.record + " on record " + std::to_string(bad) + ", threads " + std::to_string(threads) +
                         ", window " + std::to_string(window));
            const std::string scanned = error_scanned(request_make(path, threads, false), window, true);
            EXPECT_EQ(scanned, error_scanned(request_make(path, threads, false), window, false));
            EXPECT_EQ(scanned.rfind(expected + c.problem, 0), 0u) << scanned;
          }
      }
}

}  // namespace
}  // namespace kseg
