#include "host/report/tree_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "host/report/personas.hpp"
#include "host/report/svg_charts.hpp"

namespace kseg {
namespace {

constexpr double kLevelHeight = 96.0;  // px between depths
constexpr double kLeafWidth = 150.0;   // px per leaf
constexpr double kTop = 52.0;          // px above the root

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f", v);
  return text;
}

std::string percent(double share) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f%%", 100.0 * share);
  return text;
}

// Where each node is drawn: leaves spread evenly in leaf order (depth first), a parent above the middle of its two
// children.
struct Layout {
  std::vector<double> x, y;
  int depth = 0;
};

Layout layout_make(const SegmentTree& tree) {
  Layout l;
  const size_t n = tree.nodes.size();
  l.x.assign(n, 0.0);
  l.y.assign(n, 0.0);
  std::vector<int> depth(n, 0);
  for (size_t i = 1; i < n; ++i) depth[i] = depth[tree.nodes[i].parent] + 1;  // parents come before children
  for (size_t i = 0; i < n; ++i) {
    l.depth = std::max(l.depth, depth[i]);
    l.y[i] = kTop + kLevelHeight * depth[i];
    if (tree.nodes[i].is_leaf()) l.x[i] = kLeafWidth * (static_cast<double>(tree.nodes[i].leaf) + 0.5);
  }
  for (size_t i = n; i-- > 0;)  // children have larger ids than their parent
    if (!tree.nodes[i].is_leaf()) l.x[i] = 0.5 * (l.x[tree.nodes[i].children[0]] + l.x[tree.nodes[i].children[1]]);
  return l;
}

std::string text_at(double x, double y, const std::string& text, const std::string& cls) {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" class=\"" + cls + "\" text-anchor=\"middle\">" +
         html_escape(text) + "</text>";
}

// At most `limit` bytes then "…", cut at a character boundary (UTF-8 continuation bytes are 10xxxxxx).
std::string shortened(const std::string& text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t cut = limit - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "…";
}

// The parent profile of `node`, or null (leaves, the root, profiles.json from before parents were written).
const SegmentProfile* parent_profile(const Profiles& profiles, int64_t node) {
  for (const SegmentProfile& s : profiles.tree_parents)
    if (s.segment == node) return &s;
  return nullptr;
}

// What a child is called on its parent's card: "segment 12 · Lapsed" or "node 3 · High spend".
std::string child_label(const SegmentTree& tree, const Profiles& profiles, int64_t child) {
  const TreeNode& node = tree.nodes[child];
  if (node.leaf >= 0 && node.leaf < static_cast<int64_t>(profiles.segments.size()))
    return "segment " + std::to_string(profiles.segments[node.leaf].segment) + " · " +
           profiles.segments[node.leaf].name;
  const SegmentProfile* parent = parent_profile(profiles, child);
  return "node " + std::to_string(child) + (parent ? " · " + parent->name : "");
}

// A parent's card, shaped as a segment's card in the page (the same classes): its users, what it splits into, its
// description and its top features against the population.
std::string parent_card(const SegmentTree& tree, const Profiles& profiles, const SegmentProfile& s) {
  const TreeNode& node = tree.nodes[s.segment];
  std::string html = "<section class=\"card parent\" id=\"node-" + std::to_string(s.segment) + "\" data-node=\"" +
                     std::to_string(s.segment) + "\" data-size=\"" + std::to_string(s.size) + "\"><h3>node " +
                     std::to_string(s.segment) + " · " + html_escape(s.name) + "</h3><p class=\"size\">" +
                     std::to_string(s.size) + " users · " + percent(s.share) + "</p><p class=\"splits\">splits into " +
                     html_escape(child_label(tree, profiles, node.children[0])) + " and " +
                     html_escape(child_label(tree, profiles, node.children[1])) + "</p><p class=\"desc\">" +
                     html_escape(s.description) + "</p>";
  if (s.top.empty()) return html + "</section>";
  html += "<table><tr><th>top features</th><th>node</th><th>overall</th></tr>";
  for (int t : s.top) {
    const FeatureStat& f = s.features[t];
    const auto value = [&](double v) { return f.kind == StatKind::level_share ? percent(v) : number_short(v); };
    html += "<tr><td>" + html_escape(feature_label(f)) + (f.is_date ? " (days ago)" : "") + "</td><td>" +
            value(f.value) + "</td><td>" + value(f.population) + "</td></tr>";
  }
  return html + "</table></section>";
}

