#include "app/segments_assign.hpp"

#include <omp.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <ostream>
#include <vector>

#include "app/backend_select.hpp"
#include "app/model_input.hpp"
#include "app/segment_scorer.hpp"
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

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::exists(b, ec) && std::filesystem::equivalent(a, b, ec);
}

// Where scored rows go: one process appends them to the writer batch by batch; across processes each rank keeps its
// slice and the rows reach rank 0's writer in rank order at commit.
class ScoredRows {
 public:
  ScoredRows(const AssignRequest& request, const Communicator& comm) : request_(request), comm_(comm) {
    // Across processes rank 0 opens the file at commit, after the collective calls: by then no rank is still
    // starting up (cleaning stale temporary files beside the output).
    if (comm_.size() == 1) writer_ = std::make_unique<SegmentsWriter>(request.out, request.ids);
  }

  void append(const SegmentScorer& scorer, const IdColumn& ids, int64_t first_id, int64_t n) {
    if (comm_.size() == 1)
      return writer_->rows_append(ids, first_id, scorer.labels().data(), scorer.sq_distances().data(), n);
    if (ids.numbered()) {
      slice_ids_ = IdColumn::row_numbers(0);
    } else {
      for (int64_t i = 0; i < n; ++i) slice_ids_.append(ids.raw(first_id + i));
    }
    slice_labels_.insert(slice_labels_.end(), scorer.labels().begin(), scorer.labels().end());
    slice_distances_.insert(slice_distances_.end(), scorer.sq_distances().begin(), scorer.sq_distances().end());
  }

  // Collective across processes: the rows reach the writer; then rank 0 commits.
  void commit(int64_t first_row) {
    if (comm_.size() > 1) {
      if (comm_.rank() == 0) writer_ = std::make_unique<SegmentsWriter>(request_.out, request_.ids);
      segments_gather_append(comm_, writer_.get(), slice_ids_, first_row, slice_labels_.data(), slice_distances_.data(),
                             static_cast<int64_t>(slice_labels_.size()));
    }
    if (writer_) writer_->commit();
  }

 private:
  const AssignRequest& request_;
  const Communicator& comm_;
  std::unique_ptr<SegmentsWriter> writer_;  // rank 0 only
  IdColumn slice_ids_;                      // across processes: this rank's rows, kept until commit
  std::vector<int32_t> slice_labels_;
  std::vector<float> slice_distances_;
};

// Returns the global index of this process's first row.
int64_t csv_assign(const Model& model, const AssignRequest& request, SegmentScorer& scorer, ScoredRows& scored,
                   const Communicator& comm) {
  CsvReader reader(request.input.path, CsvOptions{request.input.delimiter});
  const TableSchema schema = model_schema(model, reader.header(), request.input.path, request.model);
  const TableBatchReader batches(schema, reader.header());
  const int threads = request.device.threads > 0 ? request.device.threads : omp_get_max_threads();
  const auto score = [&](const CsvRecordBatch& batch, const IdColumn* numbered) {
    Table table = batches.table_empty();
    batches.append(batch, threads, table);
    scorer.batch_score(table);
    scored.append(scorer, numbered ? *numbered : table.ids, numbered ? batch.first_record : 0, table.n_rows);
  };
  if (comm.size() > 1) {  // this rank's slice; ids are kept (or numbered from the slice's offset) until commit
    const CsvByteRange range = csv_range_split(reader, comm);
    int64_t rows = 0;
    reader.range_for_each(range.begin, range.end, range.line, 0, kCsvBatchBytes, threads,
                          [&](const CsvRecordBatch& batch) {
                            score(batch, nullptr);
                            rows += batch.n_records;
                          });
    return comm.prefix_exclusive(rows);
  }
  reader.batches_for_each(kCsvBatchBytes, threads, [&](const CsvRecordBatch& batch) {
    if (!schema.id_column.empty()) return score(batch, nullptr);
    // Row numbers up to this batch's: no counting pass over the file first.
    const IdColumn numbered = IdColumn::row_numbers(batch.first_record + batch.n_records);
    score(batch, &numbered);
  });
  return 0;
}

