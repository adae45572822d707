#include "host/events/profile_build.hpp"
#include "host/json_integer.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "host/error.hpp"
#include "host/events/event_aggregate.hpp"
#include "host/events/event_time.hpp"
#include "host/events/profile_csv.hpp"
#include "host/events/profile_features.hpp"
#include "host/events/profile_gather.hpp"
#include "host/io/atomic_file.hpp"

namespace kseg {

namespace {

constexpr const char* kSpecKind = "kseg profile-build spec";
constexpr int kSpecVersion = 1;

// The first value that repeats an earlier one; null when none does.
template <class T>
const T* first_repeat(const std::vector<T>& values) {
  for (auto it = values.begin(); it != values.end(); ++it)
    if (std::find(values.begin(), it, *it) != it) return &*it;
  return nullptr;
}

void request_validate(const ProfileBuildRequest& r) {
  KSEG_EXPECTS(!r.user_column.empty(), UsageError, "--user-column is required: the column naming who did each event");
  KSEG_EXPECTS(!r.time_column.empty(), UsageError, "--time-column is required: the column saying when");
  for (int w : r.windows)
    KSEG_EXPECTS(w >= 1 && w <= 36500, UsageError,
                 "--windows: " + std::to_string(w) + " is not a window length in days (1..36500)");
  // A repeat would repeat its output columns (fit refuses a users.csv whose header repeats).
  if (const int* w = first_repeat(r.windows))
    throw UsageError("--windows: " + std::to_string(*w) + " is given twice (its columns would repeat)");
  for (const auto& [columns, option] : {std::pair{&r.last_columns, "--last"}, std::pair{&r.mode_columns, "--mode"}})
    if (const std::string* c = first_repeat(*columns))
      throw UsageError(std::string(option) + ": column \"" + *c + "\" is given twice (its columns would repeat)");
  KSEG_EXPECTS(r.max_categories >= 0, UsageError, "--max-categories must be 0 or more");
  KSEG_EXPECTS(!r.rfm_scores || r.families.rfm, UsageError, "--rfm-scores needs the rfm family (--families rfm,...)");
  KSEG_EXPECTS(!r.category_share_amount || !r.amount_column.empty(), UsageError,
               "--category-share amount needs --amount-column COL (the spend it divides)");
  KSEG_EXPECTS(r.threads >= 0, UsageError, "--threads must be 0 (all cores) or more");
}

int32_t as_of_parse(const std::string& text) {
  EventTime t;
  KSEG_EXPECTS(event_time_parse(text, t), UsageError,
               "--as-of: \"" + text + "\" is not an ISO 8601 date or timestamp (e.g. 2026-11-30)");
  return t.utc_day;
}

std::string families_text(const ProfileFamilies& f) {
  std::string out;
  for (const auto& [on, name] : {std::pair{f.rfm, "rfm"}, std::pair{f.windows, "windows"},
                                 std::pair{f.categories, "categories"}, std::pair{f.time, "time"}})
    if (on) out += (out.empty() ? "" : ",") + std::string(name);
  return out;
}

}  // namespace

std::string day_format(int32_t day) {
  // Civil from days (H. Hinnant), the inverse of the schema's ISO date parser.
  const int64_t z = int64_t{day} + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  char text[80];
  std::snprintf(text, sizeof(text), "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return text;
}

ProfileBuildProducts profile_build(const ProfileBuildRequest& request, const Communicator& comm) {
  request_validate(request);
  const bool as_of_given = !request.as_of.empty();
  int32_t as_of_day = as_of_given ? as_of_parse(request.as_of) : std::numeric_limits<int32_t>::max();
  const EventAggregate agg = events_aggregate(request, as_of_day, comm);
  KSEG_EXPECTS(agg.max_day != std::numeric_limits<int32_t>::min(), DataError,
               request.events_path + ": no events" +
                   (as_of_given ? " on or before --as-of " + request.as_of : std::string()) +
                   "; a profile needs at least one event");
  if (!as_of_given) as_of_day = agg.max_day;
  if (request.progress) {
    int64_t users = 0;
    for (const EventPartition& part : agg.partitions) users += static_cast<int64_t>(part.totals.size());
    request.progress({ProfileProgress::Stage::building, agg.events_read, -1, 0, false, users});
  }

  ProfileBuildProducts products;
  ProfileBuildRequest& s = products.settings;
  s = request;
  s.events_stream.reset();  // read: the products do not keep the caller's table alive
  s.progress = nullptr;     // nor the caller's progress printer
  s.families.categories = s.families.categories && !s.category_column.empty();
  if (s.families.categories && !s.categories_fixed) s.categories = categories_choose(agg, s.max_categories, comm);
  s.categories_fixed = s.families.categories;
  if (s.time_of_day < 0) s.time_of_day = agg.any_time_of_day ? 1 : 0;
  std::vector<int64_t> first_records;
  products.users = profile_table_build(agg, s, as_of_day, first_records);
  profile_rows_gather(products.users, first_records, comm);
  profile_scores_add(s, products.users);
  profile_column_names_check(products.users);
  products.as_of_day = as_of_day;
  products.events_read = agg.events_read;
  products.events_after_as_of = agg.events_after_as_of;
  products.amounts_missing = agg.amounts_missing;
  for (const EventPartition& part : agg.partitions)
    for (const UserTotals& u : part.totals) products.refunds += u.refunds;
  products.refunds = comm.total(products.refunds);
  return products;
}

std::string profile_spec_text(const ProfileBuildProducts& products) {
  const ProfileBuildRequest& s = products.settings;
  nlohmann::json columns = products.users.numeric_names;
  for (const std::string& name : products.users.categorical_names) columns.push_back(name);
  const nlohmann::json spec = {{"kind", kSpecKind},
                               {"version", kSpecVersion},
                               {"events", s.events_path},
                               {"user_column", s.user_column},
                               {"time_column", s.time_column},
                               {"amount_column", s.amount_column},
                               {"category_column", s.category_column},
                               {"delimiter", std::string(1, s.delimiter)},
                               {"families", families_text(s.families)},
                               {"windows", s.windows},
                               {"max_categories", s.max_categories},
                               {"categories", s.categories},
                               {"category_share", s.category_share_amount ? "amount" : "events"},
                               {"time_of_day", s.time_of_day == 1},
                               {"last", s.last_columns},
                               {"mode", s.mode_columns},
                               {"rfm_scores", s.rfm_scores},
                               {"as_of", day_format(products.as_of_day)},
                               {"as_of_given", !s.as_of.empty()},
                               {"events_read", products.events_read},
                               {"events_after_as_of", products.events_after_as_of},
                               {"amounts_missing", products.amounts_missing},
                               {"refunds", products.refunds},
                               {"users", products.users.ids.size()},
                               {"columns", columns}};
  return spec.dump(2) + "\n";
}

void profile_build_write(const ProfileBuildProducts& products, const std::string& users_path,
                         const std::string& spec_path) {
  const ProfileBuildRequest& s = products.settings;
  const int threads = s.threads > 0 ? s.threads : omp_get_max_threads();
  users_csv_write(products.users, users_path, ',', threads);  // whatever the log's delimiter: fit's default
  AtomicFile file(spec_path);
  file.write(profile_spec_text(products));
  file.commit();
}

ProfileFamilies profile_families_parse(const std::string& text) {
  ProfileFamilies f{false, false, false, false};
  std::stringstream in(text);
  for (std::string name; std::getline(in, name, ',');) {
    if (name == "rfm")
      f.rfm = true;
    else if (name == "windows")
      f.windows = true;
    else if (name == "categories")
      f.categories = true;
    else if (name == "time")
      f.time = true;
    else
      throw UsageError("--families: unknown family \"" + name + "\" (use rfm, windows, categories, time)");
  }
  KSEG_EXPECTS(f.rfm || f.windows || f.categories || f.time, UsageError, "--families: name at least one family");
  return f;
}

ProfileBuildRequest profile_spec_read(const std::string& path) {
  std::ifstream in(path);
  KSEG_EXPECTS(in.good(), DataError, "--spec: cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return profile_spec_parse(text.str(), path);
}

ProfileBuildRequest profile_spec_parse(const std::string& text, const std::string& path) {
  ProfileBuildRequest r;
  try {
    const nlohmann::json doc = nlohmann::json::parse(text);
    KSEG_EXPECTS(doc.value("kind", "") == kSpecKind, DataError,
                 path + ": not a profile_build.json written by kseg profile-build");
    KSEG_EXPECTS(json_integer_at<int>(doc, "version", path) == kSpecVersion, DataError,
                 path + ": spec version " + doc.at("version").dump() + " is not supported (expected 1)");
    r.user_column = doc.at("user_column").get<std::string>();
    r.time_column = doc.at("time_column").get<std::string>();
    r.amount_column = doc.at("amount_column").get<std::string>();
    r.category_column = doc.at("category_column").get<std::string>();
    const std::string delimiter = doc.at("delimiter").get<std::string>();
    KSEG_EXPECTS(delimiter.size() == 1, DataError, path + ": \"delimiter\" must be one character");
    r.delimiter = delimiter[0];
    r.families = profile_families_parse(doc.at("families").get<std::string>());
    r.windows = json_integers_at<int>(doc, "windows", path);
    r.max_categories = json_integer_at<int>(doc, "max_categories", path);
    r.categories = doc.at("categories").get<std::vector<std::string>>();
    r.categories_fixed = true;
    const std::string share = doc.value("category_share", "events");  // specs written before the option: events
    KSEG_EXPECTS(share == "events" || share == "amount", DataError,
                 path + ": \"category_share\" must be \"events\" or \"amount\"");
    r.category_share_amount = share == "amount";
    r.time_of_day = doc.at("time_of_day").get<bool>() ? 1 : 0;
    r.last_columns = doc.at("last").get<std::vector<std::string>>();
    r.mode_columns = doc.at("mode").get<std::vector<std::string>>();
    r.rfm_scores = doc.at("rfm_scores").get<bool>();
    request_validate(r);  // the spec's values, named as in the spec file (a UsageError becomes "spec: ..." below)
  } catch (const nlohmann::json::exception& e) {
    throw DataError(path + ": malformed profile_build.json (" + std::string(e.what()) + ")");
  } catch (const UsageError& e) {
    throw DataError(path + ": " + e.what());
  }
  return r;
}

}  // namespace kseg
