// The workflow half of kseg._kseg, for kseg.Segmenter: fit_segments, fit_products_write and SegmentScorer over a
// user table given as a path or as an Arrow C stream (any object with __arrow_c_stream__: pyarrow Tables and
// RecordBatchReaders, polars, pandas through pyarrow). Requests come in as dicts whose keys are the CLI's options
// without dashes ('-' written '_'); the GIL is released while kseg reads and computes.
#include "segmenter_module.hpp"

#include "segmenter_common.hpp"

#include <Python.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "app/fit_segments.hpp"
#include "app/model_input.hpp"
#include "app/segment_scorer.hpp"
#include "host/error.hpp"
#include "host/model/model_file.hpp"
#include "host/parquet/arrow_stream.hpp"
#include "host/parquet/parquet_output.hpp"
#include "host/privacy/id_pseudonym.hpp"

namespace nb = nanobind;

namespace kseg {
namespace {

// One key of the request dict onto the option groups; false for a key the fit does not know.
bool preparation_option_set(PreparationOptions& prep, const std::string& name, const nb::handle& value) {
  using Strings = std::vector<std::string>;
  if (name == "categorical")
    prep.categorical = nb::cast<Strings>(value);
  else if (name == "numeric")
    prep.numeric = nb::cast<Strings>(value);
  else if (name == "ignore")
    prep.ignore = nb::cast<Strings>(value);
  else if (name == "audit_columns")
    prep.audit = nb::cast<Strings>(value);
  else if (name == "date_columns")
    prep.dates = nb::cast<Strings>(value);
  else if (name == "impute")
    prep.impute = nb::cast<std::string>(value);
  else if (name == "missing_indicators")
    prep.missing_indicators = nb::cast<bool>(value);
  else if (name == "log")
    prep.log = nb::cast<std::string>(value);
  else if (name == "feature_weights")
    prep.feature_weights = nb::cast<Strings>(value);
  else if (name == "max_levels")
    prep.max_levels = nb::cast<int>(value);
  else if (name == "as_of")
    prep.as_of = nb::cast<std::string>(value);
  else if (name == "na_values")
    prep.na_values = nb::cast<std::string>(value);
  else
    return false;
  return true;
}

bool device_option_set(DeviceOptions& device, const std::string& name, const nb::handle& value) {
  if (name == "device")
    device.device = nb::cast<std::string>(value);
  else if (name == "n_threads")
    device.threads = nb::cast<int>(value);
  else if (name == "precision")
    device.precision = nb::cast<std::string>(value);
  else if (name == "gpu_memory")
    device.gpu_memory_gb = nb::cast<double>(value);
  else if (name == "algorithm")
    device.algorithm = nb::cast<std::string>(value);
  else
    return false;
  return true;
}

bool fit_option_set(FitRequest& r, const std::string& name, const nb::handle& value) {
  if (name == "k")
    r.kmeans.k = nb::cast<int64_t>(value);
  else if (name == "seed")
    r.kmeans.seed = nb::cast<uint64_t>(value);
  else if (name == "n_init")
    r.kmeans.n_init = nb::cast<int>(value);
  else if (name == "max_iter")
    r.kmeans.max_iter = nb::cast<int>(value);
  else if (name == "tol")
    r.kmeans.tol = nb::cast<double>(value);
  else if (name == "init")
    r.kmeans.init = nb::cast<std::string>(value);
  else if (name == "scale")
    r.scale = nb::cast<std::string>(value);
  else if (name == "id_column")
    r.input.id_column = nb::cast<std::string>(value);
  else if (name == "weight_column")
    r.input.weight_column = nb::cast<std::string>(value);
  else if (name == "columns")
    r.input.columns = nb::cast<std::vector<std::string>>(value);
  else if (name == "hierarchy")
    r.hierarchy = nb::cast<bool>(value);
  else if (name == "split")
    r.split = nb::cast<std::string>(value);
  else if (name == "with_path")
    r.with_path = nb::cast<bool>(value);
  else if (name == "min_size")
    r.min_size = nb::cast<double>(value);
  else if (name == "min_share")
    r.min_share = nb::cast<double>(value);
  else if (name == "warm_start")
    r.warm_start = nb::cast<std::string>(value);
  else if (name == "match_ids")
    r.match_ids = nb::cast<std::string>(value);
  else if (name == "segment_names")
    r.segment_names = nb::cast<std::string>(value);
  else if (name == "audit_ratio")
    r.explain.audit_ratio = nb::cast<double>(value);
  else if (name == "audit_min_diff")
    r.explain.audit_min_diff = nb::cast<double>(value);
  else if (name == "quiet")
    r.quiet = nb::cast<bool>(value);
  else
    return device_option_set(r.device, name, value) || preparation_option_set(r.prep, name, value);
  return true;
}

}  // namespace

FitRequest fit_request_from(const nb::dict& request) {
  FitRequest r;
  for (auto [key, value] : request) {
    const std::string name = nb::cast<std::string>(key);
    if (value.is_none()) continue;
    try {
      KSEG_EXPECTS(fit_option_set(r, name, value), UsageError, "Segmenter: unknown option \"" + name + "\"");
    } catch (const nb::cast_error&) {
      throw UsageError("Segmenter: option " + name + " has the wrong type (" +
                       nb::cast<std::string>(nb::str(value.type())) + ")");
    }
  }
  return r;
}

std::shared_ptr<ArrowStreamReader> stream_reader(const nb::handle& source) {
  KSEG_EXPECTS(nb::hasattr(source, "__arrow_c_stream__"), UsageError,
               "the table: expected a path or an object with __arrow_c_stream__ (a pyarrow Table or "
               "RecordBatchReader), got " +
                   nb::cast<std::string>(nb::str(source.type())));
  nb::object capsule = source.attr("__arrow_c_stream__")();
  auto* stream = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule.ptr(), "arrow_array_stream"));
  if (stream == nullptr) throw nb::python_error();
  return std::make_shared<ArrowStreamReader>(stream, "the table");
}

