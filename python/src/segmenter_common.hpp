// What the two halves of the Segmenter bindings share (segmenter_module.cpp: fit and assign; segmenter_workflows.cpp:
// sweep, drift, update, compare, profiles): the request dict → FitRequest, the Arrow C stream of a Python object,
// NumPy arrays that own their vector, and the fit products a Python object keeps.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <memory>
#include <utility>
#include <vector>

#include "app/fit_segments.hpp"
#include "host/parquet/arrow_stream.hpp"

namespace kseg {

// A fit's products, kept in the Python object so that write(dir) and profiles() use them later.
struct FitHandle {
  FitProducts products;
};

// A 1-D NumPy array that owns values (freed with the array).
template <class T>
nanobind::ndarray<nanobind::numpy, T> array_own(std::vector<T>&& values) {
  auto* owned = new std::vector<T>(std::move(values));
  nanobind::capsule deleter(owned, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nanobind::ndarray<nanobind::numpy, T>(owned->data(), {owned->size()}, deleter);
}

// The request dict (the CLI's options without dashes, '-' written '_'; None = the default) as a FitRequest.
// UsageError for an unknown key or a value of the wrong type.
FitRequest fit_request_from(const nanobind::dict& request);

// The table behind an object with __arrow_c_stream__ (the Arrow PyCapsule interface), named "the table".
std::shared_ptr<ArrowStreamReader> stream_reader(const nanobind::handle& source);

// Column → values of the centroids in original units, as centroids.csv: segment, size (when sizes has one per
// segment), then the features.
nanobind::dict centroids_dict(const Model& model, const std::vector<int64_t>& sizes);

// Adds sweep, drift, update, compare and profiles to m (segmenter_workflows.cpp).
void segmenter_workflows_bind(nanobind::module_& m);

}  // namespace kseg
