// The workflow bindings of kseg._kseg (segments_fit, segments_assign, ...) for kseg.Segmenter.
#pragma once

#include <nanobind/nanobind.h>

namespace kseg {

// Adds segments_fit, segments_fit_write, segments_assign, model_centroids and the FitProducts class to m.
void segmenter_bind(nanobind::module_& m);

}  // namespace kseg
