// The files users read: segments.csv (id, segment, distance), centroids.csv (original units), JSON documents.
// Every file is written to a temporary file and renamed into place.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/data/id_column.hpp"
#include "host/features/pipeline.hpp"

namespace kseg {

class AtomicFile;

// Streams segments.csv: header `id,segment,distance`, rows appended in input order; distance is Euclidean in the
// prepared space. Nothing appears at path until commit().
class SegmentsWriter {
 public:
  explicit SegmentsWriter(const std::string& path);
  ~SegmentsWriter();
  // Rows first .. first+n of ids, with their labels and squared distances.
  void rows_append(const IdColumn& ids, int64_t first, const int32_t* labels, const float* sq_distances, int64_t n);
  void commit();

 private:
  std::unique_ptr<AtomicFile> file_;
  std::string buffer_;
};

// centroids.csv: `segment,size,<feature names>`, centroids mapped back to the input's original units.
void centroids_write(const std::string& path, const FeaturePipeline& pipeline, const std::vector<float>& centroids,
                     const std::vector<int64_t>& sizes);

void json_write(const std::string& path, const nlohmann::json& doc);

// A CSV field: quoted (with "" escapes) when it holds a delimiter, quote, or line break.
std::string csv_field_escape(const std::string& text);

}  // namespace kseg
