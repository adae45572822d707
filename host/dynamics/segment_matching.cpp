#include "host/dynamics/segment_matching.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "host/dynamics/hungarian.hpp"
#include "host/error.hpp"

namespace kseg {
namespace {

// Where a column's features start in a preparation, and how it is prepared.
struct ColumnSlot {
  int64_t offset = 0;
  const NumericStep* numeric = nullptr;
  const CategoricalStep* categorical = nullptr;
};

std::map<std::string, ColumnSlot> column_slots(const FeaturePipeline& p) {
  std::map<std::string, const NumericStep*> numeric;
  std::map<std::string, const CategoricalStep*> categorical;
  for (const NumericStep& s : p.numeric())
    if (!s.dropped) numeric[s.name] = &s;
  for (const CategoricalStep& s : p.categorical())
    if (!s.dropped) categorical[s.name] = &s;
  std::map<std::string, ColumnSlot> slots;
  int64_t offset = 0;
  for (const std::string& name : p.input_columns()) {  // input order = feature order
    ColumnSlot slot;
    slot.offset = offset;
    if (numeric.count(name)) {
      slot.numeric = numeric[name];
      offset += slot.numeric->indicator ? 2 : 1;
    } else {
      slot.categorical = categorical[name];
      offset += static_cast<int64_t>(slot.categorical->levels.size()) + (slot.categorical->has_other ? 1 : 0);
    }
    slots[name] = slot;
  }
  return slots;
}

// One numeric feature from the old preparation's value to the new one's.
float numeric_carry(const NumericStep& from, float prepared, const NumericStep& to) {
  double v = from.weight > 0.0 ? prepared / from.weight * from.scale + from.center : from.center;
  const double date_shift = from.is_date && to.is_date ? to.as_of_days - from.as_of_days : 0.0;
  if (!(from.log1p && to.log1p && date_shift == 0.0)) {  // otherwise v is already in the new log space
    if (from.log1p) v = std::expm1(v);
    v += date_shift;
    if (to.log1p) v = std::log1p(std::max(v, 0.0));
  }
  return static_cast<float>((v - to.center) / to.scale * to.weight);
}

// A one-hot block as shares per level, moved to the new block's levels.
void categorical_carry(const CategoricalStep& from, const float* prepared, const CategoricalStep& to, float* out) {
  std::map<std::string, size_t> position;
  for (size_t l = 0; l < to.levels.size(); ++l) position[to.levels[l]] = l;
  const size_t width = to.levels.size() + (to.has_other ? 1 : 0);
  std::vector<double> shares(width, 0.0);
  const size_t from_width = from.levels.size() + (from.has_other ? 1 : 0);
  for (size_t l = 0; l < from_width; ++l) {
    const double share = from.dummy_value > 0.0 ? prepared[l] / from.dummy_value : 0.0;
    const std::string& level = l < from.levels.size() ? from.levels[l] : kOtherLevel;
    auto it = position.find(level);
    if (it != position.end()) {
      shares[it->second] += share;
    } else if (to.has_other) {
      shares[width - 1] += share;
    }
  }
  for (size_t l = 0; l < width; ++l) out[l] = static_cast<float>(shares[l] * to.dummy_value);
}

}  // namespace

std::vector<float> centroids_reprepare(const FeaturePipeline& from, const std::vector<float>& centroids, int64_t k,
                                       const FeaturePipeline& to, const std::vector<double>& fill) {
  const int64_t d_from = from.n_features();
  const int64_t d_to = to.n_features();
  KSEG_EXPECTS(static_cast<int64_t>(centroids.size()) == k * d_from && static_cast<int64_t>(fill.size()) == d_to,
               DataError, "centroids_reprepare: sizes disagree with the preparations");
  const std::map<std::string, ColumnSlot> old_slots = column_slots(from);
  const std::map<std::string, ColumnSlot> new_slots = column_slots(to);
  std::vector<float> out(static_cast<size_t>(k * d_to));
  for (int64_t j = 0; j < k; ++j)
    for (int64_t t = 0; t < d_to; ++t) out[j * d_to + t] = static_cast<float>(fill[t]);
  int common = 0;
  for (const auto& [name, slot] : new_slots) {
    auto it = old_slots.find(name);
    if (it == old_slots.end()) continue;
    const ColumnSlot& old = it->second;
    if ((slot.numeric == nullptr) != (old.numeric == nullptr)) continue;  // numeric then, categorical now: no map
    ++common;
    for (int64_t j = 0; j < k; ++j) {
      const float* c = centroids.data() + j * d_from + old.offset;
      float* o = out.data() + j * d_to + slot.offset;
      if (slot.numeric) {
        o[0] = numeric_carry(*old.numeric, c[0], *slot.numeric);
        if (slot.numeric->indicator && old.numeric->indicator) o[1] = c[1];  // share missing, unscaled
      } else {
        categorical_carry(*old.categorical, c, *slot.categorical, o);
      }
    }
  }
  KSEG_EXPECTS(common > 0, DataError,
               "the old model and the new data share no feature column: segments cannot be matched");
  return out;
}

SegmentMatching segments_match(const std::vector<float>& new_centroids, int64_t k_new,
                               const std::vector<float>& old_centroids, int64_t k_old, int64_t d,
                               const SegmentIdentity& old) {
  KSEG_EXPECTS(static_cast<int64_t>(new_centroids.size()) == k_new * d &&
                   static_cast<int64_t>(old_centroids.size()) == k_old * d &&
                   static_cast<int64_t>(old.ids.size()) == k_old && old.names.size() == old.ids.size(),
               DataError, "segments_match: sizes disagree");
  std::vector<double> cost(static_cast<size_t>(k_new * k_old));
  for (int64_t a = 0; a < k_new; ++a)
    for (int64_t b = 0; b < k_old; ++b) {
      double sum = 0.0;
      for (int64_t t = 0; t < d; ++t) {
        const double diff = static_cast<double>(new_centroids[a * d + t]) - old_centroids[b * d + t];
        sum += diff * diff;
      }
      cost[a * k_old + b] = std::sqrt(sum);
    }
  const std::vector<int64_t> partner = hungarian_assign(cost, k_new, k_old);

  SegmentMatching m;
  m.identity.next_id = old.next_id;
  for (int64_t id : old.ids) m.identity.next_id = std::max(m.identity.next_id, id + 1);
  std::vector<bool> old_used(static_cast<size_t>(k_old), false);
  for (int64_t a = 0; a < k_new; ++a) {
    if (partner[a] >= 0) {
      const int64_t b = partner[a];
      old_used[b] = true;
      m.identity.ids.push_back(old.ids[b]);
      m.identity.names.push_back(old.names[b]);
      m.matched.push_back({a, old.ids[b], old.names[b], cost[a * k_old + b]});
      m.total_distance += cost[a * k_old + b];
    } else {
      m.identity.ids.push_back(m.identity.next_id);
      m.identity.names.push_back("");
      m.new_ids.push_back(m.identity.next_id++);
    }
  }
  for (int64_t b = 0; b < k_old; ++b)
    if (!old_used[b]) m.retired.emplace_back(old.ids[b], old.names[b]);
  std::sort(m.retired.begin(), m.retired.end());
  return m;
}

nlohmann::json segment_matching_json(const SegmentMatching& matching, const std::string& against) {
  nlohmann::json pairs = nlohmann::json::array();
  for (const MatchedSegment& s : matching.matched)
    pairs.push_back({{"segment", s.id}, {"name", s.name}, {"distance", s.distance}});
  nlohmann::json retired = nlohmann::json::array();
  for (const auto& [id, name] : matching.retired) retired.push_back({{"segment", id}, {"name", name}});
  return {{"against", against},
          {"method", "hungarian, minimum total Euclidean centroid distance in the new prepared space"},
          {"pairs", pairs},
          {"total_distance", matching.total_distance},
          {"new_ids", matching.new_ids},
          {"retired", retired},
          {"next_segment_id", matching.identity.next_id}};
}

}  // namespace kseg