nb::dict centroids_dict(const Model& model, const std::vector<int64_t>& sizes) {
  nb::dict out;
  const int64_t d = model.pipeline.n_features();
  const std::vector<std::string> header = model.pipeline.centroids_header();
  std::vector<std::vector<double>> columns(header.size());
  for (int64_t j = 0; j < model.n_clusters; ++j) {
    const std::vector<double> row = model.pipeline.centroid_original(model.centroids.data() + j * d);
    for (size_t c = 0; c < header.size(); ++c) columns[c].push_back(static_cast<float>(row[c]));
  }
  std::vector<int64_t> ids = model.segments.ids;
  if (ids.empty())
    for (int64_t j = 0; j < model.n_clusters; ++j) ids.push_back(j);
  out["segment"] = ids;
  if (static_cast<int64_t>(sizes.size()) == model.n_clusters) out["size"] = sizes;
  for (size_t c = 0; c < header.size(); ++c) out[header[c].c_str()] = columns[c];
  return out;
}

namespace {

std::vector<int64_t> model_sizes(const Model& model) {
  if (model.fit.is_object() && model.fit.contains("segment_sizes") && model.fit["segment_sizes"].is_array())
    return model.fit["segment_sizes"].get<std::vector<int64_t>>();
  return {};
}

nb::dict segments_fit_py(const nb::handle& source, const nb::dict& request) {
  FitRequest r = fit_request_from(request);
  if (nb::isinstance<nb::str>(source)) {
    r.input.path = nb::cast<std::string>(source);
  } else {
    r.input.table = stream_reader(source);
  }
  auto handle = std::make_unique<FitHandle>();
  std::ostringstream notices;
  std::vector<std::string> ids;
  std::vector<int64_t> segments;
  std::vector<float> distances;
  std::string model_text, summary;
  {
    nb::gil_scoped_release release;
    handle->products = fit_segments(r, notices);
    const FitProducts& p = handle->products;
    const int64_t n = p.table.n_rows;
    ids.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) p.table.ids.append_to(ids[static_cast<size_t>(i)], i);
    segments.assign(p.segments.begin(), p.segments.end());
    distances.resize(p.result.sq_distances.size());
    for (size_t i = 0; i < distances.size(); ++i) distances[i] = std::sqrt(p.result.sq_distances[i]);
    model_text = model_to_text(p.model);
    summary = fit_summary(p).dump(2);
  }
  nb::dict out;
  out["ids"] = ids;
  out["segments"] = array_own(std::move(segments));
  out["distances"] = array_own(std::move(distances));
  out["model"] = model_text;
  out["centroids"] = centroids_dict(handle->products.model, handle->products.segment_sizes);
  out["summary"] = summary;
  out["notices"] = notices.str();
  out["handle"] = nb::cast(handle.release(), nb::rv_policy::take_ownership);
  return out;
}

