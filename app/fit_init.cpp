#include "app/fit_init.hpp"

#include "host/data/table.hpp"
#include "host/error.hpp"
#include "host/io/npy_reader.hpp"

namespace kseg {

bool init_is_file(const std::string& init) { return init.size() > 4 && init.compare(init.size() - 4, 4, ".npy") == 0; }

void init_validate(const std::string& init) {
  KSEG_EXPECTS(
      init == "k-means++" || init == "k-means||" || init == "random" || init_is_file(init), UsageError,
      "--init: expected k-means++, k-means||, random or a FILE.npy of starting centroids, got \"" + init + "\"");
}

void init_apply(const KMeansOptions& kmeans, const FeaturePipeline& pipeline, KMeansParams& params) {
  init_validate(kmeans.init);
  if (kmeans.init == "k-means++") return;
  if (kmeans.init == "k-means||") {
    params.init = InitMethod::kmeans_parallel;
    return;
  }
  if (kmeans.init == "random") {
    params.init = InitMethod::random;
    return;
  }
  NpyReader reader(kmeans.init);
  KSEG_EXPECTS(reader.n_rows() == kmeans.k && reader.n_cols() == static_cast<int64_t>(pipeline.input_columns().size()),
               DataError,
               kmeans.init + ": expected " + std::to_string(kmeans.k) + " × " + std::to_string(pipeline.n_features()) +
                   " starting centroids (k × features), found " + std::to_string(reader.n_rows()) + " × " +
                   std::to_string(reader.n_cols()));
  params.init = InitMethod::given;
  params.init_centroids.resize(static_cast<size_t>(reader.n_rows() * reader.n_cols()));
  reader.rows_read(0, reader.n_rows(), params.init_centroids.data());
  // The rows are centroids in original units: read them as a table with the model's column names and prepare them.
  Table rows;
  rows.path = kmeans.init;
  rows.n_rows = reader.n_rows();
  const std::vector<std::string> names = pipeline.input_columns();
  KSEG_EXPECTS(pipeline.categorical().empty() && static_cast<int64_t>(names.size()) == pipeline.n_features(),
               UsageError,
               "--init FILE.npy needs purely numeric features (categorical columns have no original-unit centroid)");
  for (size_t t = 0; t < names.size(); ++t) {
    TableColumn column{names[t], ColumnRole::numeric};
    for (int64_t j = 0; j < rows.n_rows; ++j) column.values.push_back(params.init_centroids[j * names.size() + t]);
    rows.columns.push_back(std::move(column));
  }
  pipeline.transform(rows, params.init_centroids.data());
}

}  // namespace kseg
