// SPDX-License-Identifier: GPL-3.0-or-later
// Directory layouts: which child owns which slice of the 32-bit hash space in a directory.
// Each child's copy of a directory carries its own slice in `trusted.glusterfs.dht`: 16 bytes,
// big-endian cnt (1), type (0), start, stop (inclusive).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gf::dht {

inline constexpr const char* kLayoutKey = "trusted.glusterfs.dht";
inline constexpr const char* kLinktoKey = "trusted.glusterfs.dht.linkto";

struct Range {
  uint32_t start = 0;
  uint32_t stop = 0;  // inclusive
};

std::string encodeRange(const Range& r);
std::optional<Range> decodeRange(std::string_view raw);

class Layout {
 public:
  explicit Layout(size_t children = 0) : ranges_(children) {}
  // Same slices for every directory: child i of n owns the i-th n-th of the hash space.
  static Layout uniform(size_t children);
  // The uniform slices, handed out so that each child keeps as much of its `current` slice as
  // it can (a rebalance then moves only the files whose hash changed hands: a third child
  // added to two moves a third of the files, not half). A layout that already is such a
  // handout comes back unchanged, so an interrupted rebalance resumes with the same one.
  static Layout keepingMostOf(const Layout& current);
  void set(size_t child, std::optional<Range> r) { ranges_.at(child) = r; }
  const std::optional<Range>& get(size_t child) const { return ranges_.at(child); }
  size_t size() const { return ranges_.size(); }
  // The child whose slice holds `hash`, or -1 (a hole).
  int childFor(uint32_t hash) const;
  // Every hash owned by exactly one child.
  bool complete() const;
  bool operator==(const Layout& o) const;

 private:
  std::vector<std::optional<Range>> ranges_;
};

}  // namespace gf::dht
