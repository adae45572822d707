#include "host/output/segment_files.hpp"

#include <cmath>

#include "host/io/atomic_file.hpp"
#include "host/io/number_format.hpp"

namespace kseg {

SegmentsWriter::SegmentsWriter(const std::string& path) : file_(std::make_unique<AtomicFile>(path)) {
  file_->write("id,segment,distance\n");
}

SegmentsWriter::~SegmentsWriter() = default;

void SegmentsWriter::rows_append(const IdColumn& ids, int64_t first, const int32_t* labels, const float* sq_distances,
                                 int64_t n) {
  buffer_.clear();
  for (int64_t r = 0; r < n; ++r) {
    ids.append_to(buffer_, first + r);
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
}

void SegmentsWriter::commit() { file_->commit(); }

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
                     const std::vector<int64_t>& sizes) {
  std::string text = "segment,size";
  for (const std::string& name : pipeline.names()) text += "," + csv_field_escape(name);
  text += "\n";
  const int64_t d = pipeline.n_features();
  for (size_t j = 0; j < sizes.size(); ++j) {
    int64_append(text, static_cast<int64_t>(j));
    text += ',';
    int64_append(text, sizes[j]);
    for (double v : pipeline.inverse(centroids.data() + j * d)) {
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
