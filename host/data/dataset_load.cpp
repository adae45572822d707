#include <omp.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "host/data/dataset.hpp"
#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/npy_reader.hpp"

namespace kseg {
namespace {

constexpr size_t kBatchBytes = 64u << 20;

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && lowercase(s.substr(s.size() - suffix.size())) == suffix;
}

// The first failure in row order, whichever thread met it, so the reported line does not depend on scheduling.
struct FirstError {
  int64_t row = std::numeric_limits<int64_t>::max();
  std::string message;
  void offer(int64_t r, const std::string& m) {
#pragma omp critical(kseg_first_error)
    if (r < row) {
      row = r;
      message = m;
    }
  }
};

void weights_check(const std::vector<float>& weights, const std::string& path, const std::string& column) {
  double total = 0.0;
  for (float w : weights) total += w;
  KSEG_EXPECTS(total > 0.0, DataError,
               path + ": column \"" + column + "\": the weights sum to 0; at least one row needs a positive weight");
}

Dataset csv_load(const std::string& path, const LoadOptions& options) {
  CsvReader reader(path, CsvOptions{options.delimiter});
  const std::vector<std::string>& header = reader.header();
  Dataset data;
  data.path = path;
  data.id_column = id_column_detect(header, options.id_column);
  std::vector<std::string> names = options.columns;
  if (names.empty())
    for (const std::string& h : header)
      if (h != data.id_column && h != options.weight_column) names.push_back(h);
  KSEG_EXPECTS(!names.empty(), DataError, path + ": no feature columns (the file has only an id or weight column)");
  const std::vector<int> feature_pos = column_positions(header, names, path);
  const int id_pos = data.id_column.empty() ? -1 : column_positions(header, {data.id_column}, path)[0];
  const int weight_pos =
      options.weight_column.empty() ? -1 : column_positions(header, {options.weight_column}, path)[0];
  for (int p : feature_pos) {
    KSEG_EXPECTS(p != id_pos, UsageError, "--columns: \"" + header[p] + "\" is the id column, not a feature");
    KSEG_EXPECTS(p != weight_pos, UsageError, "--columns: \"" + header[p] + "\" is the weight column, not a feature");
  }

  data.feature_names = names;
  data.n_cols = static_cast<int64_t>(names.size());
  data.n_rows = reader.records_count();
  KSEG_EXPECTS(data.n_rows > 0, DataError, path + ": the file has a header but no data rows");
  data.x.resize(static_cast<size_t>(data.n_rows * data.n_cols));
  if (weight_pos >= 0) data.weights.resize(static_cast<size_t>(data.n_rows));
  data.ids = id_pos >= 0 ? IdColumn() : IdColumn::row_numbers(data.n_rows);
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();

  reader.batches_for_each(kBatchBytes, threads, [&](const CsvRecordBatch& batch) {
    csv_batch_floats_parse(batch, feature_pos, header, path, threads, data.x.data() + batch.first_record * data.n_cols);
    if (weight_pos >= 0) {
      float* w = data.weights.data() + batch.first_record;
      csv_batch_floats_parse(batch, {weight_pos}, header, path, threads, w);
      for (int64_t r = 0; r < batch.n_records; ++r)
        KSEG_EXPECTS(w[r] >= 0.0f, DataError,
                     location_format(path, batch.line(r), weight_pos + 1,
                                     "column \"" + header[weight_pos] + "\": negative weight; weights must be >= 0"));
    }
    if (id_pos >= 0)
      for (int64_t r = 0; r < batch.n_records; ++r) data.ids.append(batch.field_raw(r, id_pos));
  });
  if (weight_pos >= 0) weights_check(data.weights, path, options.weight_column);
  return data;
}

Dataset npy_load(const std::string& path, const LoadOptions& options) {
  KSEG_EXPECTS(options.weight_column.empty(), UsageError,
               "--weight-column needs a CSV input; " + path + " is a .npy file without column names");
  NpyReader reader(path);
  Dataset data;
  data.path = path;
  data.n_rows = reader.n_rows();
  KSEG_EXPECTS(data.n_rows > 0, DataError, path + ": the array has no rows");
  const std::vector<std::string> all = npy_feature_names(reader.n_cols());
  std::vector<float> full(static_cast<size_t>(reader.n_rows() * reader.n_cols()));
  reader.rows_read(0, reader.n_rows(), full.data());
  data.ids = IdColumn::row_numbers(data.n_rows);
  if (options.columns.empty()) {
    data.feature_names = all;
    data.n_cols = reader.n_cols();
    data.x = std::move(full);
    return data;
  }
  const std::vector<int> pos = column_positions(all, options.columns, path);
  data.feature_names = options.columns;
  data.n_cols = static_cast<int64_t>(pos.size());
  data.x.resize(static_cast<size_t>(data.n_rows * data.n_cols));
  for (int64_t i = 0; i < data.n_rows; ++i)
    for (int64_t t = 0; t < data.n_cols; ++t) data.x[i * data.n_cols + t] = full[i * reader.n_cols() + pos[t]];
  return data;
}

}  // namespace

void csv_batch_floats_parse(const CsvRecordBatch& batch, const std::vector<int>& positions,
                            const std::vector<std::string>& header, const std::string& path, int threads, float* out) {
  FirstError first;
  const int64_t d = static_cast<int64_t>(positions.size());
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t r = 0; r < batch.n_records; ++r) {
    try {
      for (int64_t t = 0; t < d; ++t)
        out[r * d + t] =
            csv_float_parse(batch.field(r, positions[t]), path, batch.line(r), positions[t] + 1, header[positions[t]]);
    } catch (const DataError& e) {
      first.offer(r, e.what());
    }
  }
  if (!first.message.empty()) throw DataError(first.message);
}

std::string id_column_detect(const std::vector<std::string>& header, const std::string& requested) {
  if (!requested.empty()) {
    KSEG_EXPECTS(std::find(header.begin(), header.end(), requested) != header.end(), UsageError,
                 "--id-column: no column named \"" + requested + "\"");
    return requested;
  }
  for (const std::string& h : header) {
    const std::string name = lowercase(h);
    if (name == "id" || name == "user_id" || name == "userid" || name == "customer_id" || name == "uid") return h;
  }
  return "";
}

std::vector<int> column_positions(const std::vector<std::string>& header, const std::vector<std::string>& names,
                                  const std::string& path) {
  std::vector<int> positions;
  for (const std::string& name : names) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      std::string available;
      for (size_t i = 0; i < header.size() && i < 12; ++i) available += (i ? ", " : "") + header[i];
      if (header.size() > 12) available += ", ...";
      throw UsageError(path + ": no column named \"" + name + "\" (columns: " + available + ")");
    }
    positions.push_back(static_cast<int>(it - header.begin()));
  }
  return positions;
}

std::vector<std::string> npy_feature_names(int64_t n_cols) {
  std::vector<std::string> names;
  for (int64_t t = 0; t < n_cols; ++t) names.push_back("f" + std::to_string(t));
  return names;
}

Dataset dataset_load(const std::string& path, const LoadOptions& options) {
  return ends_with(path, ".npy") ? npy_load(path, options) : csv_load(path, options);
}

}  // namespace kseg
