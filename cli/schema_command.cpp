// kseg schema: the roles kseg infers for each column, with missing and distinct counts; nothing is written.
#include <CLI/CLI.hpp>
#include <ostream>

#include "cli/commands.hpp"
#include "cli/option_checks.hpp"
#include "app/prepare_input.hpp"

namespace kseg {

void schema_command_register(CLI::App& app, SchemaArgs& args) {
  app.add_option("INPUT", args.input, "User profiles: CSV with a header, or a .npy")->required();
  app.add_option("--id-column", args.id_column, "Id column (default: one named id or user_id, else detected)");
  app.add_option("--weight-column", args.weight_column, "Column of per-user sample weights");
  app.add_option("--columns", args.columns, "Only these feature columns, comma-separated")->delimiter(',');
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  app.add_option("--threads", args.threads, "CPU threads; 0 = all cores")->capture_default_str();
  preparation_options_register(app, args.prep);
}

int schema_command_run(const SchemaArgs& args, std::ostream& out, std::ostream&) {
  column_roles_validate({args.id_column, args.weight_column, args.columns, args.prep.categorical, args.prep.numeric,
                         args.prep.dates, args.prep.ignore, args.prep.audit});
  const SchemaOptions options =
      schema_options_make(args.id_column, args.weight_column, args.columns, args.delimiter, args.threads, args.prep);
  schema_print(schema_infer(args.input, options), out);
  return 0;
}

}  // namespace kseg