// out_format: segments.* and centroids.* as csv or parquet (--out-format); the other files are the same either way.
// hash_ids: ids written as keyed pseudonyms (--hash-ids), the key read from hash_key_file, else KSEG_HASH_KEY;
// csv_safe_ids: ids a spreadsheet would run as formulas written as text (--csv-safe-ids).
void segments_fit_write(FitHandle& handle, const std::string& dir, const std::string& out_format, bool hash_ids,
                        const std::string& hash_key_file, bool csv_safe_ids) {
  out_format_check(out_format, "out_format");
  KSEG_EXPECTS(hash_ids || hash_key_file.empty(), UsageError,
               "hash_key_file needs hash_ids=True (without it ids are written as read)");
  IdExport ids;
  ids.hash_ids = hash_ids;
  ids.hash_key_file = hash_key_file;
  ids.csv_safe = csv_safe_ids;
  if (hash_ids) ids.hash_key = hash_key_resolve(hash_key_file, std::getenv("KSEG_HASH_KEY"));
  nb::gil_scoped_release release;
  FitRequest& request = handle.products.request;
  request.out_dir = dir;
  request.out_format = out_format;
  request.ids = ids;
  request.quiet = true;
  std::ostringstream listing;
  fit_products_write(handle.products, listing);
}

// Scores the users of a path or an Arrow stream against model.json's text, batch by batch.
// mode: how a tree model places a user ("tree" or "nearest-leaf", as --assign).
nb::dict segments_assign_py(const std::string& model_text, const nb::handle& source, const nb::dict& request,
                            const std::string& mode) {
  const FitRequest r = fit_request_from(request);  // only device, n_threads and quiet matter here
  const AssignMode assign_mode = assign_mode_parse(mode);
  const Model model = model_from_text(model_text, "the model");
  InputOptions input;
  if (nb::isinstance<nb::str>(source)) {
    input.path = nb::cast<std::string>(source);
  } else {
    input.table = stream_reader(source);
  }
  std::vector<std::string> ids;
  std::vector<int64_t> segments;
  std::vector<float> distances;
  std::ostringstream notices;
  {
    nb::gil_scoped_release release;
    SegmentScorer scorer(model, r.device, assign_mode, r.quiet, &notices);
    const ModelInputOptions options{"the model", ',', r.device.threads, 1 << 17, ""};
    // One batch at a time (a stream's batches as they come, a file's 32 MiB or 128 Ki rows).
    model_input_for_each(model, input, options, [&](const Table& table, const IdColumn& table_ids, int64_t first) {
      const SegmentScores scores = scorer.score(table);
      for (int64_t i = 0; i < table.n_rows; ++i) {
        std::string id;
        table_ids.append_to(id, first + i);
        ids.push_back(std::move(id));
      }
      segments.insert(segments.end(), scores.segments.begin(), scores.segments.end());
      distances.insert(distances.end(), scores.distances.begin(), scores.distances.end());
    });
    KSEG_EXPECTS(!ids.empty(), DataError, input_name(input) + ": no users to assign");
  }
  nb::dict out;
  out["ids"] = ids;
  out["segments"] = array_own(std::move(segments));
  out["distances"] = array_own(std::move(distances));
  out["notices"] = notices.str();
  return out;
}

// Checks model.json's text as kseg assign would (DataError → ValueError naming name) and gives its centroids.
nb::dict model_centroids_py(const std::string& model_text, const std::string& name) {
  const Model model = model_from_text(model_text, name);
  return centroids_dict(model, model_sizes(model));
}

}  // namespace

void segmenter_bind(nb::module_& m) {
  nb::class_<FitHandle>(m, "FitProducts", "A fit's products, kept for write(dir)");
  m.def("segments_fit", &segments_fit_py, nb::arg("source"), nb::arg("request"));
  m.def("segments_fit_write", &segments_fit_write, nb::arg("products"), nb::arg("dir"), nb::arg("out_format") = "csv",
        nb::arg("hash_ids") = false, nb::arg("hash_key_file") = "", nb::arg("csv_safe_ids") = false);
  m.def("segments_assign", &segments_assign_py, nb::arg("model"), nb::arg("source"), nb::arg("request"),
        nb::arg("mode") = "tree");
  m.def("model_centroids", &model_centroids_py, nb::arg("model"), nb::arg("name"));
  segmenter_workflows_bind(m);
}

}  // namespace kseg
