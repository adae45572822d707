// The kseg library's public C++ interface, installed as <kseg/kseg.hpp> (find_package(kseg), target kseg::kseg; see
// README "Using kseg from C++").
// - The application layer, what the kseg program runs: fill a FitRequest (app/fit_segments.hpp), call fit_segments
//   for the products in memory (model, every user's segment and distance, centroids in original units, profiles'
//   inputs) and fit_products_write for the files kseg fit writes; input_schema gives the roles inferred for an input's
//   columns; backend_create the CPU or CUDA backend for --device.
// - The K-means core, for matrices already prepared: wrap the rows in a DataView, build a CpuBackend, call kmeans_fit
//   with KMeansParams; SegmentsWriter writes segments.csv.
// Errors are thrown as UsageError (bad parameters or options) or DataError (data that cannot be used).
#pragma once

#include "app/backend_select.hpp"
#include "app/fit_segments.hpp"
#include "app/input_schema.hpp"
#include "app/options.hpp"
#include "host/backend.hpp"
#include "host/comm/communicator.hpp"
#include "host/error.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/cpu_kernels.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/kmeans/params.hpp"
#include "host/output/segment_files.hpp"
