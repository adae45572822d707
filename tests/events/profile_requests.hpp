// The profile-build requests the event tests start from, and the message of the DataError a build throws.
#pragma once

#include <string>

#include "host/error.hpp"
#include "host/events/profile_build.hpp"

namespace kseg::test {

// A request for a log with the columns user, time and amount (the RFM family's), read from `events` on `threads`
// threads (0: all cores); every other field keeps ProfileBuildRequest's default.
inline ProfileBuildRequest request_user_time_amount(const std::string& events = "", int threads = 0) {
  ProfileBuildRequest r;
  r.events_path = events;
  r.user_column = "user";
  r.time_column = "time";
  r.amount_column = "amount";
  r.threads = threads;
  return r;
}

// request_user_time_amount with every feature family and option on the columns cat and device, two threads.
inline ProfileBuildRequest request_all_features() {
  ProfileBuildRequest r = request_user_time_amount("", 2);
  r.category_column = "cat";
  r.max_categories = 3;
  r.last_columns = {"device"};
  r.mode_columns = {"device"};
  r.rfm_scores = true;
  return r;
}

// The message of the DataError that profile_build(r) throws; "no DataError" when it throws none.
inline std::string profile_build_error(const ProfileBuildRequest& r) {
  try {
    profile_build(r);
  } catch (const DataError& e) {
    return e.what();
  }
  return "no DataError";
}

}  // namespace kseg::test
