// kseg generate: synthetic user profiles for demos, tests and benchmarks.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <ostream>

#include "cli/commands.hpp"
#include "host/error.hpp"
#include "host/generate/campaign_generator.hpp"
#include "host/generate/event_generator.hpp"
#include "host/generate/user_generator.hpp"
#include "host/output/file_set.hpp"
#include "host/output/output_paths.hpp"

namespace kseg {

void generate_command_register(CLI::App& app, GenerateArgs& args) {
  app.add_option("--users", args.users, "Number of users")->required();
  app.add_option("--seed", args.seed, "Random seed")->capture_default_str();
  app.add_flag("--with-truth", args.with_truth,
               "Add the planted segment (CSV: true_segment column; .npy: FILE.npy.truth.csv)");
  app.add_option("--out", args.out, "FILE.csv or FILE.npy")->required();
  app.add_option("--drift", args.drift,
                 "0..1: a later snapshot of the same users: this share of them switch persona; behaviour shifts")
      ->capture_default_str();
  app.add_option("--churn", args.churn, "0..1: share of users replaced by newcomers (ids n...)")->capture_default_str();
  app.add_option("--events", args.events, "Also write an order log of these users (CSV, sorted by time)");
  app.add_option("--events-per-user", args.events_per_user,
                 "With --events: scale every user's order count so the log has about this many events per user with "
                 "any (1..10000; 0 = the users' own order counts)")
      ->capture_default_str();
  app.add_option("--campaign", args.campaign,
                 "Also write FILE.csv: a synthetic campaign on these users (user_id,group,pre_revenue,converted,"
                 "revenue; +30% order rate for lapsed users, +20% for new users, none for the others)");
  app.add_flag("--quiet", args.quiet, "Print nothing on success");
}

int generate_command_run(const GenerateArgs& args, std::ostream& out, std::ostream&) {
  KSEG_EXPECTS(args.users >= 1, UsageError, "--users must be at least 1");
  KSEG_EXPECTS(!args.out.empty(), UsageError, "--out is empty: give the path of the file to write");
  KSEG_EXPECTS(args.drift >= 0.0 && args.drift <= 1.0, UsageError, "--drift must lie in [0, 1]");
  KSEG_EXPECTS(args.churn >= 0.0 && args.churn <= 1.0, UsageError, "--churn must lie in [0, 1]");
  KSEG_EXPECTS(args.events_per_user == 0.0 || !args.events.empty(), UsageError,
               "--events-per-user needs --events FILE (the log it shapes)");
  EventGenerateOptions event_options;
  event_options.events_per_user = args.events_per_user;
  event_options_check(event_options);
  output_paths_check({}, {{"--out", args.out}, {"--events", args.events}, {"--campaign", args.campaign}});
  GenerateOptions options;
  options.users = args.users;
  options.seed = args.seed;
  options.with_truth = args.with_truth;
  options.drift = args.drift;
  options.churn = args.churn;
  // The files appear together: a failure writing the events leaves the users file as it was.
  FileSet files;
  const std::string users_staged = files.stage(args.out);
  users_generate(users_staged, options);
  if (std::filesystem::exists(users_staged + ".truth.csv"))  // .npy --with-truth: the planted segments beside it
    files.adopt(users_staged + ".truth.csv", args.out + ".truth.csv");
  const int64_t events = args.events.empty() ? 0 : events_generate(files.stage(args.events), options, event_options);
  if (!args.campaign.empty()) campaign_generate(files.stage(args.campaign), options);
  files.commit();
  if (args.quiet) return 0;
  out << "kseg: wrote " << args.users << " users (seed " << args.seed << ") to " << args.out << "\n";
  if (!args.events.empty()) out << "kseg: wrote " << events << " events of these users to " << args.events << "\n";
  if (!args.campaign.empty())
    out << "kseg: wrote their campaign (control/treatment, planted effects) to " << args.campaign << "\n";
  return 0;
}

}  // namespace kseg
