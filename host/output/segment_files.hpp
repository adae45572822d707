// The files users read: segments.csv (id, segment, distance), centroids.csv (original units), JSON documents.
// Every file is written to a temporary file and renamed into place.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/data/id_column.hpp"
#include "host/features/pipeline.hpp"
#include "host/privacy/id_export.hpp"

namespace kseg {

class AtomicFile;
class IdPseudonymizer;
class ParquetSegmentsSink;

// Streams segments.csv (or, for a path ending in .parquet, segments.parquet: host/parquet/parquet_output.hpp, ids
// as their values): header `id,segment,distance`, rows appended in input order; distance is Euclidean in the
// prepared space. Nothing appears at path until commit(). With ids.hash_ids every id is written as its keyed
// pseudonym (hex HMAC-SHA-256 of the id's value, CSV quotes removed). Ids that repeat an earlier id, and ids that
// are not valid UTF-8, are counted (8 bytes of memory per row) and reported on ids.warnings at commit; so are ids a
// spreadsheet would run as formulas, which ids.csv_safe (--csv-safe-ids) writes as '-prefixed quoted text.
class SegmentsWriter {
 public:
  // Without ids: the IdExport of the enclosing IdExportScope (the command's --hash-ids), else ids as read.
  explicit SegmentsWriter(const std::string& path);
  SegmentsWriter(const std::string& path, const IdExport& ids);
  // With a fourth column `path` (fit --with-path): paths[label], e.g. "0/1/4" for a segment of a tree.
  SegmentsWriter(const std::string& path, const IdExport& ids, std::map<int64_t, std::string> paths);
  ~SegmentsWriter();
  // Rows first .. first+n of ids, with their labels and squared distances.
  void rows_append(const IdColumn& ids, int64_t first, const int32_t* labels, const float* sq_distances, int64_t n);
  void commit();
  // After commit: rows whose id repeats an earlier row's id, and ids that are not valid UTF-8.
  int64_t duplicate_ids() const { return duplicates_; }
  int64_t invalid_utf8_ids() const { return invalid_utf8_; }

  struct RowsText;  // a chunk of rows formatted, and what was learned about their ids

 private:
  void chunk_write(RowsText& out, int64_t r0, const int32_t* labels, const float* sq_distances);
  void warnings_write() const;

  std::unique_ptr<AtomicFile> file_;
  std::unique_ptr<ParquetSegmentsSink> parquet_;  // a path ending in .parquet: segments.parquet instead of CSV
  IdExport export_;
  std::vector<std::unique_ptr<IdPseudonymizer>> pseudonyms_;  // one per thread, with --hash-ids
  std::vector<uint64_t> id_hashes_;                           // 64-bit hashes of the ids seen, for the duplicate count
  std::map<int64_t, std::string> paths_;                      // label → path column; empty: no path column
  int64_t rows_ = 0;                                          // rows appended so far
  int64_t duplicates_ = 0;
  int64_t invalid_utf8_ = 0;
  int64_t first_invalid_utf8_ = -1;
  int64_t formula_like_ = 0;  // ids starting with = + - @ tab CR (written as text with ids.csv_safe)
};

// The id options of the command running on this thread: set by the CLI around a command, so that every segments file
// it writes follows --hash-ids even where a writer is constructed without them (privacy fails safe). Scopes nest.
class IdExportScope {
 public:
  explicit IdExportScope(const IdExport& ids);
  ~IdExportScope();
  IdExportScope(const IdExportScope&) = delete;
  IdExportScope& operator=(const IdExportScope&) = delete;
  // The innermost scope's options on this thread, or default options (ids as read, no warnings).
  static const IdExport& current();

 private:
  const IdExport* previous_;
};

// centroids.csv (or centroids.parquet for a path ending in .parquet): `segment,size,<features>`, centroids in the
// user's terms: numeric features in original units, categorical levels ("col=level") as the segment's share of that
// level. segment_ids: the stable id written for each centroid row (empty: the row number). parents (a --hierarchy fit):
// each segment's parent node in tree.json, written as a `parent` column after size; empty: no such column.
void centroids_write(const std::string& path, const FeaturePipeline& pipeline, const std::vector<float>& centroids,
                     const std::vector<int64_t>& sizes, const std::vector<int64_t>& segment_ids = {},
                     const std::vector<int64_t>& parents = {});

void json_write(const std::string& path, const nlohmann::json& doc);
// A JSON document from a file: DataError naming the file when it cannot be read or is not valid JSON.
nlohmann::json json_read(const std::string& path);

// A CSV field: quoted (with "" escapes) when it holds a delimiter, quote, or line break.
std::string csv_field_escape(const std::string& text);

}  // namespace kseg
