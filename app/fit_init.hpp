// fit's starting centroids (--init): k-means++, k-means||, random, or a .npy of k × d centroids in original units.
#pragma once

#include <string>

#include "app/options.hpp"
#include "host/features/pipeline.hpp"
#include "host/kmeans/params.hpp"

namespace kseg {

// Whether init names a file of starting centroids (FILE.npy) rather than a method.
bool init_is_file(const std::string& init);

// UsageError unless init is k-means++, k-means||, random or FILE.npy; no file is read.
void init_validate(const std::string& init);

// Sets params.init (and params.init_centroids for FILE.npy: the rows read, prepared with pipeline). DataError when
// the file's shape is not k × the input columns; UsageError when the features are not all numeric.
void init_apply(const KMeansOptions& kmeans, const FeaturePipeline& pipeline, KMeansParams& params);

}  // namespace kseg
