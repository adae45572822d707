// Persona names and one-sentence descriptions generated from a segment's strongest features, and the names file
// users edit to rename segments (segment_names.csv: `segment,name`).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "host/report/profiles.hpp"

namespace kseg {

// Sets persona, name (= persona) and description of every segment. Deterministic: a function of the profiles only.
// Name: up to options.persona_terms of the segment's top features (strongest first) whose |standardised
// difference| is at least options.persona_std_diff, joined by " · ": a numeric column as "High <col>" / "Low <col>"
// (a date column: "Recent <col>" / "Long-ago <col>"), an over-represented level as "<col> <level>" (an
// under-represented level is not used); underscores read as spaces. No such feature: "Typical profile". A name
// that several segments share gets " (segment N)" appended in each of them, and the description starts "Segment N, "
// (" (<unit> N)" and "<Unit> N, " for another unit, e.g. "node" for a tree's parents, whose `segment` holds the node
// id).
void personas_make(Profiles& profiles, const std::string& unit = "segment");

// A number as people read it: 3 significant digits, no exponent below 1e15 (e.g. 0.0123, 4.56, 1230, 45600).
std::string number_short(double v);

// Reads a names file: header `segment,name`, then one `N,text` line per renamed segment (CSV quoting allowed; a
// segment may be left out). DataError at file:line for anything else (duplicates, non-integer segments).
std::vector<std::pair<int32_t, std::string>> names_file_read(const std::string& path);

// Writes every segment's current name (atomically).
void names_file_write(const std::string& path, const Profiles& profiles);

}  // namespace kseg
