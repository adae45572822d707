#include "app/profile_progress.hpp"

#include <chrono>
#include <cstdio>
#include <ostream>
#include <utility>

namespace kseg {

namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ", 2.1 M events/s" for events in seconds; "" before any time has passed (nothing to divide by).
std::string rate_text(int64_t events, double seconds) {
  if (seconds <= 0.0) return "";
  char text[64];
  std::snprintf(text, sizeof(text), ", %.1f M events/s", static_cast<double>(events) / seconds / 1e6);
  return text;
}

}  // namespace

ProfileProgressPrinter::ProfileProgressPrinter(std::ostream& err, bool quiet, std::string input, int processes,
                                               Clock clock)
    : err_(err),
      quiet_(quiet),
      input_(std::move(input)),
      processes_(processes),
      clock_(clock ? std::move(clock) : Clock(steady_seconds)),
      start_(clock_()),
      last_(start_),
      built_from_(start_) {}

ProfileProgressSink ProfileProgressPrinter::sink() {
  if (quiet_) return {};
  return [this](const ProfileProgress& p) { report(p); };
}

void ProfileProgressPrinter::report(const ProfileProgress& p) {
  if (quiet_) return;
  const double now = clock_();
  if (p.stage == ProfileProgress::Stage::reading) {
    // At most one line a second, the first a second after the start: a log read in under a second prints none.
    if (now - last_ < 1.0) return;
    last_ = now;
    reading_print(p, now);
    return;
  }
  built_from_ = now;
  const double seconds = now - start_;
  char line[256];
  std::snprintf(line, sizeof(line), "kseg: read %lld events in %.1f s%s; building the features of %lld users%s\n",
                static_cast<long long>(p.events), seconds, rate_text(p.events, seconds).c_str(),
                static_cast<long long>(p.users), processes_ > 1 ? " on rank 0" : "");
  err_ << line;
}

void ProfileProgressPrinter::reading_print(const ProfileProgress& p, double now) {
  const double seconds = now - start_;
  const auto events = static_cast<long long>(p.events);
  char how_far[128];
  if (processes_ > 1) {
    std::snprintf(how_far, sizeof(how_far), "rank 0 has read %lld events of its share", events);
  } else if (p.done < 0 || p.total <= 0) {
    std::snprintf(how_far, sizeof(how_far), "%lld events", events);
  } else if (p.rows) {
    std::snprintf(how_far, sizeof(how_far), "%lld of %lld events (%.0f%%)", events, static_cast<long long>(p.total),
                  100.0 * static_cast<double>(p.done) / static_cast<double>(p.total));
  } else {
    std::snprintf(how_far, sizeof(how_far), "%lld events, %.0f of %.0f MB (%.0f%%)", events,
                  static_cast<double>(p.done) / 1e6, static_cast<double>(p.total) / 1e6,
                  100.0 * static_cast<double>(p.done) / static_cast<double>(p.total));
  }
  char line[64];
  std::snprintf(line, sizeof(line), ", %.1f s", seconds);
  err_ << "kseg: reading " << input_ << ": " << how_far << line << rate_text(p.events, seconds) << "\n";
}

void ProfileProgressPrinter::writing(const ProfileBuildProducts& products, const std::string& path) {
  if (quiet_) return;
  const ProfileTable& t = products.users;
  char line[128];
  std::snprintf(line, sizeof(line), "kseg: built %zu users × %zu features in %.1f s; writing ", t.ids.size(),
                t.numeric_names.size() + t.categorical_names.size(), clock_() - built_from_);
  err_ << line << path << "\n";
}

void ProfileProgressPrinter::done(const ProfileBuildProducts& products) {
  if (quiet_) return;
  const double seconds = clock_() - start_;
  char line[256];
  std::snprintf(line, sizeof(line), "kseg: profile-build done: %lld events, %zu users in %.1f s%s\n",
                static_cast<long long>(products.events_read), products.users.ids.size(), seconds,
                rate_text(products.events_read, seconds).c_str());
  err_ << line;
}

}  // namespace kseg
