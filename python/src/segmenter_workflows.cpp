// The rest of the workflow for kseg.Segmenter: sweep (choosing k), drift, update, compare and in-memory profiles,
// each the application layer's call that the kseg command of the same name makes, on a path or an Arrow C stream and
// a model held as model.json's text. The GIL is released while kseg reads and computes.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <climits>
#include <cstdint>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "app/drift_measure.hpp"
#include "app/explain_outputs.hpp"
#include "app/model_update.hpp"
#include "app/sweep_segments.hpp"
#include "host/dynamics/segments_compare.hpp"
#include "host/error.hpp"
#include "host/io/output_set.hpp"
#include "host/model/model_file.hpp"
#include "host/report/profiles_io.hpp"
#include "segmenter_common.hpp"

namespace nb = nanobind;

namespace kseg {
namespace {

// An update's products, kept in the Python object so that write(dir) publishes kseg update's files later.
struct UpdateHandle {
  UpdateProducts products;
};

void input_set(InputOptions& input, const nb::handle& source) {
  if (nb::isinstance<nb::str>(source)) {
    input.path = nb::cast<std::string>(source);
  } else {
    input.table = stream_reader(source);
  }
}

// The sweep's own options (k, seeds, sample, fit_sample, min_share, min_stability) onto r.
void sweep_options_set(SweepRequest& r, const nb::dict& options) {
  for (auto [key, value] : options) {
    const std::string name = nb::cast<std::string>(key);
    if (name == "k")
      r.k_range = nb::cast<std::string>(value);
    else if (name == "seeds")
      r.seeds = nb::cast<int>(value);
    else if (name == "sample")
      r.sample = nb::cast<int64_t>(value);
    else if (name == "fit_sample")
      r.fit_sample = nb::cast<int64_t>(value);
    else if (name == "min_share")
      r.min_share = nb::cast<double>(value);
    else if (name == "min_stability")
      r.min_stability = nb::cast<double>(value);
    else
      throw UsageError("sweep: unknown option \"" + name + "\"");
  }
}

// sweep.csv's columns (binary values; NaN where the file has an empty field) and sweep.json's text.
nb::dict segments_sweep_py(const nb::handle& source, const nb::dict& request, const nb::dict& options) {
  const FitRequest f = fit_request_from(request);
  SweepRequest r;
  r.prep = f.prep;
  r.input = f.input;
  r.scale = f.scale;
  r.device = f.device;
  r.explain = f.explain;
  r.seed = f.kmeans.seed;
  r.max_iter = f.kmeans.max_iter;
  r.tol = f.kmeans.tol;
  r.hierarchy = f.hierarchy;
  r.split = f.split;
  r.quiet = f.quiet;
  sweep_options_set(r, options);
  input_set(r.input, source);
  std::ostringstream notices;
  std::vector<int64_t> k, best_seed, n_iter, recommended;
  std::vector<double> inertia, silhouette, ch, db, min_share, stability, seconds;
  std::string json;
  {
    nb::gil_scoped_release release;
    const SweepProducts p = sweep_segments(r, notices);
    for (const SweepRow& row : p.result.rows) {
      k.push_back(row.k);
      inertia.push_back(row.inertia);
      silhouette.push_back(row.silhouette);
      ch.push_back(row.calinski_harabasz);
      db.push_back(row.davies_bouldin);
      min_share.push_back(row.min_share);
      stability.push_back(row.stability);
      best_seed.push_back(static_cast<int64_t>(row.best_seed));
      n_iter.push_back(row.n_iter);
      seconds.push_back(row.seconds);
      recommended.push_back(row.k == p.result.recommendation.k ? 1 : 0);
    }
    json = sweep_to_json(p.result).dump();
  }
  nb::dict table;
  table["k"] = array_own(std::move(k));
  table["inertia"] = array_own(std::move(inertia));
  table["silhouette"] = array_own(std::move(silhouette));
  table["calinski_harabasz"] = array_own(std::move(ch));
  table["davies_bouldin"] = array_own(std::move(db));
  table["min_share"] = array_own(std::move(min_share));
  table["stability"] = array_own(std::move(stability));
  table["best_seed"] = array_own(std::move(best_seed));
  table["n_iter"] = array_own(std::move(n_iter));
  table["seconds"] = array_own(std::move(seconds));
  table["recommended"] = array_own(std::move(recommended));
  nb::dict out;
  out["table"] = table;
  out["json"] = json;
  out["notices"] = notices.str();
  return out;
}

// kseg drift's report (the JSON of --out) of the users in source against the model.
nb::dict segments_drift_py(const std::string& model_text, const nb::handle& source, const nb::dict& request,
                           double psi_threshold, double distance_threshold) {
  const FitRequest f = fit_request_from(request);  // device, n_threads and quiet
  DriftRequest r;
  r.model = "the model";
  r.model_loaded = std::make_shared<const Model>(model_from_text(model_text, r.model));
  r.device = f.device;
  r.quiet = f.quiet;
  r.thresholds.psi = psi_threshold;
  r.thresholds.distance = distance_threshold;
  input_set(r.input, source);
  std::ostringstream notices;
  std::string json;
  {
    nb::gil_scoped_release release;
    const DriftProducts p = drift_measure(r, notices);
    json = drift_report_json(p.report, p.thresholds).dump();
  }
  nb::dict out;
  out["report"] = json;
  out["notices"] = notices.str();
  return out;
}

// kseg update's mini-batch epochs over source from the model: the new model's text, summary.json's text and the
// centroids (sizes: the last epoch's). reopen: source can give its stream again (a Table), for epochs after the first.
nb::dict segments_update_py(const std::string& model_text, const nb::handle& source, const nb::dict& request,
                            const nb::dict& params, bool reopen) {
  const FitRequest f = fit_request_from(request);
  UpdateRequest r;
  r.model = "the model";
  r.model_loaded = std::make_shared<const Model>(model_from_text(model_text, r.model));
  r.device = f.device;
  r.quiet = f.quiet;
  r.params.step.batch_size = nb::cast<int64_t>(params["batch_size"]);
  r.params.epochs = nb::cast<int>(params["epochs"]);
  r.params.step.reassignment_ratio = nb::cast<double>(params["reassignment_ratio"]);
  r.params.memory = nb::cast<double>(params["memory"]);
  r.params.step.seed = nb::cast<uint64_t>(params["seed"]);
  input_set(r.input, source);
  // The caller's frame holds source for the whole call: the handle stays valid while the GIL is released.
  if (r.input.table && reopen)
    r.table_reopen = [source]() {
      nb::gil_scoped_acquire acquire;
      return stream_reader(source);
    };
  std::ostringstream notices;
  std::string model, summary;
  auto handle = std::make_unique<UpdateHandle>();
  {
    nb::gil_scoped_release release;
    handle->products = model_update(r, notices);
    model = model_to_text(handle->products.model);
    summary = update_summary(handle->products).dump();
  }
  nb::dict out;
  out["model"] = model;
  out["summary"] = summary;
  out["centroids"] = centroids_dict(handle->products.model, handle->products.last_sizes);
  out["notices"] = notices.str();
  out["handle"] = nb::cast(handle.release(), nb::rv_policy::take_ownership);
  return out;
}

// kseg update's files (model.json, centroids.csv, summary.json) into dir, published whole.
void segments_update_write(const UpdateHandle& handle, const std::string& dir) {
  nb::gil_scoped_release release;
  OutputSet set(dir);
  update_products_write(handle.products, set.path());
  set.publish();
}

SegmentAssignments assignments_make(const std::string& name, const std::vector<std::string>& ids,
                                    const std::vector<int64_t>& segments) {
  KSEG_EXPECTS(ids.size() == segments.size(), UsageError,
               name + ": " + std::to_string(ids.size()) + " ids but " + std::to_string(segments.size()) + " segments");
  SegmentAssignments a;
  a.path = name;
  a.ids = ids;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < ids.size(); ++i) {
    KSEG_EXPECTS(segments[i] >= 0 && segments[i] <= INT32_MAX, DataError,
                 name + ": row " + std::to_string(i) + ": segment " + std::to_string(segments[i]) +
                     " is not an integer in [0, 2^31)");
    KSEG_EXPECTS(seen.insert(ids[i]).second, DataError,
                 name + ": row " + std::to_string(i) + ": id \"" + ids[i] +
                     "\" repeats an earlier row; ids must be unique to join the segmentations");
    a.segments.push_back(static_cast<int32_t>(segments[i]));
  }
  return a;
}

// kseg compare of two segmentations in memory: migration.csv, migration_shares.csv, segment_psi.csv and
// compare.json's texts, as the command writes them.
nb::dict segments_compare_py(const std::string& before_name, const std::vector<std::string>& before_ids,
                             const std::vector<int64_t>& before_segments, const std::string& after_name,
                             const std::vector<std::string>& after_ids, const std::vector<int64_t>& after_segments) {
  const SegmentAssignments before = assignments_make(before_name, before_ids, before_segments);
  const SegmentAssignments after = assignments_make(after_name, after_ids, after_segments);
  nb::dict out;
  SegmentComparison c;
  {
    nb::gil_scoped_release release;
    c = segments_compare(before, after);
  }
  out["migration"] = migration_csv(c, false);
  out["migration_shares"] = migration_csv(c, true);
  out["segment_psi"] = segment_psi_csv(c);
  out["json"] = segment_comparison_json(c, before_name, after_name).dump();
  return out;
}

// profiles.csv's columns of a fit (binary values, NaN for the file's empty fields) and profiles.json's text, computed
// in memory as fit's explanation files are.
nb::dict fit_profiles_py(const FitHandle& handle) {
  const FitProducts& fit = handle.products;
  ExplainOutputs o;
  o.table = &fit.table;
  o.pipeline = &fit.model.pipeline;
  o.labels = fit.result.labels.data();
  o.k = fit.result.n_clusters;
  o.segment_ids = fit.model.segments.ids;
  o.model_names = fit.model.segments.names;
  o.tree = fit.model.tree ? &*fit.model.tree : nullptr;
  const Profiles profiles = explain_profiles(o, fit.request.explain);
  std::vector<int64_t> segment, flag;
  std::vector<std::string> name, kind, column, level;
  std::vector<double> value, population, index, std_diff;
  const auto row = [&](const SegmentProfile& s, const std::string& k, const FeatureStat& f) {
    segment.push_back(s.segment);
    name.push_back(s.name);
    kind.push_back(k);
    column.push_back(f.column);
    level.push_back(f.level);
    value.push_back(f.value);
    population.push_back(f.population);
    index.push_back(f.index);
    std_diff.push_back(f.std_diff);
    flag.push_back(f.flagged ? 1 : 0);
  };
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  for (const SegmentProfile& s : profiles.segments) {
    row(s, "size",
        {StatKind::mean, "", "", false, static_cast<double>(s.size), static_cast<double>(profiles.n_rows), nan, nan,
         false});
    row(s, "share", {StatKind::mean, "", "", false, s.share, 1.0, nan, nan, false});
    for (const FeatureStat& f : s.features) row(s, f.kind == StatKind::mean ? "mean" : "level_share", f);
    for (const FeatureStat& f : s.audit) row(s, f.kind == StatKind::mean ? "audit_mean" : "audit_level_share", f);
  }
  nb::dict table;
  table["segment"] = array_own(std::move(segment));
  table["name"] = name;
  table["kind"] = kind;
  table["column"] = column;
  table["level"] = level;
  table["value"] = array_own(std::move(value));
  table["population"] = array_own(std::move(population));
  table["index"] = array_own(std::move(index));
  table["std_diff"] = array_own(std::move(std_diff));
  table["flag"] = array_own(std::move(flag));
  nb::dict out;
  out["table"] = table;
  out["json"] = profiles_to_json(profiles).dump();
  return out;
}

}  // namespace

void segmenter_workflows_bind(nb::module_& m) {
  nb::class_<UpdateHandle>(m, "UpdateProducts", "An update's products, kept for write(dir)");
  m.def("segments_sweep", &segments_sweep_py, nb::arg("source"), nb::arg("request"), nb::arg("options"));
  m.def("segments_drift", &segments_drift_py, nb::arg("model"), nb::arg("source"), nb::arg("request"),
        nb::arg("psi_threshold"), nb::arg("distance_threshold"));
  m.def("segments_update", &segments_update_py, nb::arg("model"), nb::arg("source"), nb::arg("request"),
        nb::arg("params"), nb::arg("reopen"));
  m.def("segments_update_write", &segments_update_write, nb::arg("products"), nb::arg("dir"));
  m.def("segments_compare", &segments_compare_py, nb::arg("before_name"), nb::arg("before_ids"),
        nb::arg("before_segments"), nb::arg("after_name"), nb::arg("after_ids"), nb::arg("after_segments"));
  m.def("fit_profiles", &fit_profiles_py, nb::arg("products"));
}

}  // namespace kseg
