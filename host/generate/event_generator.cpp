#include "host/generate/event_generator.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "host/error.hpp"
#include "host/events/event_time.hpp"
#include "host/events/profile_build.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/number_format.hpp"
#include "host/io/text_flush.hpp"
#include "host/kmeans/seeding.hpp"

namespace kseg {

namespace {

constexpr int64_t kChunkUsers = 16384;  // each chunk of users has its own derived seed: parallel and reproducible
constexpr const char* kCategories[] = {"electronics", "fashion", "home", "beauty",
                                       "grocery",     "books",   "toys", "sports"};
constexpr int kCategoryCount = 8;
constexpr const char* kDevices[] = {"ios", "android", "web"};

// Per persona (user_generator's order): category mix, favourite hour (UTC) and device mix.
struct PersonaHabits {
  double categories[kCategoryCount];
  double hour;
  double devices[3];
};
constexpr PersonaHabits kHabits[] = {
    {{0.30, 0.20, 0.15, 0.10, 0.05, 0.10, 0.05, 0.05}, 20.0, {0.6, 0.3, 0.1}},    // loyal high spenders
    {{0.10, 0.30, 0.10, 0.15, 0.20, 0.05, 0.05, 0.05}, 13.0, {0.25, 0.6, 0.15}},  // bargain hunters
    {{0.15, 0.20, 0.15, 0.15, 0.10, 0.10, 0.10, 0.05}, 19.0, {0.45, 0.45, 0.1}},  // new users
    {{0.10, 0.15, 0.20, 0.10, 0.25, 0.10, 0.05, 0.05}, 10.0, {0.2, 0.2, 0.6}},    // lapsed
    {{0.20, 0.25, 0.10, 0.15, 0.05, 0.10, 0.10, 0.05}, 22.0, {0.4, 0.5, 0.1}},    // browsers
    {{0.05, 0.10, 0.15, 0.05, 0.10, 0.30, 0.15, 0.10}, 15.0, {0.3, 0.3, 0.4}}};   // occasional buyers

struct Event {
  int64_t seconds;  // UTC
  int32_t user;
  float amount;  // NaN: left empty
  uint8_t category;
  uint8_t device;
};

int draw_from(std::mt19937_64& rng, const double* probabilities, int n) {
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  for (int i = 0; i + 1 < n; ++i) {
    if (u < probabilities[i]) return i;
    u -= probabilities[i];
  }
  return n - 1;
}

// Relative order rate on a day: weekends ×1.3, a peak around late November (day of year ~330) up to ×1.6.
double season_weight(int32_t day) {
  const int weekday = weekday_of(day);
  const double doy = std::fmod(static_cast<double>(day), 365.25);  // days since about 1 January
  const double peak = 1.0 + 0.6 * std::exp(-std::pow((doy - 330.0) / 20.0, 2.0));
  return peak * ((weekday == 0 || weekday == 6) ? 1.3 : 1.0);
}

int64_t seconds_draw(std::mt19937_64& rng, int32_t day, double hour) {
  const double h = std::fmod(std::normal_distribution<double>(hour, 3.0)(rng) + 48.0, 24.0);
  return int64_t{day} * 86400 + static_cast<int64_t>(h * 3600.0);
}

// One user's orders (and refunds) appended to out; the user's order count is scaled by `scale` (at least 1 order
// for a user with any).
void user_events_draw(std::mt19937_64& rng, int32_t user, const float* f, int persona, int32_t end_day,
                      const EventGenerateOptions& o, double scale, std::vector<Event>& out) {
  if (std::lround(f[0]) <= 0) return;
  const int64_t n = std::max<int64_t>(1, std::llround(f[0] * scale));
  const PersonaHabits& habits = kHabits[persona];
  const int32_t last = end_day - static_cast<int32_t>(f[3]);
  const int32_t first = std::min(last, end_day - static_cast<int32_t>(f[6]));
  const int device = draw_from(rng, habits.devices, 3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double value = std::max(1.0, static_cast<double>(f[2]));
  for (int64_t i = 0; i < n; ++i) {
    int32_t day = i == 0 ? last : first;
    if (i >= 2) {  // seasonal days between the first and the last order, by rejection
      do day = first + static_cast<int32_t>(u(rng) * (last - first + 1));
      while (u(rng) * 2.08 > season_weight(day));
    }
    Event e{seconds_draw(rng, day, habits.hour), user, 0.0f, 0, 0};
    e.amount =
        static_cast<float>(std::round(value * std::exp(std::normal_distribution<double>(-0.18, 0.6)(rng)) * 100) / 100);
    e.category = static_cast<uint8_t>(draw_from(rng, habits.categories, kCategoryCount));
    e.device = static_cast<uint8_t>(u(rng) < 0.9 ? device : static_cast<int>(u(rng) * 3) % 3);
    if (u(rng) < o.refund) {  // a refund of this order, 1-14 days later, if still within the log
      Event refund = e;
      refund.seconds += static_cast<int64_t>(1 + u(rng) * 14) * 86400;
      refund.amount = -e.amount;
      if (refund.seconds < int64_t{end_day + 1} * 86400) out.push_back(refund);
    }
    if (u(rng) < o.missing_amount) e.amount = std::nanf("");
    out.push_back(e);
  }
}

// Appends v in decimal with at least `width` digits (zero-padded); v >= 0.
void digits_append(std::string& text, int64_t v, int width) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0 || n < width);
  while (n > 0) text += digits[--n];
}

// Appends "YYYY-MM-DDTHH:MM:SSZ". The log is sorted by time, so the date text is made once per day (snprintf and
// day_format per event were a fifth of the generator's time).
struct TimeFormat {
  int32_t day = INT32_MIN;
  std::string date;
  void append(std::string& text, int64_t seconds) {
    const auto d = static_cast<int32_t>(seconds / 86400);
    if (d != day) day = d, date = day_format(d);
    const int64_t s = seconds - int64_t{d} * 86400;
    text += date;
    text += 'T';
    digits_append(text, s / 3600, 2);
    text += ':';
    digits_append(text, s / 60 % 60, 2);
    text += ':';
    digits_append(text, s % 60, 2);
    text += 'Z';
  }
};

// The factor on every user's order count that makes the log's mean about options.events_per_user events per user
// with any (refunds included); 1 when it is 0.
double order_scale(const GeneratedUsers& users, const EventGenerateOptions& options) {
  if (options.events_per_user <= 0.0) return 1.0;
  double orders = 0.0;
  int64_t active = 0;
  for (size_t i = 0; i < users.persona.size(); ++i) {
    const long n = std::lround(users.features[i * 7]);
    orders += static_cast<double>(std::max(0L, n));
    active += n > 0;
  }
  if (active == 0) return 1.0;
  return options.events_per_user / ((1.0 + options.refund) * orders / static_cast<double>(active));
}

}  // namespace

