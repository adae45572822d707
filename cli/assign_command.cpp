// kseg assign: scores users against a saved model in bounded memory, batch by batch, with the model's preparation.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>

#include <omp.h>
#include "cli/commands.hpp"
#include "app/model_input.hpp"

#include "host/data/schema.hpp"
#include "host/data/table_batch.hpp"
#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/csv_slice.hpp"
#include "host/io/input_format.hpp"
#include "host/io/npy_reader.hpp"
#include "host/model/model_file.hpp"
#include "host/mpi/segments_gather.hpp"
#include "host/output/segment_files.hpp"
#include "host/parquet/parquet_input.hpp"
#include "host/parquet/parquet_output.hpp"

namespace kseg {
namespace {

constexpr size_t kCsvBatchBytes = 32u << 20;

// Scores one batch of users (a table in original units) and appends it to the writer. Across processes (each
// rank scoring its slice) the rows are kept and reach rank 0's writer in rank order at commit.
class BatchScorer {
 public:
  BatchScorer(const Model& model, const AssignArgs& args, std::ostream& err, const Communicator& comm)
      : model_(model), args_(args), err_(err), comm_(comm) {
    // Across processes rank 0 opens the file at commit, after the collective calls: by then no rank is still
    // starting up (cleaning stale temporary files beside the output).
    if (comm_.size() == 1) writer_ = std::make_unique<SegmentsWriter>(args.out);
  }

  void score(const Table& table, const IdColumn& ids, int64_t first_id) {
    prepared_resize(table.n_rows);
    model_.pipeline.transform(table, x_.data(), &counters_);
    prepared_score(table.n_rows, ids, first_id);
  }
  // A row-major block of numeric columns (a .npy batch), prepared without building a table.
  void score_rows(const float* rows, int64_t n, const std::vector<std::string>& names, const IdColumn& ids,
                  int64_t first_id) {
    prepared_resize(n);
    model_.pipeline.transform_rows(rows, n, names, args_.input, x_.data());
    prepared_score(n, ids, first_id);
  }
  // x_ sized for n prepared rows. A batch of another size drops the backend first: it was built on x_ (a GPU
  // backend may have pinned its pages) and x_ may move.
  void prepared_resize(int64_t n) {
    const size_t size = static_cast<size_t>(n * model_.pipeline.n_features());
    if (size != x_.size()) backend_.reset();
    x_.resize(size);
  }
  // The prepared rows in x_: nearest centroids, then to the writer (or kept, across processes). Batches of the same
  // size reuse one backend (refreshed from x_): a GPU backend is not rebuilt (streams, cuBLAS, memory) per batch.
  void prepared_score(int64_t n, const IdColumn& ids, int64_t first_id) {
    const int64_t d = model_.pipeline.n_features();
    labels_.resize(static_cast<size_t>(n));
    distances_.resize(static_cast<size_t>(n));
    if (model_.tree && args_.assign_mode == "tree") {
      tree_walk(n, d);
    } else {
      backend_assign(n, d);
    }
    for (int32_t& label : labels_) label = static_cast<int32_t>(model_.segments.ids[label]);  // stable ids
    if (comm_.size() == 1) {
      writer_->rows_append(ids, first_id, labels_.data(), distances_.data(), n);
    } else {
      slice_keep(ids, first_id, n);
    }
    rows_ += n;
  }
  // A tree model, as it was built: from the root, the nearer child at each split (on the host: depth × 2 distances
  // a row, each row alone, so the same for any thread count).
  void tree_walk(int64_t n, int64_t d) {
    const SegmentTree& tree = *model_.tree;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i)
      labels_[i] = static_cast<int32_t>(tree.leaf_walk(x_.data() + i * d, &distances_[i]));
  }
  // The nearest centroid (for a tree model: the nearest leaf), on the backend.
  void backend_assign(int64_t n, int64_t d) {
    if (backend_) {
      backend_->data_refresh();
    } else {
      const DataView view{x_.data(), nullptr, n, d};
      backend_ = backend_create(view, args_.device, args_.quiet || rows_ > 0, err_);
    }
    backend_->assign(model_.centroids.data(), model_.n_clusters);
    backend_->labels_get(labels_.data());
    backend_->distances_get(distances_.data());
  }
  // Collective across processes: the rows reach the writer, the counts add up; then rank 0 commits.
  void commit(int64_t first_row) {
    if (comm_.size() > 1) {
      if (comm_.rank() == 0) writer_ = std::make_unique<SegmentsWriter>(args_.out);
      segments_gather_append(comm_, writer_.get(), slice_ids_, first_row, slice_labels_.data(), slice_distances_.data(),
                             static_cast<int64_t>(slice_labels_.size()));
      rows_ = comm_.total(rows_);
      counters_sum();
    }
    if (writer_) writer_->commit();
  }
  int64_t rows() const { return rows_; }
  const TransformCounters& counters() const { return counters_; }

