#include "host/output/segment_files.hpp"

#include <omp.h>
#include <algorithm>
#include <cmath>
#include <exception>
#include <fstream>
#include <functional>
#include <ostream>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/csv_parse.hpp"
#include "host/io/input_file.hpp"
#include "host/io/number_format.hpp"
#include "host/io/output_set.hpp"
#include "host/output/hash_duplicates.hpp"
#include "host/parquet/parquet_output.hpp"
#include "host/privacy/id_pseudonym.hpp"

namespace kseg {

namespace {
thread_local const IdExport* current_id_export = nullptr;
}  // namespace

IdExportScope::IdExportScope(const IdExport& ids) : previous_(current_id_export) { current_id_export = &ids; }

IdExportScope::~IdExportScope() { current_id_export = previous_; }

const IdExport& IdExportScope::current() {
  static const IdExport as_read;
  return current_id_export != nullptr ? *current_id_export : as_read;
}

SegmentsWriter::SegmentsWriter(const std::string& path) : SegmentsWriter(path, IdExportScope::current()) {}

SegmentsWriter::SegmentsWriter(const std::string& path, const IdExport& ids) : SegmentsWriter(path, ids, {}) {}

SegmentsWriter::SegmentsWriter(const std::string& path, const IdExport& ids, std::map<int64_t, std::string> paths)
    : export_(ids), paths_(std::move(paths)) {
  file_ = std::make_unique<AtomicFile>(path);
  if (parquet_output_path_is(path)) {
    parquet_ = std::make_unique<ParquetSegmentsSink>(*file_, paths_);
  } else {
    file_->write(paths_.empty() ? "id,segment,distance\n" : "id,segment,distance,path\n");
  }
}

SegmentsWriter::~SegmentsWriter() = default;

// The text of a run of rows, and what was learned about their ids on the way.
struct SegmentsWriter::RowsText {
  std::string text;
  std::vector<uint64_t> id_hashes;
  int64_t invalid_utf8 = 0;
  int64_t first_invalid_utf8 = -1;  // row within the call to rows_append
  int64_t formula_like = 0;         // ids a spreadsheet would run as formulas (id_formula_like)
  std::string scratch;              // an unquoted id or a row number being hashed
  std::vector<size_t> id_ends;      // Parquet output: text holds only the ids, each ending here
};

namespace {

using RowsText = SegmentsWriter::RowsText;

// One id: its value (a quoted CSV field unquoted) is checked and counted, then written raw or as a pseudonym.
// Parquet output (value_only) takes the id's value where CSV takes its field as read; no spreadsheet reads it.
void id_append(const IdColumn& ids, int64_t i, int64_t row, IdPseudonymizer* pseudonyms, bool csv_safe, bool value_only,
               RowsText& out) {
  if (ids.numbered()) {
    if (pseudonyms == nullptr) return int64_append(out.text, i);
    out.scratch.clear();
    int64_append(out.scratch, i);
    return pseudonyms->hex_append(out.scratch, out.text);
  }
  const std::string_view raw = ids.raw(i);
  std::string_view value = raw;
  if (raw.size() >= 2 && raw.front() == '"') {
    out.scratch = csv_field_unescape(raw);
    value = out.scratch;
  }
  out.id_hashes.push_back(std::hash<std::string_view>{}(value));
  if (!utf8_valid(value) && out.invalid_utf8++ == 0) out.first_invalid_utf8 = row;
  const bool formula = pseudonyms == nullptr && !value_only && id_formula_like(value);
  out.formula_like += formula;
  if (pseudonyms != nullptr) {
    pseudonyms->hex_append(value, out.text);
  } else if (formula && csv_safe) {
    id_csv_safe_append(value, out.text);
  } else {
    out.text.append(value_only ? value : raw);
  }
}

}  // namespace

void SegmentsWriter::warnings_write() const {
  if (export_.warnings == nullptr) return;
  const std::string total = std::to_string(rows_);
  if (duplicates_ > 0)
    *export_.warnings << "kseg: warning: " << duplicates_ << " of " << total << " rows of "
                      << output_path_shown(file_->path()) << " repeat an earlier row's id (" << rows_ - duplicates_
                      << " distinct ids in " << total
                      << " rows): joins on the id match several rows and kseg compare refuses the file; ids should "
                         "identify users uniquely\n";
  if (formula_like_ > 0 && !export_.csv_safe)
    *export_.warnings << "kseg: notice: " << formula_like_ << " of " << total << " ids in "
                      << output_path_shown(file_->path())
                      << " start with =, +, -, @, a tab or a CR, which spreadsheets run as formulas; --csv-safe-ids "
                         "writes them as text ('=...)\n";
  if (invalid_utf8_ > 0)
    *export_.warnings << "kseg: warning: " << invalid_utf8_ << " of " << total << " ids in "
                      << output_path_shown(file_->path()) << " are not valid UTF-8 (first: row " << first_invalid_utf8_
                      << ", 0-based); written " << (export_.hash_ids ? "hashed" : "byte for byte") << "\n";
}

// Rows are formatted in chunks on all threads (a pseudonymizer per thread) and written in order, each chunk as soon
// as the one before it is written, so that writing one chunk overlaps formatting the next: the text is the same
// for any thread count.
void SegmentsWriter::rows_append(const IdColumn& ids, int64_t first, const int32_t* labels, const float* sq_distances,
                                 int64_t n) {
  if (parquet_ && ids.numbered() && !export_.hash_ids) {
    parquet_->rows_numbered_append(first, labels, sq_distances, n);
    rows_ += n;
    return;
  }
  constexpr int64_t kChunkRows = 16384;
  const int threads = std::max(1, omp_get_max_threads());
  if (export_.hash_ids)
    while (pseudonyms_.size() < static_cast<size_t>(threads))
      pseudonyms_.push_back(std::make_unique<IdPseudonymizer>(export_.hash_key));
  const int64_t chunks = (n + kChunkRows - 1) / kChunkRows;
  std::vector<RowsText> texts(static_cast<size_t>(threads));  // one per thread, reused chunk after chunk
  std::exception_ptr error;                                   // the first write that failed; later chunks are skipped
#pragma omp parallel for ordered schedule(dynamic, 1) num_threads(threads)
  for (int64_t c = 0; c < chunks; ++c) {
    RowsText& out = texts[static_cast<size_t>(omp_get_thread_num())];
    IdPseudonymizer* pseudonyms = export_.hash_ids ? pseudonyms_[omp_get_thread_num()].get() : nullptr;
    out.text.clear();
    out.id_ends.clear();
    for (int64_t r = c * kChunkRows; r < std::min(n, (c + 1) * kChunkRows); ++r) {
      id_append(ids, first + r, r, pseudonyms, export_.csv_safe, parquet_ != nullptr, out);
      if (parquet_) {
        out.id_ends.push_back(out.text.size());
        continue;
      }
      out.text += ',';
      int64_append(out.text, labels[r]);
      out.text += ',';
      float_append(out.text, std::sqrt(sq_distances[r]));
      if (!paths_.empty()) out.text += "," + paths_.at(labels[r]);
      out.text += '\n';
    }
#pragma omp ordered
    {
      try {
        if (!error) chunk_write(out, c * kChunkRows, labels, sq_distances);
      } catch (...) {
        error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
  rows_ += n;
}

// One formatted chunk (its first row r0 within the call) into the file, and what was learned about its ids.
void SegmentsWriter::chunk_write(RowsText& out, int64_t r0, const int32_t* labels, const float* sq_distances) {
  if (parquet_) {
    parquet_->rows_append(out.text, out.id_ends, labels + r0, sq_distances + r0,
                          static_cast<int64_t>(out.id_ends.size()));
  } else {
    file_->write(out.text);
  }
  id_hashes_.insert(id_hashes_.end(), out.id_hashes.begin(), out.id_hashes.end());
  out.id_hashes.clear();
  if (out.invalid_utf8 > 0 && invalid_utf8_ == 0) first_invalid_utf8_ = rows_ + out.first_invalid_utf8;
  invalid_utf8_ += out.invalid_utf8;
  out.invalid_utf8 = 0;
  formula_like_ += out.formula_like;
  out.formula_like = 0;
}

void SegmentsWriter::commit() {
  duplicates_ = hash_duplicates_count(id_hashes_);
  if (parquet_) parquet_->finish();
  file_->commit();
  warnings_write();
}

std::string csv_field_escape(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

namespace {

// centroids.parquet: the columns of centroids.csv, segment, size and parent as int64, the features as float32.
void centroids_parquet_write(const std::string& path, const FeaturePipeline& pipeline,
                             const std::vector<float>& centroids, const std::vector<int64_t>& sizes,
                             const std::vector<int64_t>& segment_ids, const std::vector<int64_t>& parents) {
  std::vector<ParquetColumn> columns = {{"segment", {}, {}, false}, {"size", {}, {}, false}};
  if (!parents.empty()) columns.push_back({"parent", parents, {}, false});
  const size_t first_feature = columns.size();
  for (const std::string& name : pipeline.centroids_header()) columns.push_back(ParquetColumn{name, {}, {}, true});
  const int64_t d = pipeline.n_features();
  for (size_t j = 0; j < sizes.size(); ++j) {
    columns[0].ints.push_back(segment_ids.empty() ? static_cast<int64_t>(j) : segment_ids[j]);
    columns[1].ints.push_back(sizes[j]);
    size_t at = first_feature;
    for (double v : pipeline.centroid_original(centroids.data() + j * d))
      columns[at++].floats.push_back(static_cast<float>(v));
  }
  AtomicFile file(path);
  parquet_columns_write(file, columns);
  file.commit();
}

}  // namespace

void centroids_write(const std::string& path, const FeaturePipeline& pipeline, const std::vector<float>& centroids,
                     const std::vector<int64_t>& sizes, const std::vector<int64_t>& segment_ids,
                     const std::vector<int64_t>& parents) {
  if (parquet_output_path_is(path))
    return centroids_parquet_write(path, pipeline, centroids, sizes, segment_ids, parents);
  std::string text = parents.empty() ? "segment,size" : "segment,size,parent";
  for (const std::string& name : pipeline.centroids_header()) text += "," + csv_field_escape(name);
  text += "\n";
  const int64_t d = pipeline.n_features();
  for (size_t j = 0; j < sizes.size(); ++j) {
    int64_append(text, segment_ids.empty() ? static_cast<int64_t>(j) : segment_ids[j]);
    text += ',';
    int64_append(text, sizes[j]);
    if (!parents.empty()) {
      text += ',';
      int64_append(text, parents[j]);
    }
    for (double v : pipeline.centroid_original(centroids.data() + j * d)) {
      text += ',';
      // Original units rounded to float precision: the data were float32 to begin with.
      float_append(text, static_cast<float>(v));
    }
    text += '\n';
  }
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

nlohmann::json json_read(const std::string& path) {
  const std::string text = input_file_read(path, "", kJsonFileMaxBytes);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(path + ": not valid JSON (" + e.what() + ")");
  }
}

void json_write(const std::string& path, const nlohmann::json& doc) {
  AtomicFile file(path);
  file.write(doc.dump(2));
  file.write("\n");
  file.commit();
}

}  // namespace kseg
