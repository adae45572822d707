// The kseg library's public C++ interface, installed as <kseg/kseg.hpp> (find_package(kseg), target kseg::kseg; see
// README "Using kseg from C++"). A fit: wrap the prepared rows in a DataView, build a CpuBackend on them, call
// kmeans_fit with KMeansParams; the result holds centroids, labels and squared distances, and SegmentsWriter writes
// segments.csv. Errors are thrown as UsageError (bad parameters) or DataError (data that cannot be used).
#pragma once

#include "host/backend.hpp"
#include "host/error.hpp"
#include "host/comm/communicator.hpp"
#include "host/kmeans/cpu_backend.hpp"
#include "host/kmeans/cpu_kernels.hpp"
#include "host/kmeans/kmeans_fit.hpp"
#include "host/kmeans/params.hpp"
#include "host/output/segment_files.hpp"