 private:
  void slice_keep(const IdColumn& ids, int64_t first_id, int64_t n) {
    if (ids.numbered()) {
      slice_ids_ = IdColumn::row_numbers(0);
    } else {
      for (int64_t i = 0; i < n; ++i) slice_ids_.append(ids.raw(first_id + i));
    }
    slice_labels_.insert(slice_labels_.end(), labels_.begin(), labels_.end());
    slice_distances_.insert(slice_distances_.end(), distances_.begin(), distances_.end());
  }
  // Unseen-level counts of all ranks, column by column in the order of the model.
  void counters_sum() {
    std::vector<int64_t> counts;
    for (const CategoricalStep& s : model_.pipeline.categorical()) counts.push_back(counters_.unseen_levels[s.name]);
    comm_.sum_all(counts.data(), counts.size());
    counters_.unseen_levels.clear();
    for (size_t c = 0; c < counts.size(); ++c)
      if (counts[c] > 0) counters_.unseen_levels[model_.pipeline.categorical()[c].name] = counts[c];
  }

  const Model& model_;
  const AssignArgs& args_;
  std::ostream& err_;
  const Communicator& comm_;
  std::unique_ptr<SegmentsWriter> writer_;  // rank 0 only
  IdColumn slice_ids_;                      // across processes: this rank's rows, kept until commit
  std::vector<int32_t> slice_labels_;
  std::vector<float> slice_distances_;
  std::vector<float> x_;
  std::unique_ptr<Backend> backend_;  // built on x_ (declared after it: destroyed before it)
  std::vector<int32_t> labels_;
  std::vector<float> distances_;
  TransformCounters counters_;
  int64_t rows_ = 0;
};

// Returns the global index of this process's first row.
int64_t csv_assign(const Model& model, const AssignArgs& args, BatchScorer& scorer, const Communicator& comm) {
  CsvReader reader(args.input, CsvOptions{args.delimiter});
  const TableSchema schema = model_schema(model, reader.header(), args.input, args.model);
  const TableBatchReader batches(schema, reader.header());
  const int threads = args.device.threads > 0 ? args.device.threads : omp_get_max_threads();
  if (comm.size() > 1) {  // this rank's slice; ids are kept (or numbered from the slice's offset) until commit
    const CsvByteRange range = csv_range_split(reader, comm);
    int64_t rows = 0;
    reader.range_for_each(range.begin, range.end, range.line, 0, kCsvBatchBytes, threads,
                          [&](const CsvRecordBatch& batch) {
                            Table table = batches.table_empty();
                            batches.append(batch, threads, table);
                            scorer.score(table, table.ids, 0);
                            rows += batch.n_records;
                          });
    return comm.prefix_exclusive(rows);
  }
  reader.batches_for_each(kCsvBatchBytes, threads, [&](const CsvRecordBatch& batch) {
    Table table = batches.table_empty();
    batches.append(batch, threads, table);
    if (schema.id_column.empty()) {  // row numbers up to this batch's: no counting pass over the file first
      scorer.score(table, IdColumn::row_numbers(batch.first_record + batch.n_records), batch.first_record);
    } else {
      scorer.score(table, table.ids, 0);
    }
  });
  return 0;
}

// Returns the global index of this process's first row (rank r scores rows [r·n/N, (r+1)·n/N)).
int64_t npy_assign(const Model& model, const AssignArgs& args, BatchScorer& scorer, const Communicator& comm) {
  NpyReader reader(args.input);
  const std::vector<std::string> names = model.pipeline.input_columns();
  for (const std::string& name : names) {
    const bool known = name.size() > 1 && name[0] == 'f' &&
                       name.find_first_not_of("0123456789", 1) == std::string::npos &&
                       std::stoll(name.substr(1)) < reader.n_cols();
    KSEG_EXPECTS(known, DataError,
                 args.input + ": column \"" + name + "\" is required by the model (" + args.model +
                     ") but the .npy has only columns f0..f" + std::to_string(reader.n_cols() - 1));
  }
  const int64_t d = reader.n_cols();
  const IdColumn numbered = IdColumn::row_numbers(reader.n_rows());
  const int64_t begin = reader.n_rows() * comm.rank() / comm.size();
  const int64_t end = reader.n_rows() * (comm.rank() + 1) / comm.size();
  std::vector<float> raw;
  std::vector<std::string> columns;
  for (int64_t t = 0; t < d; ++t) columns.push_back("f" + std::to_string(t));
  for (int64_t first = begin; first < end; first += args.batch_rows) {
    const int64_t n = std::min(args.batch_rows, end - first);
    raw.resize(static_cast<size_t>(n * d));
    reader.rows_read(first, n, raw.data());
    scorer.score_rows(raw.data(), n, columns, numbered, first);
  }
  return begin;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::exists(b, ec) && std::filesystem::equivalent(a, b, ec);
}

}  // namespace

