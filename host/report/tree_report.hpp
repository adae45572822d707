// report.html's tree section for a --hierarchy fit: an inline SVG of the bisecting tree, each node a circle sized by
// its users, leaves named by their segment's persona, each split labelled by the features that separate its two
// children most; then a card per parent node (its users' profile and persona, what it splits into).
#pragma once

#include <string>
#include <vector>

#include "host/model/segment_tree.hpp"
#include "host/report/profiles.hpp"

namespace kseg {

// The prepared features whose centroid values differ most between the two children of `node` (largest |difference|
// first; the prepared space is standardised, so differences compare across features), at most `count`.
std::vector<std::string> split_features(const SegmentTree& tree, int64_t node,
                                        const std::vector<std::string>& feature_names, int count = 2);

// "<h2>Segment tree</h2>…<svg>…</svg>" and a card per parent below the root (profiles.tree_parents, named by their
// persona; none when the profiles carry no parents): deterministic text. profiles: one per leaf, in leaf order
// (their names); feature_names: the prepared features (FeaturePipeline::feature_names).
std::string tree_report_section(const SegmentTree& tree, const Profiles& profiles,
                                const std::vector<std::string>& feature_names);

}  // namespace kseg
