// kseg profile-build: a user table of behavioural features (RFM, windows, category mix, time habits) from an event
// log. The flags map onto a ProfileBuildRequest; the work is profile_build() in host/events.
#include <CLI/CLI.hpp>
#include <ostream>
#include <sstream>

#include "app/profile_build_outputs.hpp"
#include "app/profile_progress.hpp"
#include "cli/commands.hpp"
#include "host/error.hpp"
#include "host/events/profile_build.hpp"

namespace kseg {

namespace {

std::vector<int> windows_parse(const std::string& text) {
  std::vector<int> windows;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    size_t used = 0;
    int w = 0;
    try {
      w = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    KSEG_EXPECTS(used == item.size() && !item.empty(), UsageError,
                 "--windows: \"" + item + "\" is not a number of days; write e.g. --windows 7,30,90");
    windows.push_back(w);
  }
  KSEG_EXPECTS(!windows.empty(), UsageError, "--windows: name at least one window, e.g. --windows 7,30,90");
  return windows;
}

// The settings a spec fixes may not be given beside it.
void spec_conflicts_check(const ProfileBuildArgs& a) {
  const std::pair<bool, const char*> given[] = {{!a.user_column.empty(), "--user-column"},
                                                {!a.time_column.empty(), "--time-column"},
                                                {!a.amount_column.empty(), "--amount-column"},
                                                {!a.category_column.empty(), "--category-column"},
                                                {!a.windows.empty(), "--windows"},
                                                {a.max_categories != INT32_MIN, "--max-categories"},
                                                {!a.category_share.empty(), "--category-share"},
                                                {!a.last.empty(), "--last"},
                                                {!a.mode.empty(), "--mode"},
                                                {a.rfm_scores, "--rfm-scores"},
                                                {!a.families.empty(), "--families"},
                                                {a.delimiter != ',', "--delimiter"}};
  for (const auto& [set, name] : given)
    KSEG_EXPECTS(!set, UsageError,
                 std::string(name) + ": the settings come from --spec " + a.spec + "; drop " + name +
                     " (or drop --spec to choose them anew)");
}

ProfileBuildRequest request_from_flags(const ProfileBuildArgs& a) {
  ProfileBuildRequest r;
  r.user_column = a.user_column;
  r.time_column = a.time_column;
  r.amount_column = a.amount_column;
  r.category_column = a.category_column;
  if (!a.windows.empty()) r.windows = windows_parse(a.windows);
  if (a.max_categories != INT32_MIN) r.max_categories = a.max_categories;
  r.category_share_amount = a.category_share == "amount";
  r.last_columns = a.last;
  r.mode_columns = a.mode;
  r.rfm_scores = a.rfm_scores;
  r.delimiter = a.delimiter;
  if (!a.families.empty()) {
    r.families = profile_families_parse(a.families);
    KSEG_EXPECTS(!r.families.categories || !a.category_column.empty(), UsageError,
                 "--families categories needs --category-column COL");
  }
  return r;
}

}  // namespace

void profile_build_command_register(CLI::App& app, ProfileBuildArgs& args) {
  app.add_option("EVENTS", args.events,
                 "Event log, one event per row, any order: CSV with a header (plain, .gz, .zst), Parquet, Arrow IPC "
                 "(Feather v2) or a directory of .npy columns (a file or a directory of parts)")
      ->required();
  app.add_option("--out", args.out, "Users table to write (profile_build.json is written beside it)")->required();
  app.add_option("--user-column", args.user_column, "Column holding the user id (required unless --spec)");
  app.add_option("--time-column", args.time_column,
                 "Column holding the event time: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM] (converted to UTC)");
  app.add_option("--amount-column", args.amount_column, "Order amount (empty = missing, negative = refund)");
  app.add_option("--category-column", args.category_column, "Category of the event (product category, channel...)");
  app.add_option("--as-of", args.as_of, "Reference date (default: the latest event's day); later events are left out");
  app.add_option("--windows", args.windows, "Window lengths in days (default 7,30,90)");
  app.add_option("--max-categories", args.max_categories, "Categories kept, most frequent first (default 10)");
  app.add_option("--category-share", args.category_share,
                 "Category mix as shares of events (default) or of amount (spend: positive amounts)")
      ->check(CLI::IsMember({"events", "amount"}));
  app.add_option("--last", args.last, "COL: each user's most recent value (repeatable)");
  app.add_option("--mode", args.mode, "COL: each user's most frequent value (repeatable; ties: the smallest value)");
  app.add_flag("--rfm-scores", args.rfm_scores, "Add R, F, M quintile scores and the named RFM segment");
  app.add_option("--families", args.families, "Feature families to build (default rfm,windows,categories,time)");
  app.add_option("--spec", args.spec, "profile_build.json of an earlier build: the same settings and categories");
  app.add_option("--delimiter", args.delimiter, "Field separator of a CSV EVENTS")->capture_default_str();
  app.add_option("--threads", args.threads, "CPU threads; 0 = all cores (the output does not depend on it)")
      ->capture_default_str();
  app.add_flag("--quiet", args.quiet, "Print nothing on success (no progress lines on stderr, no summary)");
}

int profile_build_command_run(const ProfileBuildArgs& args, std::ostream& out, std::ostream& err,
                              const Communicator& comm) {
  ProfileBuildRequest request;
  if (!args.spec.empty()) {
    spec_conflicts_check(args);
    request = profile_spec_read(args.spec);
  } else {
    request = request_from_flags(args);
  }
  request.events_path = args.events;
  request.as_of = args.as_of;
  request.threads = args.threads;
  profile_build_outputs_check(args.events, args.out);
  // Progress on stderr from rank 0 alone (under MPI its reading lines count its own share).
  ProfileProgressPrinter progress(err, args.quiet || comm.rank() != 0, args.events, comm.size());
  request.progress = progress.sink();
  const ProfileBuildProducts products = profile_build(request, comm);  // under MPI: the whole table on rank 0
  if (comm.rank() != 0) return 0;
  progress.writing(products, args.out);
  profile_build_outputs_write(products, args.out);
  progress.done(products);
  if (!args.quiet) {
    out << "kseg: " << products.users.ids.size() << " users, "
        << products.users.numeric_names.size() + products.users.categorical_names.size() << " features from "
        << products.events_read << " events as of " << day_format(products.as_of_day);
    if (products.events_after_as_of > 0) out << " (" << products.events_after_as_of << " later events left out)";
    out << " -> " << args.out << ", " << profile_spec_path(args.out) << "\n";
  }
  return 0;
}

}  // namespace kseg
