// Parquet input through Arrow C++: the parts of a file or directory, their row groups shared out among processes,
// read with column projection one record batch at a time.
#include <arrow/io/file.h>
#include <omp.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>

#include <algorithm>
#include <memory>

#include "host/error.hpp"
#include "host/parquet/arrow_batches.hpp"
#include "host/parquet/arrow_cells.hpp"
#include "host/parquet/arrow_typed.hpp"
#include "host/parquet/parquet_input.hpp"

namespace kseg {
namespace {

// Rows per record batch: small enough that a streamed batch stays a few MB, large enough to amortise the calls.
constexpr int64_t kBatchRows = 262144;

[[noreturn]] void unreadable(const std::string& path, const std::string& why) {
  throw DataError(path + ": not a readable Parquet file (" + why + "); check that it was copied whole");
}

template <class T>
T checked(arrow::Result<T> result, const std::string& path) {
  if (!result.ok()) unreadable(path, result.status().message());
  return std::move(result).ValueUnsafe();
}

// Whether every data page of a leaf column, in every row group, is dictionary-encoded (as the writer's page encoding
// statistics say; a writer that records none counts as not): such a text column is read as an Arrow dictionary
// array, its indices straight from the pages, so no cell's string is materialised or hashed. A column whose
// dictionary overflowed into plain pages is read as strings (Arrow would hash every value to rebuild a dictionary).
bool leaf_dictionary_encoded(const parquet::FileMetaData& metadata, int leaf) {
  if (metadata.schema()->Column(leaf)->physical_type() != parquet::Type::BYTE_ARRAY) return false;
  for (int g = 0; g < metadata.num_row_groups(); ++g) {
    const auto chunk = metadata.RowGroup(g)->ColumnChunk(leaf);
    if (!chunk->has_dictionary_page() || chunk->encoding_stats().empty()) return false;
    for (const parquet::PageEncodingStats& page : chunk->encoding_stats())
      if (page.page_type != parquet::PageType::DICTIONARY_PAGE && page.encoding != parquet::Encoding::RLE_DICTIONARY &&
          page.encoding != parquet::Encoding::PLAIN_DICTIONARY)
        return false;
  }
  return true;
}

std::unique_ptr<parquet::arrow::FileReader> part_open(const std::string& path) {
  try {
    std::shared_ptr<arrow::io::ReadableFile> file = checked(arrow::io::ReadableFile::Open(path), path);
    parquet::arrow::FileReaderBuilder builder;
    // The system allocator for the Parquet layer too (column chunks, decompressed pages): Arrow's default pool
    // (jemalloc or mimalloc in the wheel) would keep their freed pages resident through the fit.
    const arrow::Status opened = builder.Open(file, parquet::ReaderProperties(arrow::system_memory_pool()));
    if (!opened.ok()) unreadable(path, opened.message());
    parquet::ArrowReaderProperties properties;
    properties.set_batch_size(kBatchRows);
    // The columns of a batch decoded in parallel on Arrow's CPU thread pool when kseg may use several threads.
    properties.set_use_threads(omp_get_max_threads() > 1);
    // No pre-buffering: it would hold the compressed bytes of every row group read (the whole file's projected
    // columns) at once; reading one column chunk at a time is as fast from a local file.
    properties.set_pre_buffer(false);
    const auto metadata = builder.raw_reader()->metadata();
    for (int leaf = 0; leaf < metadata->num_columns(); ++leaf)
      // Text leaves only: a binary column stays binary, so its refusal names the file's type.
      if (metadata->schema()->Column(leaf)->logical_type()->is_string() && leaf_dictionary_encoded(*metadata, leaf))
        properties.set_read_dictionary(leaf, true);
    // The system allocator, not Arrow's jemalloc/mimalloc pool: the decoded batches' memory goes back where the
    // reading passes' memory_release_to_system() can return it before the prepared matrix is allocated.
    return checked(builder.memory_pool(arrow::system_memory_pool())->properties(properties)->Build(), path);
  } catch (const parquet::ParquetException& e) {
    unreadable(path, e.what());
  }
}

// One row group of one part, with its global position.
struct RowGroup {
  int part = 0;
  int group = 0;
  int64_t rows = 0;
  int64_t first_row = 0;  // global index of its first row
};

struct PartsPlan {
  std::vector<std::string> parts;
  std::vector<RowGroup> groups;  // all of them, in reading order
  size_t begin = 0, end = 0;     // this process's share [begin, end)
};

// Rank r reads the row groups [r·G/N, (r+1)·G/N): whole groups, so no row is decoded twice.
PartsPlan parts_plan(const std::string& path, const Communicator& comm) {
  PartsPlan plan;
  plan.parts = parquet_parts_list(path);
  int64_t row = 0;
  for (size_t p = 0; p < plan.parts.size(); ++p) {
    const auto reader = part_open(plan.parts[p]);
    const auto metadata = reader->parquet_reader()->metadata();
    for (int g = 0; g < metadata->num_row_groups(); ++g) {
      const int64_t rows = metadata->RowGroup(g)->num_rows();
      plan.groups.push_back(RowGroup{static_cast<int>(p), g, rows, row});
      row += rows;
    }
  }
  const size_t n = plan.groups.size(), ranks = static_cast<size_t>(comm.size()),
               rank = static_cast<size_t>(comm.rank());
  plan.begin = n * rank / ranks;
  plan.end = n * (rank + 1) / ranks;
  return plan;
}

std::shared_ptr<arrow::Schema> part_schema(parquet::arrow::FileReader& reader, const std::string& path) {
  std::shared_ptr<arrow::Schema> schema;
  const arrow::Status st = reader.GetSchema(&schema);
  if (!st.ok()) unreadable(path, st.message());
  return schema;
}

// The Parquet leaf columns of the named top-level columns. DataError naming a column that is missing, nested or of
// a type kseg cannot read.
std::vector<int> leaves_find(parquet::arrow::FileReader& reader, const std::string& path,
                             const std::vector<std::string>& names) {
  const auto schema = part_schema(reader, path);
  std::vector<int> leaves;
  for (const std::string& name : names) {
    const int field = schema->GetFieldIndex(name);
    KSEG_EXPECTS(field >= 0, DataError, path + ": no column named \"" + name + "\" (the other parts have it)");
    const auto& manifest = reader.manifest().schema_fields[static_cast<size_t>(field)];
    field_type_check(name, *schema->field(field)->type(), path);  // a nested type is refused here
    leaves.push_back(manifest.column_index);
  }
  return leaves;
}

std::vector<int> leaves_find(const std::string& path, const std::vector<std::string>& names) {
  return leaves_find(*part_open(path), path, names);
}

// Reads the named columns of this process's row groups: fn(batch, part path, row of the batch in its part, global
// first row). A nested or unsupported type in a named column is a DataError naming it.
void groups_read(const PartsPlan& plan, const std::vector<std::string>& names,
                 const std::function<void(const arrow::RecordBatch&, const std::string&, int64_t, int64_t)>& fn) {
  for (size_t at = plan.begin; at < plan.end;) {
    const int part = plan.groups[at].part;
    const std::string& path = plan.parts[static_cast<size_t>(part)];
    std::vector<int> groups;
    const int64_t first_row = plan.groups[at].first_row;
    for (; at < plan.end && plan.groups[at].part == part; ++at) groups.push_back(plan.groups[at].group);
    const auto reader = part_open(path);
    const std::vector<int> leaves = leaves_find(*reader, path, names);
    // Row offset within the part of its first group read.
    int64_t row_in_part = first_row;
    for (size_t g = 0; g < plan.groups.size(); ++g)
      if (plan.groups[g].part == part) {
        row_in_part = first_row - plan.groups[g].first_row;
        break;
      }
    try {
      auto batches = checked(reader->GetRecordBatchReader(groups, leaves), path);
      int64_t global = first_row;
      while (true) {
        std::shared_ptr<arrow::RecordBatch> batch;
        const arrow::Status st = batches->ReadNext(&batch);
        if (!st.ok()) unreadable(path, st.message());
        if (!batch) break;
        fn(*batch, path, row_in_part, global);
        row_in_part += batch->num_rows();
        global += batch->num_rows();
      }
    } catch (const parquet::ParquetException& e) {
      unreadable(path, e.what());
    }
  }
}

}  // namespace

bool parquet_support_built() { return true; }

std::vector<std::string> parquet_column_names(const std::string& path) {
  const std::string first = parquet_parts_list(path).front();
  const auto reader = part_open(first);
  std::vector<std::string> names;
  const auto schema = part_schema(*reader, first);  // held: fields() refers into it
  for (const auto& field : schema->fields()) names.push_back(field->name());
  typed_column_names_check(names, path);
  return names;
}

TableSchema parquet_schema_infer(const std::string& path, const SchemaOptions& o, const Communicator& comm) {
  const std::vector<std::string> header = parquet_column_names(path);
  schema_overrides_check(header, o, path);
  const PartsPlan plan = parts_plan(path, comm);
  BatchFacts facts(header, columns_projected(header, o), o.missing);
  leaves_find(plan.parts.front(), facts.names());  // every process checks the types, even one without row groups
  TableSchema schema;
  schema.path = path;
  schema.parquet = true;
  schema.missing = o.missing;
  groups_read(plan, facts.names(), [&](const arrow::RecordBatch& batch, const std::string&, int64_t, int64_t first) {
    facts.add(batch, first);
    schema.slice.n_rows += batch.num_rows();
  });
  schema.slice.first_row = plan.begin < plan.groups.size() ? plan.groups[plan.begin].first_row : 0;
  for (const RowGroup& g : plan.groups) schema.n_rows += g.rows;
  schema.slice.partial = comm.size() > 1;
  if (comm.size() > 1) cell_stats_all_combine(facts.stats(), comm);
  KSEG_EXPECTS(schema.n_rows > 0, DataError, path + ": the Parquet input has no rows");
  schema_roles_decide(schema, header, facts.stats(), o, CellPlace::row);
  return schema;
}

Table parquet_table_load(const TableSchema& schema, const Communicator& comm) {
  const PartsPlan plan = parts_plan(schema.path, comm);
  const BatchConverter converter(schema);
  Table table = converter.table_empty();
  int64_t rows = 0;  // this process's, known from the metadata: the columns are allocated once
  for (size_t g = plan.begin; g < plan.end; ++g) rows += plan.groups[g].rows;
  for (TableColumn& column : table.columns) {
    if (column.is_categorical()) {
      column.codes.reserve(static_cast<size_t>(rows));
    } else {
      column.values.reserve(static_cast<size_t>(rows));
    }
  }
  groups_read(plan, converter.names(),
              [&](const arrow::RecordBatch& batch, const std::string& part, int64_t row_in_part, int64_t) {
                converter.append(batch, part, row_in_part, table);
              });
  table.first_row = schema.slice.first_row;
  return table;
}

void parquet_batches_for_each(const TableSchema& schema, const Communicator& comm,
                              const std::function<void(const Table&, int64_t)>& fn) {
  const PartsPlan plan = parts_plan(schema.path, comm);
  const BatchConverter converter(schema);
  groups_read(plan, converter.names(),
              [&](const arrow::RecordBatch& batch, const std::string& part, int64_t row_in_part, int64_t first) {
                Table table = converter.table_empty();
                converter.append(batch, part, row_in_part, table);
                table.first_row = first;
                fn(table, first);
              });
}

std::vector<int64_t> parquet_segments_read(const std::string& path) {
  const std::vector<std::string> names = parquet_column_names(path);
  KSEG_EXPECTS(std::find(names.begin(), names.end(), "segment") != names.end(), DataError,
               path + ": no column named \"segment\"; give the segments.parquet that fit or assign wrote");
  const PartsPlan plan = parts_plan(path, single_process());
  std::vector<int64_t> segments;
  groups_read(plan, {"segment"}, [&](const arrow::RecordBatch& batch, const std::string& part, int64_t row, int64_t) {
    const arrow::Array& column = *batch.column(0);
    const bool integer = arrow::is_integer(column.type_id());
    KSEG_EXPECTS(integer && column.null_count() == 0, DataError,
                 part + ": column \"segment\" " +
                     (integer ? "has an empty segment near row " + std::to_string(row + 1)
                              : "has type " + column.type()->ToString() + ", not the integers of a segments file"));
    numbers_visit(column, [&](const auto* v) {
      for (int64_t r = 0; r < column.length(); ++r) segments.push_back(static_cast<int64_t>(v[r]));
    });
  });
  return segments;
}

}  // namespace kseg
