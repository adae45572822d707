// kseg assign: scores users against a saved model in bounded memory, batch by batch, with the model's preparation.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>

#include "cli/commands.hpp"
#include "host/data/dataset.hpp"
#include "host/error.hpp"
#include "host/io/csv_reader.hpp"
#include "host/io/npy_reader.hpp"
#include "host/model/model_file.hpp"
#include "host/output/segment_files.hpp"

namespace kseg {
namespace {

constexpr size_t kCsvBatchBytes = 32u << 20;

// Scores one batch of raw rows (n × d, original units) and appends it to the writer.
class BatchScorer {
 public:
  BatchScorer(const Model& model, const AssignArgs& args, std::ostream& err)
      : model_(model), args_(args), err_(err), writer_(args.out) {}

  void score(std::vector<float>& raw, int64_t n, const IdColumn& ids, int64_t first_id) {
    const int64_t d = model_.pipeline.n_features();
    model_.pipeline.transform(raw.data(), n, raw.data());
    const DataView view{raw.data(), nullptr, n, d};
    std::unique_ptr<Backend> backend = backend_create(view, args_.device, args_.quiet || rows_ > 0, err_);
    backend->assign(model_.centroids.data(), model_.n_clusters);
    labels_.resize(static_cast<size_t>(n));
    distances_.resize(static_cast<size_t>(n));
    backend->labels_get(labels_.data());
    backend->distances_get(distances_.data());
    writer_.rows_append(ids, first_id, labels_.data(), distances_.data(), n);
    for (int32_t label : labels_) ++sizes_[label];
    rows_ += n;
  }
  void commit() { writer_.commit(); }
  int64_t rows() const { return rows_; }
  const std::map<int32_t, int64_t>& sizes() const { return sizes_; }

 private:
  const Model& model_;
  const AssignArgs& args_;
  std::ostream& err_;
  SegmentsWriter writer_;
  std::vector<int32_t> labels_;
  std::vector<float> distances_;
  std::map<int32_t, int64_t> sizes_;
  int64_t rows_ = 0;
};

void csv_assign(const Model& model, const AssignArgs& args, BatchScorer& scorer) {
  CsvReader reader(args.input, CsvOptions{args.delimiter});
  const std::vector<std::string>& header = reader.header();
  std::vector<int> positions;
  for (const std::string& name : model.pipeline.names()) {
    auto it = std::find(header.begin(), header.end(), name);
    KSEG_EXPECTS(it != header.end(), DataError,
                 args.input + ": column \"" + name + "\" is required by the model (" + args.model + ") but missing");
    positions.push_back(static_cast<int>(it - header.begin()));
  }
  const bool has_model_id =
      !model.id_column.empty() && std::find(header.begin(), header.end(), model.id_column) != header.end();
  const std::string id_column = has_model_id ? model.id_column : id_column_detect(header, "");
  const int id_pos = id_column.empty() ? -1 : column_positions(header, {id_column}, args.input)[0];
  const IdColumn numbered = IdColumn::row_numbers(reader.records_count());
  std::vector<float> raw;
  reader.batches_for_each(kCsvBatchBytes, args.device.threads, [&](const CsvRecordBatch& batch) {
    raw.resize(static_cast<size_t>(batch.n_records) * positions.size());
    csv_batch_floats_parse(batch, positions, header, args.input, args.device.threads, raw.data());
    if (id_pos < 0) {
      scorer.score(raw, batch.n_records, numbered, batch.first_record);
      return;
    }
    IdColumn ids;
    for (int64_t r = 0; r < batch.n_records; ++r) ids.append(batch.field_raw(r, id_pos));
    scorer.score(raw, batch.n_records, ids, 0);
  });
}

void npy_assign(const Model& model, const AssignArgs& args, BatchScorer& scorer) {
  NpyReader reader(args.input);
  const int64_t d = model.pipeline.n_features();
  KSEG_EXPECTS(reader.n_cols() == d, DataError,
               args.input + ": " + std::to_string(reader.n_cols()) + " columns, but the model (" + args.model +
                   ") expects " + std::to_string(d));
  const IdColumn numbered = IdColumn::row_numbers(reader.n_rows());
  std::vector<float> raw;
  for (int64_t first = 0; first < reader.n_rows(); first += args.batch_rows) {
    const int64_t n = std::min(args.batch_rows, reader.n_rows() - first);
    raw.resize(static_cast<size_t>(n * d));
    reader.rows_read(first, n, raw.data());
    scorer.score(raw, n, numbered, first);
  }
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
  app.add_option("--delimiter", args.delimiter, "CSV field separator")->capture_default_str();
  app.add_option("--batch-rows", args.batch_rows, ".npy rows scored per batch (bounds memory)")->capture_default_str();
  device_options_register(app, args.device);
  app.add_flag("--quiet", args.quiet, "Only errors on stderr");
}

int assign_command_run(const AssignArgs& args, std::ostream& out, std::ostream& err) {
  device_options_validate(args.device);
  KSEG_EXPECTS(args.batch_rows >= 1, UsageError, "--batch-rows must be at least 1");
  KSEG_EXPECTS(!same_file(args.input, args.out) && !same_file(args.model, args.out), UsageError,
               "--out " + args.out + " is an input file: choose another output path");
  const Model model = model_load(args.model);
  BatchScorer scorer(model, args, err);
  const bool npy = args.input.size() >= 4 && args.input.compare(args.input.size() - 4, 4, ".npy") == 0;
  if (npy) {
    npy_assign(model, args, scorer);
  } else {
    csv_assign(model, args, scorer);
  }
  KSEG_EXPECTS(scorer.rows() > 0, DataError, args.input + ": no users to score");
  scorer.commit();
  if (!args.quiet)
    out << "kseg: scored " << scorer.rows() << " users against " << args.model << "\n  " << args.out << "\n";
  return 0;
}

}  // namespace kseg
