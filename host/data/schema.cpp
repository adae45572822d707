#include "host/data/schema.hpp"
#include "host/data/schema_facts.hpp"

#include <omp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <ostream>
#include <set>
#include <string_view>
#include <unordered_map>

#include "host/comm/byte_pack.hpp"
#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/csv_slice.hpp"
#include "host/io/input_format.hpp"
#include "host/io/npy_reader.hpp"
#include "host/io/text_encoding.hpp"
#include "host/parquet/parquet_input.hpp"

namespace kseg {
namespace {

constexpr size_t kBatchBytes = 64u << 20;

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool id_like_name(const std::string& name) {
  const std::string n = lowercase(name);
  return n == "id" || n == "user_id" || n == "userid" || n == "customer_id" || n == "customerid" || n == "uid";
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

void cells_scan(const CsvRecordBatch& batch, int column, const MissingValues& missing, CellStats& stats) {
  CellCounts counts;
  for (int64_t r = 0; r < batch.n_records; ++r) {
    const std::string_view text = batch.field(r, column);
    if (missing.missing(text)) {
      ++counts.missing;
      continue;
    }
    text_cell_add(
        text, [&] { return batch.field_line(r, column); }, counts, stats);
  }
  counts.add_to(stats);
}

// The facts of every column, as bytes for allgather_bytes: the counts, capped, the bad cells, the distinct hashes.
std::string cell_stats_pack(const std::vector<CellStats>& stats) {
  BytePacker out;
  const auto put_cells = [&](const std::vector<BadCell>& cells) {
    out.put(static_cast<uint64_t>(cells.size()));
    for (const BadCell& cell : cells) out.put(cell.line).put_string(cell.text);
  };
  for (const CellStats& s : stats) {
    out.put(s.missing).put(s.numbers).put(s.non_finite).put(s.dates).put(char(s.distinct_capped));
    put_cells(s.bad_numbers);
    put_cells(s.bad_dates);
    out.put(static_cast<uint64_t>(s.distinct.size()));
    s.distinct.for_each([&](uint64_t hash) { out.put(hash); });
  }
  return out.take();
}

// Combines the ranks' column facts into what one pass over the whole file finds: counts add up, the first bad cells
// are taken in rank order, and the distinct sets unite in rank order up to the cap (so the count is
// min(distinct, cap), as in one pass).
void cell_stats_combine(std::vector<CellStats>& stats, const Communicator& comm) {
  if (comm.size() == 1) return;
  const std::vector<std::string> blobs = comm.allgather_bytes(cell_stats_pack(stats));
  std::vector<CellStats> all(stats.size());
  for (const std::string& blob : blobs) {
    ByteUnpacker in(blob);
    const auto get_cells = [&](std::vector<BadCell>& cells) {
      const uint64_t n = in.get<uint64_t>();
      for (uint64_t i = 0; i < n; ++i) {
        BadCell cell;
        cell.line = in.get<int64_t>();
        cell.text = std::string(in.get_string());
        if (cells.size() < kBadCellsKept) cells.push_back(std::move(cell));
      }
    };
    for (CellStats& s : all) {
      s.missing += in.get<int64_t>();
      s.numbers += in.get<int64_t>();
      s.non_finite += in.get<int64_t>();
      s.dates += in.get<int64_t>();
      const char capped = in.get<char>();
      get_cells(s.bad_numbers);
      get_cells(s.bad_dates);
      const uint64_t count = in.get<uint64_t>();
      for (uint64_t i = 0; i < count; ++i) {
        const uint64_t hash = in.get<uint64_t>();
        if (!s.distinct_capped) {
          s.distinct.add(hash);
          s.distinct_capped = s.distinct.size() >= kDistinctCap;
        }
      }
      s.distinct_capped = s.distinct_capped || capped;
    }
  }
  stats = std::move(all);
}

// A column whose filled cells are nearly all numbers (or dates) is one with bad cells, not a categorical one: one
// line naming the first bad cells and the ways out. Nearly all: at least kAlmostAllPercent of them, or every cell a
// number when some are not finite (inf, nan, 1e400). Called for columns that are not all numbers nor all dates.
void almost_typed_check(const ColumnSchema& c, const CellStats& s, int64_t present, const std::string& path,
                        CellPlace place) {
  const auto almost_all = [&](int64_t count) { return count * 100 >= present * kAlmostAllPercent; };
  const bool numbers = present > 0 && (almost_all(s.numbers) || s.numbers + s.non_finite == present);
  const bool dates = present > 0 && almost_all(s.dates);
  if (!numbers && !dates) return;
  const std::vector<BadCell>& bad = numbers ? s.bad_numbers : s.bad_dates;
  const int64_t good = numbers ? s.numbers : s.dates;
  const char* kind = numbers ? "numbers" : "dates";
  std::string message = "column \"" + c.name + "\": " +
                        (numbers ? csv_number_problem(bad.front().text)
                                 : text_quote(bad.front().text) + " is not an ISO 8601 date (YYYY-MM-DD)");
  message += almost_all(good)
                 ? ", yet " + std::to_string(good) + " of " + std::to_string(present) + " filled cells are " + kind
                 : std::string(" in a column of numbers");
  for (size_t i = 1; i < bad.size(); ++i)
    message += (i == 1 ? "; other bad cells: " : ", ") + std::string(place == CellPlace::line ? "line " : "row ") +
               std::to_string(bad[i].line) + " " + text_quote(bad[i].text);
  if (present - good > static_cast<int64_t>(bad.size())) message += " (" + std::to_string(present - good) + " in all)";
  message += ": a " + std::string(numbers ? "numeric" : "date") +
             " column with bad cells; fix them, list their spelling in --na-values, or use --categorical " + c.name +
             " or --ignore " + c.name;
  if (place == CellPlace::row) throw DataError(path + ": row " + std::to_string(bad.front().line) + ": " + message);
  throw DataError(location_format(path, bad.front().line, c.position + 1, message));
}

void overrides_check(const std::vector<std::string>& header, const SchemaOptions& o, const std::string& path) {
  const std::vector<std::pair<const char*, const std::vector<std::string>*>> lists = {
      {"--columns", &o.columns}, {"--categorical", &o.categorical}, {"--numeric", &o.numeric},
      {"--ignore", &o.ignore},   {"--audit-columns", &o.audit},     {"--date-columns", &o.dates}};
  std::set<std::string> claimed;
  for (const auto& [option, names] : lists)
    for (const std::string& name : *names) {
      KSEG_EXPECTS(contains(header, name), UsageError,
                   std::string(option) + ": " + path + " has no column named \"" + name + "\"");
      if (std::string(option) == "--columns") continue;
      KSEG_EXPECTS(claimed.insert(name).second, UsageError,
                   std::string(option) + ": column \"" + name + "\" is given two roles");
    }
  for (const std::string* name : {&o.id_column, &o.weight_column})
    if (!name->empty()) {
      KSEG_EXPECTS(contains(header, *name), UsageError, path + " has no column named \"" + *name + "\"");
      KSEG_EXPECTS(!claimed.count(*name), UsageError, "column \"" + *name + "\" is given two roles");
    }
}

// The role of one column given its statistics and the user's overrides.
void role_decide(ColumnSchema& c, const CellStats& s, const SchemaOptions& o, int64_t n_rows, bool id_taken,
                 const std::string& path, CellPlace place) {
  const int64_t present = n_rows - s.missing;
  c.missing = s.missing;
  c.distinct = s.distinct.size();
  c.all_numeric = s.numbers == present;
  const bool all_dates = s.dates == present;
  auto set = [&](ColumnRole role, const std::string& why) {
    c.role = role;
    c.why = why;
  };
  if (c.name == o.weight_column) return set(ColumnRole::weight, "--weight-column");
  if (contains(o.ignore, c.name)) return set(ColumnRole::ignore, "--ignore");
  if (contains(o.audit, c.name)) {
    c.audit_categorical = !c.all_numeric;
    return set(ColumnRole::audit, "--audit-columns");
  }
  if (contains(o.dates, c.name)) return set(ColumnRole::date, "--date-columns");
  if (contains(o.numeric, c.name)) return set(ColumnRole::numeric, "--numeric");
  if (contains(o.categorical, c.name)) return set(ColumnRole::categorical, "--categorical");
  if (!o.columns.empty() && !contains(o.columns, c.name)) return set(ColumnRole::ignore, "not in --columns");
  if (c.all_numeric) return set(ColumnRole::numeric, present ? "every value is a number" : "empty column");
  if (all_dates) return set(ColumnRole::date, "every value is an ISO 8601 date");
  almost_typed_check(c, s, present, path, place);
  const bool near_unique = s.distinct_capped || (c.distinct > o.max_levels && c.distinct * 10 > present * 9);
  if (near_unique && !id_taken && s.missing == 0 && c.distinct == n_rows)
    return set(ColumnRole::id, "unique text per row");
  KSEG_EXPECTS(!near_unique, DataError,
               c.name + ": " + std::to_string(c.distinct) + (s.distinct_capped ? "+" : "") + " distinct values in " +
                   std::to_string(present) +
                   " rows: almost unique per row (free text, emails?), useless for segments; add --ignore " + c.name);
  set(ColumnRole::categorical, "text values");
}

TableSchema npy_schema(const std::string& path, const SchemaOptions& o, const Communicator& comm) {
  NpyReader reader(path);
  TableSchema schema;
  schema.path = path;
  schema.npy = true;
  schema.missing = o.missing;
  schema.n_rows = reader.n_rows();
  const int64_t ranks = comm.size(), rank = comm.rank();
  schema.slice.first_row = schema.n_rows * rank / ranks;  // rank r reads rows [r·n/N, (r+1)·n/N)
  schema.slice.n_rows = schema.n_rows * (rank + 1) / ranks - schema.slice.first_row;
  schema.slice.partial = ranks > 1;
  KSEG_EXPECTS(schema.n_rows > 0, DataError, path + ": the array has no rows");
  KSEG_EXPECTS(o.weight_column.empty() && o.id_column.empty(), UsageError,
               "--weight-column and --id-column need a CSV input; " + path + " is a .npy file");
  for (int64_t t = 0; t < reader.n_cols(); ++t) {
    ColumnSchema c;
    c.name = "f" + std::to_string(t);
    c.position = static_cast<int>(t);
    const bool kept = (o.columns.empty() || contains(o.columns, c.name)) && !contains(o.ignore, c.name);
    c.role = kept ? ColumnRole::numeric : ColumnRole::ignore;
    c.all_numeric = true;
    c.why = ".npy column";
    schema.columns.push_back(c);
  }
  return schema;
}

}  // namespace

TableSchema schema_infer(const std::string& path, const SchemaOptions& o, const Communicator& comm) {
  if (parquet_input_is(path)) return parquet_schema_infer(path, o, comm);
  if (input_format_detect(path) == InputFormat::npy) return npy_schema(path, o, comm);
  CsvReader reader(path, CsvOptions{o.delimiter});
  const std::vector<std::string>& header = reader.header();
  overrides_check(header, o, path);
  std::vector<CellStats> stats(header.size());
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  TableSchema schema;
  schema.path = path;
  schema.missing = o.missing;
  const CsvByteRange range = csv_range_split(reader, comm);
  reader.range_for_each(range.begin, range.end, range.line, 0, kBatchBytes, threads, [&](const CsvRecordBatch& batch) {
    const int n_cols = static_cast<int>(header.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int c = 0; c < n_cols; ++c) cells_scan(batch, c, o.missing, stats[c]);
    schema.slice.n_rows += batch.n_records;
  });
  schema.n_rows = schema.slice.n_rows;
  if (comm.size() > 1) {
    schema.slice.partial = true;
    schema.slice.byte_begin = range.begin;
    schema.slice.byte_end = range.end;
    schema.slice.line = range.line;
    schema.slice.first_row = comm.prefix_exclusive(schema.slice.n_rows);
    schema.n_rows = comm.total(schema.slice.n_rows);
    cell_stats_combine(stats, comm);
  }
  KSEG_EXPECTS(schema.n_rows > 0, DataError, path + ": the file has a header but no data rows");
  schema_roles_decide(schema, header, stats, o, CellPlace::line);
  return schema;
}

bool column_name_id_like(const std::string& name) { return id_like_name(name); }

std::string schema_id_column_named(const std::vector<std::string>& header, const SchemaOptions& o) {
  if (!o.id_column.empty()) return o.id_column;
  for (const std::string& h : header)
    if (id_like_name(h) && !contains(o.ignore, h) && !contains(o.columns, h)) return h;
  return "";
}

void cell_stats_all_combine(std::vector<CellStats>& stats, const Communicator& comm) {
  cell_stats_combine(stats, comm);
}

void typed_column_names_check(const std::vector<std::string>& names, const std::string& path) {
  std::unordered_map<std::string, size_t> seen;
  for (size_t c = 0; c < names.size(); ++c) {
    const std::string& name = names[c];
    const std::string where = path + ": column " + std::to_string(c + 1) + ": ";
    KSEG_EXPECTS(name.find_first_not_of(" \t") != std::string::npos, DataError,
                 path + ": empty column name (column " + std::to_string(c + 1) + "); every column needs a name");
    const std::string problem = name_text_problem(name, path);
    KSEG_EXPECTS(problem.empty(), DataError, where + "column name " + problem);
    const auto [it, inserted] = seen.emplace(name, c + 1);
    KSEG_EXPECTS(inserted, DataError,
                 path + ": duplicate column name \"" + name + "\" (columns " + std::to_string(it->second) + " and " +
                     std::to_string(c + 1) + "); rename one");
  }
}

void schema_overrides_check(const std::vector<std::string>& header, const SchemaOptions& o, const std::string& path) {
  overrides_check(header, o, path);
}

void schema_roles_decide(TableSchema& schema, const std::vector<std::string>& header,
                         const std::vector<CellStats>& stats, const SchemaOptions& o, CellPlace place) {
  schema.id_column = schema_id_column_named(header, o);
  for (size_t i = 0; i < header.size(); ++i) {
    ColumnSchema c;
    c.name = header[i];
    c.position = static_cast<int>(i);
    if (c.name == schema.id_column) {
      c.role = ColumnRole::id;
      c.why = o.id_column.empty() ? "named like an id" : "--id-column";
      c.missing = stats[i].missing;
      c.distinct = stats[i].distinct.size();
    } else {
      role_decide(c, stats[i], o, schema.n_rows, !schema.id_column.empty(), schema.path, place);
      if (c.role == ColumnRole::id) schema.id_column = c.name;
    }
    schema.columns.push_back(c);
  }
}

void schema_print(const TableSchema& schema, std::ostream& out) {
  out << schema.path << ": " << schema.n_rows << " rows, " << schema.columns.size() << " columns\n";
  char line[512];
  std::snprintf(line, sizeof(line), "  %-28s %-12s %9s %9s  %s\n", "column", "role", "missing", "distinct", "why");
  out << line;
  for (const ColumnSchema& c : schema.columns) {
    std::string role = column_role_name(c.role);
    if (c.role == ColumnRole::audit) role += c.audit_categorical ? " (cat.)" : " (num.)";
    const std::string distinct =
        c.distinct >= kDistinctCap ? std::to_string(kDistinctCap) + "+" : std::to_string(c.distinct);
    std::snprintf(line, sizeof(line), "  %-28s %-12s %9lld %9s  %s\n", c.name.c_str(), role.c_str(),
                  static_cast<long long>(c.missing), schema.npy ? "-" : distinct.c_str(), c.why.c_str());
    out << line;
  }
}

}  // namespace kseg
