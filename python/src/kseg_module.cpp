// The extension module kseg._kseg: the K-means core (driver + backend) over NumPy arrays, for kseg.KMeans.
// Arrays come in as float32 C-contiguous views (the Python side converts other dtypes and layouts once) and results
// go out as new NumPy arrays; the GIL is released while kseg computes. kseg's DataError and UsageError become
// Python ValueError with kseg's one-line message.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "app/backend_select.hpp"
#include "host/error.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "profile_build_module.hpp"
#include "segmenter_module.hpp"

namespace nb = nanobind;

namespace kseg {
namespace {

using Matrix = nb::ndarray<const float, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using Vector = nb::ndarray<const float, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

// A NumPy array that owns a std::vector's buffer (no copy).
template <class T>
nb::ndarray<nb::numpy, T> array_from(std::vector<T>&& values, std::initializer_list<size_t> shape) {
  auto* owned = new std::vector<T>(std::move(values));
  nb::capsule deleter(owned, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T>(owned->data(), shape, deleter);
}

DataView view_make(const Matrix& x, const nb::object& sample_weight) {
  DataView view{x.data(), nullptr, static_cast<int64_t>(x.shape(0)), static_cast<int64_t>(x.shape(1))};
  if (!sample_weight.is_none()) {
    const Vector w = nb::cast<Vector>(sample_weight);
    KSEG_EXPECTS(
        static_cast<int64_t>(w.shape(0)) == view.n_rows, UsageError,
        "sample_weight has " + std::to_string(w.shape(0)) + " values for " + std::to_string(view.n_rows) + " rows");
    view.weights = w.data();
  }
  return view;
}

InitMethod init_parse(const std::string& init) {
  if (init == "k-means++") return InitMethod::kmeans_plus_plus;
  if (init == "k-means||") return InitMethod::kmeans_parallel;
  if (init == "random") return InitMethod::random;
  throw UsageError("init: expected \"k-means++\", \"k-means||\", \"random\" or an array of shape (n_clusters, " +
                   std::string("n_features), got \"") + init + "\"");
}

DeviceOptions device_make(const std::string& device, const std::string& algorithm, int n_threads) {
  DeviceOptions options;
  options.device = device;
  options.algorithm = algorithm;
  options.threads = n_threads;
  device_options_validate(options);
  return options;
}

// Fits K-means; init_centers (n_clusters × d float32) replaces the seeding when given.
nb::dict kmeans_fit_numpy(const Matrix& x, const nb::object& sample_weight, int64_t n_clusters, const std::string& init,
                          const nb::object& init_centers, int n_init, int max_iter, double tol, uint64_t seed,
                          const std::string& algorithm, const std::string& device, int n_threads, bool verbose) {
  const DataView view = view_make(x, sample_weight);
  KMeansParams params;
  params.n_clusters = n_clusters;
  params.max_iter = max_iter;
  params.tol = tol;
  params.n_init = n_init;
  params.seed = seed;
  params.n_threads = n_threads;
  if (init_centers.is_none()) {
    params.init = init_parse(init);
  } else {
    const Matrix centers = nb::cast<Matrix>(init_centers);
    params.init = InitMethod::given;
    params.init_centroids.assign(centers.data(), centers.data() + centers.size());
  }
  const DeviceOptions options = device_make(device, algorithm, n_threads);
  kmeans_params_validate(params, view.n_rows, view.n_cols);
  std::ostringstream notices;
  KMeansResult result;
  std::string backend_name;
  {
    nb::gil_scoped_release release;
    ThreadLimitScope threads(n_threads);
    std::unique_ptr<Backend> backend = backend_create(view, options, !verbose, notices);
    backend_name = backend->name();
    const double tol_absolute = tol > 0.0 ? tol * feature_variance_mean(view, single_process()) : 0.0;
    result = kmeans_fit(*backend, view, params, tol_absolute, single_process());
  }
  nb::dict out;
  const int64_t k = result.n_clusters;
  const int64_t d = result.n_features;
  out["cluster_centers"] = array_from(std::move(result.centroids), {static_cast<size_t>(k), static_cast<size_t>(d)});
  out["labels"] = array_from(std::move(result.labels), {static_cast<size_t>(view.n_rows)});
  out["sq_distances"] = array_from(std::move(result.sq_distances), {static_cast<size_t>(view.n_rows)});
  out["inertia"] = result.inertia;
  out["n_iter"] = result.runs[static_cast<size_t>(result.best_run)].n_iter;
  out["backend"] = backend_name;
  out["notices"] = notices.str();
  return out;
}

// Nearest centre and squared distance for every row (ties to the lowest index), as kseg assign scores users.
nb::tuple kmeans_assign_numpy(const Matrix& x, const Matrix& centers, const std::string& device, int n_threads) {
  const DataView view = view_make(x, nb::none());
  KSEG_EXPECTS(centers.shape(1) == x.shape(1), UsageError,
               "X has " + std::to_string(x.shape(1)) + " features, but the model was fitted with " +
                   std::to_string(centers.shape(1)));
  const DeviceOptions options = device_make(device, "lloyd", n_threads);
  std::vector<int32_t> labels(static_cast<size_t>(view.n_rows));
  std::vector<float> sq_distances(static_cast<size_t>(view.n_rows));
  double inertia = 0.0;
  {
    nb::gil_scoped_release release;
    ThreadLimitScope threads(n_threads);
    std::ostringstream notices;
    std::unique_ptr<Backend> backend = backend_create(view, options, true, notices);
    inertia = backend->assign(centers.data(), static_cast<int64_t>(centers.shape(0)));
    backend->labels_get(labels.data());
    backend->distances_get(sq_distances.data());
  }
  const size_t n = static_cast<size_t>(view.n_rows);
  return nb::make_tuple(array_from(std::move(labels), {n}), array_from(std::move(sq_distances), {n}), inertia);
}

}  // namespace
}  // namespace kseg

NB_MODULE(_kseg, m) {
  m.doc() = "kseg's K-means core (use kseg.KMeans)";
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const kseg::DataError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const kseg::UsageError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  m.def("kmeans_fit", &kseg::kmeans_fit_numpy, nb::arg("x"), nb::arg("sample_weight").none(), nb::arg("n_clusters"),
        nb::arg("init"), nb::arg("init_centers").none(), nb::arg("n_init"), nb::arg("max_iter"), nb::arg("tol"),
        nb::arg("seed"), nb::arg("algorithm"), nb::arg("device"), nb::arg("n_threads"), nb::arg("verbose"));
  m.def("kmeans_assign", &kseg::kmeans_assign_numpy, nb::arg("x"), nb::arg("centers"), nb::arg("device"),
        nb::arg("n_threads"));
  kseg::segmenter_bind(m);
  kseg::profile_build_bind(m);
  m.def("cuda_compiled", &kseg::cuda_compiled, "Whether this extension includes the CUDA backend");
  m.attr("__version__") = KSEG_VERSION;
}
