// SPDX-License-Identifier: GPL-3.0-or-later
// Layout encoding, lookup and validation.
#include "glusterfs/xlators/cluster/distribute/dht_layout.h"

#include <algorithm>

namespace gf::dht {
namespace {
void putBe32(std::string& out, uint32_t v) {
  for (int b = 3; b >= 0; --b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xff));
}
uint32_t getBe32(std::string_view s, size_t off) {
  uint32_t v = 0;
  for (size_t b = 0; b < 4; ++b) v = (v << 8) | static_cast<unsigned char>(s[off + b]);
  return v;
}
}  // namespace

std::string encodeRange(const Range& r) {
  std::string out;
  putBe32(out, 1);
  putBe32(out, 0);
  putBe32(out, r.start);
  putBe32(out, r.stop);
  return out;
}

std::optional<Range> decodeRange(std::string_view raw) {
  if (raw.size() != 16 || getBe32(raw, 0) != 1) return std::nullopt;
  Range r{getBe32(raw, 8), getBe32(raw, 12)};
  if (r.stop < r.start) return std::nullopt;
  return r;
}

Layout Layout::uniform(size_t children) {
  Layout l(children);
  if (children == 0) return l;
  uint64_t span = (uint64_t{1} << 32) / children;
  for (size_t i = 0; i < children; ++i) {
    uint64_t start = span * i;
    uint64_t stop = i + 1 == children ? 0xffffffffull : span * (i + 1) - 1;
    l.ranges_[i] = Range{static_cast<uint32_t>(start), static_cast<uint32_t>(stop)};
  }
  return l;
}

namespace {
uint64_t overlap(const Range& a, const Range& b) {
  uint64_t lo = std::max(a.start, b.start), hi = std::min(a.stop, b.stop);
  return hi >= lo ? hi - lo + 1 : 0;
}
}  // namespace

Layout Layout::keepingMostOf(const Layout& current) {
  const size_t n = current.size();
  Layout slices = uniform(n);
  // Greedy: the biggest overlap between a child's slice and a free uniform slice first. Ties
  // go to the lower child and slice, so every client and every run computes the same handout.
  std::vector<int> sliceOf(n, -1);
  std::vector<bool> taken(n, false);
  while (true) {
    uint64_t best = 0;
    size_t bc = 0, bs = 0;
    for (size_t c = 0; c < n; ++c) {
      if (sliceOf[c] >= 0 || !current.get(c)) continue;
      for (size_t s = 0; s < n; ++s) {
        if (taken[s]) continue;
        uint64_t o = overlap(*current.get(c), *slices.get(s));
        if (o > best) best = o, bc = c, bs = s;
      }
    }
    if (best == 0) break;
    sliceOf[bc] = static_cast<int>(bs);
    taken[bs] = true;
  }
  size_t next = 0;
  Layout out(n);
  for (size_t c = 0; c < n; ++c) {
    if (sliceOf[c] < 0) {
      while (taken[next]) ++next;
      sliceOf[c] = static_cast<int>(next);
      taken[next] = true;
    }
    out.set(c, slices.get(static_cast<size_t>(sliceOf[c])));
  }
  return out;
}

int Layout::childFor(uint32_t hash) const {
  for (size_t i = 0; i < ranges_.size(); ++i)
    if (ranges_[i] && ranges_[i]->start <= hash && hash <= ranges_[i]->stop) return static_cast<int>(i);
  return -1;
}

bool Layout::complete() const {
  std::vector<Range> rs;
  for (const auto& r : ranges_)
    if (r) rs.push_back(*r);
  if (rs.empty()) return false;
  std::sort(rs.begin(), rs.end(), [](const Range& a, const Range& b) { return a.start < b.start; });
  if (rs.front().start != 0 || rs.back().stop != 0xffffffffu) return false;
  for (size_t i = 1; i < rs.size(); ++i)
    if (uint64_t{rs[i - 1].stop} + 1 != rs[i].start) return false;  // a hole or an overlap
  return true;
}

bool Layout::operator==(const Layout& o) const {
  if (ranges_.size() != o.ranges_.size()) return false;
  for (size_t i = 0; i < ranges_.size(); ++i) {
    if (ranges_[i].has_value() != o.ranges_[i].has_value()) return false;
    if (ranges_[i] && (ranges_[i]->start != o.ranges_[i]->start || ranges_[i]->stop != o.ranges_[i]->stop))
      return false;
  }
  return true;
}

}  // namespace gf::dht