// The parents' cards in node order (a tree model profiled before parents were written has none).
std::string parent_cards(const SegmentTree& tree, const Profiles& profiles) {
  std::string cards;
  for (const SegmentProfile& s : profiles.tree_parents)
    if (s.segment > 0 && s.segment < static_cast<int32_t>(tree.nodes.size()) && !tree.nodes[s.segment].is_leaf())
      cards += parent_card(tree, profiles, s);
  if (cards.empty()) return "";
  return "<h3>Parent segments</h3><p class=\"sub\">Each parent holds the users of the segments below it: a campaign "
         "can target it whole.</p><div class=\"cards\">" +
         cards + "</div>";
}

}  // namespace

std::vector<std::string> split_features(const SegmentTree& tree, int64_t node,
                                        const std::vector<std::string>& feature_names, int count) {
  const TreeNode& parent = tree.nodes[node];
  if (parent.is_leaf()) return {};
  const std::vector<float>& a = tree.nodes[parent.children[0]].centroid;
  const std::vector<float>& b = tree.nodes[parent.children[1]].centroid;
  std::vector<size_t> order(std::min(a.size(), feature_names.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t i, size_t j) { return std::abs(a[i] - b[i]) > std::abs(a[j] - b[j]); });
  std::vector<std::string> names;
  for (size_t i = 0; i < order.size() && static_cast<int>(names.size()) < count; ++i)
    names.push_back(feature_names[order[i]]);
  return names;
}

std::string tree_report_section(const SegmentTree& tree, const Profiles& profiles,
                                const std::vector<std::string>& feature_names) {
  const Layout l = layout_make(tree);
  const double width = kLeafWidth * static_cast<double>(tree.leaves().size());
  const double height = kTop + kLevelHeight * l.depth + 56.0;
  const double root_size = std::max<double>(1.0, static_cast<double>(tree.nodes[0].size));
  std::string edges, nodes;
  for (const TreeNode& node : tree.nodes) {
    const double share = static_cast<double>(node.size) / root_size;
    const double r = 5.0 + 22.0 * std::sqrt(share);
    const SegmentProfile* profile = node.leaf >= 0 && node.leaf < static_cast<int64_t>(profiles.segments.size())
                                        ? &profiles.segments[node.leaf]
                                        : nullptr;
    std::string title = "node " + std::to_string(node.id) + ": " + std::to_string(node.size) + " users (" +
                        percent(share) + "), inertia " + number(node.inertia);
    if (profile) title = "segment " + std::to_string(profile->segment) + " · " + profile->name + " — " + title;
    if (const SegmentProfile* parent = parent_profile(profiles, node.id)) title = parent->name + " — " + title;
    nodes += "<g><title>" + html_escape(title) + "</title><circle cx=\"" + number(l.x[node.id]) + "\" cy=\"" +
             number(l.y[node.id]) + "\" r=\"" + number(r) + "\" class=\"" + (profile ? "leaf" : "inner") + "\"/>";
    if (profile) {
      nodes += text_at(l.x[node.id], l.y[node.id] + r + 14.0, shortened(profile->name, 24), "name");
      nodes += text_at(l.x[node.id], l.y[node.id] + r + 27.0,
                       "segment " + std::to_string(profile->segment) + " · " + percent(share), "meta");
    } else {
      nodes += text_at(l.x[node.id], l.y[node.id] - r - 6.0, percent(share), "meta");
      std::string by;
      for (const std::string& f : split_features(tree, node.id, feature_names)) by += (by.empty() ? "" : ", ") + f;
      nodes += text_at(l.x[node.id], l.y[node.id] + r + 14.0, "by " + shortened(by, 34), "split");
    }
    nodes += "</g>";
    if (node.parent >= 0)
      edges += "<line x1=\"" + number(l.x[node.parent]) + "\" y1=\"" + number(l.y[node.parent]) + "\" x2=\"" +
               number(l.x[node.id]) + "\" y2=\"" + number(l.y[node.id]) + "\" class=\"edge\"/>";
  }
  return "<h2>Segment tree</h2><p class=\"sub\">Bisecting K-means: each split divides a group of users in two; "
         "circles are sized by users, leaves are the segments, and each split names the features that separate its "
         "two halves most.</p><div class=\"panel\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
         number(width) + "\" height=\"" + number(height) + "\" viewBox=\"0 0 " + number(width) + " " + number(height) +
         "\" role=\"img\" aria-label=\"segment tree\"><style>.edge{stroke:#9aa5b1;stroke-width:1.5}"
         ".leaf{fill:#3b82c4}.inner{fill:#c9d3dd}.name{font:12px sans-serif;fill:#1f2933}"
         ".meta{font:11px sans-serif;fill:#52606d}.split{font:italic 11px sans-serif;fill:#7b4a12}</style>" +
         edges + nodes + "</svg></div>" + parent_cards(tree, profiles);
}

}  // namespace kseg