// Returns the global index of this process's first row (rank r scores rows [r·n/N, (r+1)·n/N)).
int64_t npy_assign(const Model& model, const AssignRequest& request, SegmentScorer& scorer, ScoredRows& scored,
                   const Communicator& comm) {
  const std::string& input = request.input.path;
  NpyReader reader(input);
  npy_model_columns_check(model, reader.n_cols(), input, request.model);
  const int64_t d = reader.n_cols();
  const IdColumn numbered = IdColumn::row_numbers(reader.n_rows());
  const int64_t begin = reader.n_rows() * comm.rank() / comm.size();
  const int64_t end = reader.n_rows() * (comm.rank() + 1) / comm.size();
  std::vector<float> raw;
  std::vector<std::string> columns;
  for (int64_t t = 0; t < d; ++t) columns.push_back("f" + std::to_string(t));
  for (int64_t first = begin; first < end; first += request.batch_rows) {
    const int64_t n = std::min(request.batch_rows, end - first);
    raw.resize(static_cast<size_t>(n * d));
    reader.rows_read(first, n, raw.data());
    scorer.rows_score(raw.data(), n, columns, input);
    scored.append(scorer, numbered, first, n);
  }
  return begin;
}

// Unseen-level counts of all ranks, column by column in the order of the model.
std::map<std::string, int64_t> unseen_levels_sum(const Model& model, const TransformCounters& counters,
                                                 const Communicator& comm) {
  if (comm.size() == 1) return counters.unseen_levels;
  std::vector<int64_t> counts;
  for (const CategoricalStep& s : model.pipeline.categorical()) {
    const auto found = counters.unseen_levels.find(s.name);
    counts.push_back(found == counters.unseen_levels.end() ? 0 : found->second);
  }
  comm.sum_all(counts.data(), counts.size());
  std::map<std::string, int64_t> unseen;
  for (size_t c = 0; c < counts.size(); ++c)
    if (counts[c] > 0) unseen[model.pipeline.categorical()[c].name] = counts[c];
  return unseen;
}

// A run killed while writing (SIGKILL, power loss) leaves ".NAME.tmp.XXXXXX" temporary files (AtomicFile) beside
// its output; the next run writing NAME removes them first.
void stale_temps_remove(const std::string& path) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
  const std::string prefix = "." + target.filename().string() + ".tmp.";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.size() == prefix.size() + 6 && file.compare(0, prefix.size(), prefix) == 0 && entry.is_regular_file(ec))
      std::filesystem::remove(entry.path(), ec);
  }
}

}  // namespace

void assign_request_validate(const AssignRequest& request) {
  device_options_validate(request.device);
  model_input_check(request.input);
  KSEG_EXPECTS(request.batch_rows >= 1, UsageError, "--batch-rows must be at least 1");
  KSEG_EXPECTS(!request.out.empty(), UsageError, "--out is empty: give the path of the segments file to write");
  assign_mode_parse(request.assign_mode);
  if (!request.out_format.empty()) out_format_check(request.out_format);
  KSEG_EXPECTS(!same_file(request.input.path, request.out) && !same_file(request.model, request.out), UsageError,
               "--out " + request.out + " is an input file: choose another output path");
}

namespace {

// A Parquet input, record batch by record batch; across processes each rank scores its share of the row groups.
int64_t parquet_assign(const Model& model, const AssignRequest& request, SegmentScorer& scorer, ScoredRows& scored,
                       const Communicator& comm) {
  const ModelInputOptions options{request.model, request.input.delimiter, request.device.threads, request.batch_rows,
                                  ""};
  return model_input_parquet_for_each(model, request.input.path, options, comm,
                                      [&](const Table& table, const IdColumn& ids, int64_t first) {
                                        scorer.batch_score(table);
                                        scored.append(scorer, ids, first, table.n_rows);
                                      });
}

}  // namespace

AssignSummary segments_assign(const AssignRequest& given, std::ostream& notices, const Communicator& comm) {
  assign_request_validate(given);
  AssignRequest request = given;
  request.out = segments_out_resolve(given.out, given.out_format, AssignRequest{}.out);
  stale_temps_remove(request.out);  // every rank, before the collective calls: see ScoredRows
  const Model model = model_load(request.model);
  SegmentScorer scorer(model, request.device, assign_mode_parse(request.assign_mode), request.quiet, &notices);
  ScoredRows scored(request, comm);
  const std::string& input = request.input.path;
  const bool npy = input_format_detect(input) == InputFormat::npy;
  if (const std::string conversion = npy ? npy_conversion(input) : ""; !request.quiet && !conversion.empty())
    notices << "kseg: " << input << ": " << conversion << "\n";
  const int64_t first_row = npy                       ? npy_assign(model, request, scorer, scored, comm)
                            : parquet_input_is(input) ? parquet_assign(model, request, scorer, scored, comm)
                                                      : csv_assign(model, request, scorer, scored, comm);
  AssignSummary summary;
  summary.out = request.out;
  summary.rows = comm.size() > 1 ? comm.total(scorer.rows()) : scorer.rows();
  KSEG_EXPECTS(summary.rows > 0, DataError, input + ": no users to score");
  scored.commit(first_row);
  summary.unseen_levels = unseen_levels_sum(model, scorer.counters(), comm);
  return summary;
}

}  // namespace kseg
