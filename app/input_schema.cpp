#include "app/input_schema.hpp"

#include "app/option_limits.hpp"
#include "app/prepare_input.hpp"

namespace kseg {

void schema_request_validate(const SchemaRequest& request) {
  const InputOptions& in = request.input;
  const PreparationOptions& prep = request.prep;
  column_roles_validate({in.id_column, in.weight_column, in.columns, prep.categorical, prep.numeric, prep.dates,
                         prep.ignore, prep.audit});
}

TableSchema input_schema(const SchemaRequest& request, const Communicator& comm) {
  schema_request_validate(request);
  const InputOptions& in = request.input;
  return schema_infer(
      in.path,
      schema_options_make(in.id_column, in.weight_column, in.columns, in.delimiter, request.threads, request.prep),
      comm);
}

}  // namespace kseg