void event_options_check(const EventGenerateOptions& options) {
  EventTime end;
  KSEG_EXPECTS(event_time_parse(options.end_date, end), UsageError,
               "events end date: \"" + options.end_date + "\" is not a YYYY-MM-DD date");
  KSEG_EXPECTS(options.events_per_user == 0.0 || (options.events_per_user >= 1.0 && options.events_per_user <= 10000.0),
               UsageError, "--events-per-user must be 0 (the users' own order counts) or lie in [1, 10000]");
}

int64_t events_generate(const std::string& path, const GenerateOptions& user_options,
                        const EventGenerateOptions& options) {
  event_options_check(options);
  EventTime end;
  event_time_parse(options.end_date, end);
  const GeneratedUsers users = generated_users_draw(user_options);
  const int64_t n = static_cast<int64_t>(users.persona.size());
  const int64_t chunks = (n + kChunkUsers - 1) / kChunkUsers;
  const double scale = order_scale(users, options);
  std::vector<std::vector<Event>> parts(static_cast<size_t>(chunks));
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t c = 0; c < chunks; ++c) {
    std::mt19937_64 rng(run_seed_derive(user_options.seed ^ 0xE7E475ull, static_cast<int>(c)));
    for (int64_t i = c * kChunkUsers; i < std::min(n, (c + 1) * kChunkUsers); ++i)
      user_events_draw(rng, static_cast<int32_t>(i), users.features.data() + i * 7, users.persona[i], end.utc_day,
                       options, scale, parts[c]);
  }
  size_t total = 0;
  for (const std::vector<Event>& part : parts) total += part.size();
  std::vector<Event> events;
  events.reserve(total);
  for (std::vector<Event>& part : parts) {
    events.insert(events.end(), part.begin(), part.end());
    std::vector<Event>().swap(part);
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.seconds != b.seconds ? a.seconds < b.seconds : a.user < b.user;
  });
  AtomicFile file(path);
  std::string text = "user_id,order_time,amount,category,device\n";
  TimeFormat time;
  for (const Event& e : events) {
    text += users.newcomer[e.user] ? 'n' : 'u';
    digits_append(text, e.user, 8);
    text += ',';
    time.append(text, e.seconds);
    text += ',';
    if (!std::isnan(e.amount)) float_append(text, e.amount);
    text += ',';
    text += kCategories[e.category];
    text += ',';
    text += kDevices[e.device];
    text += '\n';
    text_flush_when_full(file, text);
  }
  file.write(text);
  file.commit();
  return static_cast<int64_t>(events.size());
}

}  // namespace kseg
