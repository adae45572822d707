// The options several commands share, declared once: each command registers the groups it takes.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace kseg {

void table_options_register(CLI::App& app, std::string& id_column, std::string& weight_column,
                            std::vector<std::string>& columns, std::string& scale) {
  app.add_option("--id-column", id_column, "Id column (default: one named id or user_id, else row numbers)");
  app.add_option("--weight-column", weight_column, "Column of per-user sample weights (>= 0)");
  app.add_option("--columns", columns, "Feature columns, comma-separated (default: all but id/weight)")->delimiter(',');
  app.add_option("--scale", scale, "Feature scaling: zscore, robust (median/IQR), minmax or none")
      ->capture_default_str();
}

void preparation_options_register(CLI::App& app, PreparationOptions& a) {
  app.add_option("--categorical", a.categorical, "Force columns categorical (e.g. zip codes), comma-separated")
      ->delimiter(',');
  app.add_option("--numeric", a.numeric, "Force columns numeric, comma-separated")->delimiter(',');
  app.add_option("--ignore", a.ignore, "Columns not read, comma-separated")->delimiter(',');
  app.add_option("--audit-columns", a.audit, "Columns kept out of clustering but carried to profiles")->delimiter(',');
  app.add_option("--date-columns", a.dates, "ISO 8601 date columns, turned into days before --as-of")->delimiter(',');
  app.add_option("--impute", a.impute, "Missing numeric values: median, mean or zero")->capture_default_str();
  app.add_flag("--missing-indicators", a.missing_indicators, "Add a 0/1 feature per numeric column with gaps");
  app.add_option("--log", a.log, "log1p: auto (non-negative columns with skew > 2), none, or a,b")
      ->capture_default_str();
  app.add_option("--feature-weight", a.feature_weights, "col=W: weight a column up or down (repeatable)");
  app.add_option("--max-levels", a.max_levels, "Categorical levels kept; rarer ones merge into (other)")
      ->capture_default_str();
  app.add_option("--as-of", a.as_of, "Reference date for date columns (default: the latest date in the data)");
  app.add_option_function<std::string>(
      "--na-values", [&a](const std::string& text) { a.na_values = text; },
      "Cell texts read as missing, comma-separated, replacing the default (pandas' set: NA, N/A, NaN, NULL, #N/A, "
      "None, ... and -); '' for blanks only");
}

void explain_options_register(CLI::App& app, ExplainOptions& args) {
  app.add_option("--audit-ratio", args.audit_ratio,
                 "Audit: flag a group whose share in a segment is below R× or above 1/R× its population share")
      ->capture_default_str();
  app.add_option("--audit-min-diff", args.audit_min_diff,
                 "Audit: ... and differs from it by at least this share (0.02 = 2 points)")
      ->capture_default_str();
}

void id_export_options_register(CLI::App& app, IdExport& ids) {
  app.add_flag("--hash-ids", ids.hash_ids,
               "Export every id as hex HMAC-SHA-256(key, id); key from --hash-key-file or env KSEG_HASH_KEY");
  app.add_option("--hash-key-file", ids.hash_key_file, "File holding the --hash-ids key (>= 16 bytes)");
  app.add_flag("--csv-safe-ids", ids.csv_safe,
               "Write ids starting with = + - @ tab CR as text ('=...), so spreadsheets do not run them as formulas");
  // Refused with a reason: a key in argv shows in ps and in shell history.
  const auto refuse = [](const std::string&) {
    throw CLI::ValidationError("--hash-key",
                               "the key is never accepted on the command line (ps, shell history): use "
                               "--hash-key-file FILE or the environment variable KSEG_HASH_KEY");
  };
  app.add_option_function<std::string>("--hash-key", refuse)->group("");
}

void device_options_register(CLI::App& app, DeviceOptions& options) {
  app.add_option("--device", options.device, "auto (GPU if usable, else CPU), cpu, cuda or cuda:N")
      ->capture_default_str();
  app.add_option("--threads", options.threads, "CPU threads; 0 = all cores")->capture_default_str();
  app.add_option("--precision", options.precision, "GPU product precision: fp32 or tf32 (tensor cores, ~1e-3 rel.)")
      ->capture_default_str();
  app.add_option("--gpu-memory", options.gpu_memory_gb,
                 "GPU memory budget in GiB; data beyond it is streamed from host memory (0 = 80% of free)");
  app.add_option("--algorithm", options.algorithm,
                 "CPU pass: lloyd (every row, every iteration) or hamerly (distance bounds skip the rows whose segment "
                 "cannot change: the same segments, faster on clustered data with few features once centroids settle)")
      ->capture_default_str();
}

}  // namespace kseg
