// kseg schema: the roles kseg infers for each column, with missing and distinct counts; nothing is written. The work
// is input_schema (app/input_schema.hpp).
#include <CLI/CLI.hpp>
#include <ostream>

#include "app/input_schema.hpp"
#include "cli/commands.hpp"

namespace kseg {

void schema_command_register(CLI::App& app, SchemaRequest& request) {
  InputOptions& in = request.input;
  app.add_option("INPUT", in.path,
                 "User profiles: CSV (plain, .gz, .zst) with a header, Parquet (file or directory), or a .npy")
      ->required();
  app.add_option("--id-column", in.id_column, "Id column (default: one named id or user_id, else detected)");
  app.add_option("--weight-column", in.weight_column, "Column of per-user sample weights");
  app.add_option("--columns", in.columns, "Only these feature columns, comma-separated")->delimiter(',');
  app.add_option("--delimiter", in.delimiter, "CSV field separator")->capture_default_str();
  app.add_option("--threads", request.threads, "CPU threads; 0 = all cores")->capture_default_str();
  preparation_options_register(app, request.prep);
}

int schema_command_run(const SchemaRequest& request, std::ostream& out, std::ostream&) {
  schema_print(input_schema(request), out);
  return 0;
}

}  // namespace kseg