void assign_command_register(CLI::App& app, AssignArgs& args) {
  app.add_option("INPUT", args.input, "Users to score: CSV with the model's feature columns, or a .npy")->required();
  app.add_option("--model", args.model, "model.json written by kseg fit")->required();
  app.add_option("--out", args.out, "Output segments file (id,segment,distance)")->capture_default_str();
  app.add_option("--out-format", args.out_format, "csv or parquet (default: parquet for an --out named *.parquet)");
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  app.add_option("--batch-rows", args.batch_rows, ".npy rows scored per batch (bounds memory)")->capture_default_str();
  app.add_option("--assign", args.assign_mode,
                 "Tree models (fit --hierarchy): tree walks from the root to the nearer child at each split, as the "
                 "tree was built; nearest-leaf takes the nearest segment centroid (the two can differ)")
      ->capture_default_str();
  device_options_register(app, args.device);
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int assign_command_run(const AssignArgs& given, std::ostream& out, std::ostream& err, const Communicator& comm) {
  AssignArgs args = given;
  args.out = segments_out_resolve(given.out, given.out_format, AssignArgs{}.out);
  device_options_validate(args.device);
  KSEG_EXPECTS(args.batch_rows >= 1, UsageError, "--batch-rows must be at least 1");
  KSEG_EXPECTS(!args.out.empty(), UsageError, "--out is empty: give the path of the segments file to write");
  KSEG_EXPECTS(args.assign_mode == "tree" || args.assign_mode == "nearest-leaf", UsageError,
               "--assign: expected tree or nearest-leaf, got \"" + args.assign_mode + "\"");
  KSEG_EXPECTS(!same_file(args.input, args.out) && !same_file(args.model, args.out), UsageError,
               "--out " + args.out + " is an input file: choose another output path");
  const Model model = model_load(args.model);
  BatchScorer scorer(model, args, err, comm);
  const bool npy = input_format_detect(args.input) == InputFormat::npy;
  if (const std::string conversion = npy ? npy_conversion(args.input) : ""; !args.quiet && !conversion.empty())
    err << "kseg: " << args.input << ": " << conversion << "\n";
  const ModelInputOptions parquet{args.model, args.delimiter, args.device.threads, args.batch_rows, ""};
  const auto score = [&](const Table& table, const IdColumn& ids, int64_t first) { scorer.score(table, ids, first); };
  const int64_t first_row = npy ? npy_assign(model, args, scorer, comm)
                            : parquet_input_is(args.input)
                                ? model_input_parquet_for_each(model, args.input, parquet, comm, score)
                                : csv_assign(model, args, scorer, comm);
  if (comm.size() > 1) KSEG_EXPECTS(comm.total(scorer.rows()) > 0, DataError, args.input + ": no users to score");
  KSEG_EXPECTS(comm.size() > 1 || scorer.rows() > 0, DataError, args.input + ": no users to score");
  scorer.commit(first_row);
  if (!args.quiet)
    for (const auto& [column, rows] : scorer.counters().unseen_levels)
      err << "kseg: column \"" << column << "\": " << rows << " users had a level unseen at fit, scored as "
          << kOtherLevel << "\n";
  if (!args.quiet)
    out << "kseg: scored " << scorer.rows() << " users against " << args.model << "\n  " << args.out << "\n";
  return 0;
}

}  // namespace kseg
