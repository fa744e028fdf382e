// SPDX-License-Identifier: GPL-3.0-or-later
// IdMap and IdRanges: the uid/gid lists of features/filter ("1-99=0,100=200" and "5,10-20").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace gf::filter {

struct IdRange {
  uint32_t lo = 0;
  uint32_t hi = 0;
  bool contains(uint32_t id) const { return id >= lo && id <= hi; }
};

// Ranges of ids, "5,10-20". Throws OptionValueError on malformed text.
class IdRanges {
 public:
  static IdRanges parse(std::string_view text);
  bool contains(uint32_t id) const;
  bool empty() const { return ranges_.empty(); }

 private:
  std::vector<IdRange> ranges_;
};

// Translations, "1-99=0,100=200": the first range holding an id gives its new value. A
// mapping from a single id can be undone (200 shows as 100 again); one from a range cannot.
class IdMap {
 public:
  static IdMap parse(std::string_view text);
  void add(IdRange from, uint32_t to) { entries_.push_back({from, to}); }
  std::optional<uint32_t> map(uint32_t id) const;
  std::optional<uint32_t> unmap(uint32_t id) const;
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    IdRange from;
    uint32_t to;
  };
  std::vector<Entry> entries_;
};

}  // namespace gf::filter
