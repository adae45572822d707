// report.html's tree section: the features named on each split, one circle per node sized by users, leaf names
// escaped and cut at character boundaries, and the section in the page only for tree fits.
#include <gtest/gtest.h>

#include <string>

#include "host/report/html_report.hpp"
#include "host/report/tree_report.hpp"

namespace kseg {
namespace {

// Root (100 users) → node 1 (60) and leaf 2 (40, segment 1); node 1 → leaves 3 (segment 0) and 4 (segment 2).
// Features a, b, c: the root's children differ most in c (4) then a (−2); node 1's children in b (3) then c (1).
SegmentTree tree_make() {
  SegmentTree tree;
  const auto add = [&](int64_t parent, int64_t size, int64_t leaf, std::vector<float> c) {
    TreeNode n;
    n.id = static_cast<int64_t>(tree.nodes.size());
    n.parent = parent;
    n.size = size;
    n.weight = static_cast<double>(size);
    n.leaf = leaf;
    n.centroid = std::move(c);
    tree.nodes.push_back(n);
  };
  add(-1, 100, -1, {0, 0, 0});
  add(0, 60, -1, {1, 0, -2});
  add(0, 40, 1, {-1, 0.5f, 2});
  add(1, 20, 0, {1, 1.5f, -2.5f});
  add(1, 40, 2, {1, -1.5f, -1.5f});
  tree.nodes[0].children[0] = 1, tree.nodes[0].children[1] = 2;
  tree.nodes[1].children[0] = 3, tree.nodes[1].children[1] = 4;
  return tree;
}

Profiles profiles_make() {
  Profiles p;
  p.n_rows = 100;
  p.total_weight = 100;
  const char* names[] = {"Heavy <buyers> & co", "Ünïcödé ünïcödé ünïcödé ünïcödé", "Lapsed"};
  const int64_t sizes[] = {20, 40, 40};
  for (int j = 0; j < 3; ++j) {
    SegmentProfile s;
    s.segment = 10 + j;  // stable ids differ from leaf indices
    s.size = sizes[j];
    s.weight = static_cast<double>(sizes[j]);
    s.share = s.weight / 100.0;
    s.name = s.persona = names[j];
    p.segments.push_back(s);
  }
  return p;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool utf8_valid(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > text.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

TEST(TreeReport, SplitsNameTheFeaturesThatSeparateTheChildrenMost) {
  const SegmentTree tree = tree_make();
  const std::vector<std::string> features = {"a", "b", "c"};
  EXPECT_EQ(split_features(tree, 0, features), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(split_features(tree, 1, features), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(split_features(tree, 1, features, 1), (std::vector<std::string>{"b"}));
  EXPECT_TRUE(split_features(tree, 3, features).empty());  // a leaf has no split
}

TEST(TreeReport, SectionDrawsEveryNodeAndNamesLeavesByPersona) {
  const SegmentTree tree = tree_make();
  const Profiles profiles = profiles_make();
  const std::string svg = tree_report_section(tree, profiles, {"a", "b", "c"});
  EXPECT_EQ(count(svg, "<circle"), 5u);
  EXPECT_EQ(count(svg, "class=\"leaf\""), 3u);
  EXPECT_EQ(count(svg, "<line"), 4u);  // one edge per non-root node
  EXPECT_NE(svg.find(">by c, a<"), std::string::npos);
  EXPECT_NE(svg.find(">by b, c<"), std::string::npos);
  EXPECT_NE(svg.find("Heavy &lt;buyers&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(svg.find("<buyers>"), std::string::npos);
  EXPECT_NE(svg.find("segment 11 · 40.0%"), std::string::npos);  // leaf 1 (node 2) is stable id 11
  EXPECT_TRUE(utf8_valid(svg));                                  // the long name is cut between characters
  EXPECT_NE(svg.find("…"), std::string::npos);
  // Circles are sized by users: the root's radius is the largest.
  const size_t first = svg.find("r=\"", svg.find("<circle"));
  EXPECT_EQ(svg.substr(first, 9), "r=\"27.0\" ");  // 5 + 22·√1

  ReportInput flat{"kseg fit", &profiles, nullptr};
  EXPECT_EQ(report_html(flat).find("Segment tree"), std::string::npos);
  ReportInput with_tree{"kseg fit", &profiles, nullptr, {}, svg};
  EXPECT_NE(report_html(with_tree).find("<h2>Segment tree</h2>"), std::string::npos);
}

}  // namespace
}  // namespace kseg
