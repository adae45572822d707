// The roles kseg infers for the columns of an input (kseg schema, kseg fit --dry-run): nothing is read beyond the
// schema pass and nothing is written.
#pragma once

#include "app/options.hpp"
#include "host/comm/communicator.hpp"
#include "host/data/schema.hpp"

namespace kseg {

struct SchemaRequest {
  InputOptions input;       // the table and the roles given to its columns
  PreparationOptions prep;  // forced roles, missing-value spellings, levels kept
  int threads = 0;          // CPU threads for reading; 0 = all cores
};

// UsageError when one column is given two roles.
void schema_request_validate(const SchemaRequest& request);

// Validates, then infers every column's role (with missing and distinct counts). DataError for unreadable input.
TableSchema input_schema(const SchemaRequest& request, const Communicator& comm = single_process());

}  // namespace kseg
