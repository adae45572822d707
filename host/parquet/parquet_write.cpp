// Parquet outputs through Arrow C++, written into an AtomicFile (an Arrow output stream over it).
#include <arrow/api.h>
#include <arrow/io/interfaces.h>
#include <parquet/arrow/writer.h>
#include <parquet/exception.h>

#include <cmath>

#include "host/error.hpp"
#include "host/io/atomic_file.hpp"
#include "host/parquet/parquet_output.hpp"

namespace kseg {
namespace {

// Arrow's view of an AtomicFile: bytes go to its temporary file; closing leaves the commit to the owner.
class AtomicFileStream : public arrow::io::OutputStream {
 public:
  explicit AtomicFileStream(AtomicFile& file) : file_(file) {}
  arrow::Status Close() override {
    closed_ = true;
    return arrow::Status::OK();
  }
  bool closed() const override { return closed_; }
  arrow::Result<int64_t> Tell() const override { return position_; }
  arrow::Status Write(const void* data, int64_t nbytes) override {
    try {
      file_.write(std::string_view(static_cast<const char*>(data), static_cast<size_t>(nbytes)));
    } catch (const std::exception& e) {
      return arrow::Status::IOError(e.what());
    }
    position_ += nbytes;
    return arrow::Status::OK();
  }
  using arrow::io::OutputStream::Write;

 private:
  AtomicFile& file_;
  int64_t position_ = 0;
  bool closed_ = false;
};

void check(const arrow::Status& status, const AtomicFile& file) {
  if (!status.ok()) throw DataError("cannot write " + file.path() + ": " + status.message());
}

template <class T>
T checked(arrow::Result<T> result, const AtomicFile& file) {
  check(result.status(), file);
  return std::move(result).ValueUnsafe();
}

std::shared_ptr<parquet::WriterProperties> writer_properties() {
  return parquet::WriterProperties::Builder().compression(parquet::Compression::SNAPPY)->build();
}

std::shared_ptr<arrow::Array> finished(arrow::ArrayBuilder& builder, const AtomicFile& file) {
  std::shared_ptr<arrow::Array> array;
  check(builder.Finish(&array), file);
  return array;
}

}  // namespace

struct ParquetSegmentsSink::State {
  AtomicFile& file;
  std::map<int64_t, std::string> paths;  // segment → its path in the tree; empty: no path column
  std::shared_ptr<AtomicFileStream> stream;
  std::unique_ptr<parquet::arrow::FileWriter> writer;  // opened by the first rows, which fix the id type
  std::shared_ptr<arrow::Schema> schema;

  void open(bool numbered) {
    if (writer) return;
    arrow::FieldVector fields = {arrow::field("id", numbered ? arrow::int64() : arrow::utf8()),
                                 arrow::field("segment", arrow::int32()), arrow::field("distance", arrow::float32())};
    if (!paths.empty()) fields.push_back(arrow::field("path", arrow::utf8()));
    schema = arrow::schema(fields);
    try {
      writer = checked(
          parquet::arrow::FileWriter::Open(*schema, arrow::default_memory_pool(), stream, writer_properties()), file);
    } catch (const parquet::ParquetException& e) {
      throw DataError("cannot write " + file.path() + ": " + e.what());
    }
  }
  void batch_write(const std::shared_ptr<arrow::Array>& ids, const int32_t* labels, const float* sq_distances,
                   int64_t n) {
    arrow::Int32Builder segment;
    arrow::FloatBuilder distance;
    check(segment.AppendValues(labels, n), file);
    check(distance.Reserve(n), file);
    for (int64_t r = 0; r < n; ++r) distance.UnsafeAppend(std::sqrt(sq_distances[r]));
    arrow::ArrayVector columns = {ids, finished(segment, file), finished(distance, file)};
    if (!paths.empty()) {
      arrow::StringBuilder path;
      for (int64_t r = 0; r < n; ++r) check(path.Append(paths.at(labels[r])), file);
      columns.push_back(finished(path, file));
    }
    const auto batch = arrow::RecordBatch::Make(schema, n, columns);
    try {
      check(writer->WriteRecordBatch(*batch), file);
    } catch (const parquet::ParquetException& e) {
      throw DataError("cannot write " + file.path() + ": " + e.what());
    }
  }
};

ParquetSegmentsSink::ParquetSegmentsSink(AtomicFile& file, std::map<int64_t, std::string> paths)
    : state_(std::make_unique<State>(
          State{file, std::move(paths), std::make_shared<AtomicFileStream>(file), nullptr, nullptr})) {}

ParquetSegmentsSink::~ParquetSegmentsSink() = default;

void ParquetSegmentsSink::rows_append(const std::string& id_text, const std::vector<size_t>& id_ends,
                                      const int32_t* labels, const float* sq_distances, int64_t n) {
  state_->open(false);
  if (n == 0) return;
  arrow::StringBuilder ids;
  check(ids.Reserve(n), state_->file);
  check(ids.ReserveData(static_cast<int64_t>(id_text.size())), state_->file);
  size_t begin = 0;
  for (int64_t r = 0; r < n; ++r) {
    ids.UnsafeAppend(std::string_view(id_text).substr(begin, id_ends[r] - begin));
    begin = id_ends[r];
  }
  state_->batch_write(finished(ids, state_->file), labels, sq_distances, n);
}

void ParquetSegmentsSink::rows_numbered_append(int64_t first, const int32_t* labels, const float* sq_distances,
                                               int64_t n) {
  state_->open(true);
  if (n == 0) return;
  arrow::Int64Builder ids;
  check(ids.Reserve(n), state_->file);
  for (int64_t r = 0; r < n; ++r) ids.UnsafeAppend(first + r);
  state_->batch_write(finished(ids, state_->file), labels, sq_distances, n);
}

void ParquetSegmentsSink::finish() {
  state_->open(false);
  check(state_->writer->Close(), state_->file);
}

void parquet_columns_write(AtomicFile& file, const std::vector<ParquetColumn>& columns) {
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  for (const ParquetColumn& c : columns) {
    if (c.is_float) {
      arrow::FloatBuilder b;
      check(b.AppendValues(c.floats), file);
      arrays.push_back(finished(b, file));
      fields.push_back(arrow::field(c.name, arrow::float32()));
    } else {
      arrow::Int64Builder b;
      check(b.AppendValues(c.ints), file);
      arrays.push_back(finished(b, file));
      fields.push_back(arrow::field(c.name, arrow::int64()));
    }
  }
  const auto table = arrow::Table::Make(arrow::schema(fields), arrays);
  try {
    check(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), std::make_shared<AtomicFileStream>(file),
                                     parquet::DEFAULT_MAX_ROW_GROUP_LENGTH, writer_properties()),
          file);
  } catch (const parquet::ParquetException& e) {
    throw DataError("cannot write " + file.path() + ": " + e.what());
  }
}

}  // namespace kseg
