#include "host/output/segment_files.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <ostream>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/io/csv_parse.hpp"
#include "host/io/number_format.hpp"
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

SegmentsWriter::SegmentsWriter(const std::string& path, const IdExport& ids) : export_(ids) {
  if (export_.hash_ids) pseudonyms_ = std::make_unique<IdPseudonymizer>(export_.hash_key);
  file_ = std::make_unique<AtomicFile>(path);
  file_->write("id,segment,distance\n");
}

SegmentsWriter::~SegmentsWriter() = default;

// One id: its value (a quoted CSV field unquoted) is checked and counted, then written raw or as a pseudonym.
void SegmentsWriter::id_append(const IdColumn& ids, int64_t i) {
  if (ids.numbered()) {
    if (!pseudonyms_) return ids.append_to(buffer_, i);
    id_scratch_.clear();
    ids.append_to(id_scratch_, i);
    return pseudonyms_->hex_append(id_scratch_, buffer_);
  }
  const std::string_view raw = ids.raw(i);
  std::string_view value = raw;
  if (raw.size() >= 2 && raw.front() == '"') {
    id_scratch_ = csv_field_unescape(raw);
    value = id_scratch_;
  }
  id_hashes_.push_back(std::hash<std::string_view>{}(value));
  if (!utf8_valid(value) && invalid_utf8_++ == 0) first_invalid_utf8_ = rows_ + (i - first_);
  if (pseudonyms_) {
    pseudonyms_->hex_append(value, buffer_);
  } else {
    buffer_.append(raw);
  }
}

void SegmentsWriter::warnings_write() const {
  if (export_.warnings == nullptr) return;
  const std::string total = std::to_string(rows_);
  if (duplicates_ > 0)
    *export_.warnings << "kseg: warning: " << duplicates_ << " of " << total << " rows of " << file_->path()
                      << " repeat an earlier row's id; ids should identify users uniquely\n";
  if (invalid_utf8_ > 0)
    *export_.warnings << "kseg: warning: " << invalid_utf8_ << " of " << total << " ids in " << file_->path()
                      << " are not valid UTF-8 (first: row " << first_invalid_utf8_ << ", 0-based); written "
                      << (pseudonyms_ ? "hashed" : "byte for byte") << "\n";
}

void SegmentsWriter::rows_append(const IdColumn& ids, int64_t first, const int32_t* labels, const float* sq_distances,
                                 int64_t n) {
  buffer_.clear();
  first_ = first;
  for (int64_t r = 0; r < n; ++r) {
    id_append(ids, first + r);
    buffer_ += ',';
    int64_append(buffer_, labels[r]);
    buffer_ += ',';
    float_append(buffer_, std::sqrt(sq_distances[r]));
    buffer_ += '\n';
    if (buffer_.size() > (1u << 20)) {
      file_->write(buffer_);
      buffer_.clear();
    }
  }
  file_->write(buffer_);
  rows_ += n;
}

void SegmentsWriter::commit() {
  std::sort(id_hashes_.begin(), id_hashes_.end());
  duplicates_ = static_cast<int64_t>(id_hashes_.end() - std::unique(id_hashes_.begin(), id_hashes_.end()));
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

void centroids_write(const std::string& path, const FeaturePipeline& pipeline, const std::vector<float>& centroids,
                     const std::vector<int64_t>& sizes, const std::vector<int64_t>& segment_ids) {
  std::string text = "segment,size";
  for (const std::string& name : pipeline.centroids_header()) text += "," + csv_field_escape(name);
  text += "\n";
  const int64_t d = pipeline.n_features();
  for (size_t j = 0; j < sizes.size(); ++j) {
    int64_append(text, segment_ids.empty() ? static_cast<int64_t>(j) : segment_ids[j]);
    text += ',';
    int64_append(text, sizes[j]);
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

void json_write(const std::string& path, const nlohmann::json& doc) {
  AtomicFile file(path);
  file.write(doc.dump(2));
  file.write("\n");
  file.commit();
}

}  // namespace kseg
