// Profiles of a bisecting tree's parent nodes: a parent's users are all the users of the leaves below it, so its
// profile (sizes, means, level shares against the population, top features, persona) is computed from those rows
// exactly as a segment's is. The root (everyone, the population itself) gets none.
#pragma once

#include <cstdint>
#include <vector>

#include "host/data/table.hpp"
#include "host/features/pipeline.hpp"
#include "host/model/segment_tree.hpp"
#include "host/report/profiles.hpp"

namespace kseg {

// leaf_labels: table.n_rows leaf indices (centroid rows, 0 .. leaves − 1). Returns one profile per parent node
// below the root, in node id order, each with `segment` = its node id and a persona named among the parents
// (a shared name gets " (node N)"). One profiles_compute per depth of the tree: the parents at one depth are
// disjoint, so each pass labels every row by its ancestor at that depth (or "elsewhere").
std::vector<SegmentProfile> tree_parent_profiles(const Table& table, const FeaturePipeline& pipeline,
                                                 const int32_t* leaf_labels, const SegmentTree& tree,
                                                 const ProfileOptions& options = {});

}  // namespace kseg
