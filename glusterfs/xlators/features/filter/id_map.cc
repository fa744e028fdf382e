// SPDX-License-Identifier: GPL-3.0-or-later
// Parsing and lookup of filter's id lists.
#include "glusterfs/xlators/features/filter/id_map.h"

#include <charconv>
#include <string>

#include "glusterfs/core/options.h"

namespace gf::filter {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

uint32_t parseId(std::string_view t) {
  t = trim(t);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || v > UINT32_MAX)
    throw OptionValueError("'" + std::string(t) + "' is not a user or group id");
  return static_cast<uint32_t>(v);
}

IdRange parseRange(std::string_view t) {
  size_t dash = t.find('-');
  if (dash == std::string_view::npos) {
    uint32_t id = parseId(t);
    return {id, id};
  }
  IdRange r{parseId(t.substr(0, dash)), parseId(t.substr(dash + 1))};
  if (r.lo > r.hi) throw OptionValueError("'" + std::string(trim(t)) + "' is an empty range");
  return r;
}

template <class Fn>
void forEachItem(std::string_view text, Fn&& fn) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = trim(text.substr(pos, comma - pos));
    if (item.empty()) throw OptionValueError("empty item in '" + std::string(text) + "'");
    fn(item);
    pos = comma + 1;
  }
}

}  // namespace

IdRanges IdRanges::parse(std::string_view text) {
  IdRanges out;
  forEachItem(text, [&](std::string_view item) { out.ranges_.push_back(parseRange(item)); });
  return out;
}

bool IdRanges::contains(uint32_t id) const {
  for (const auto& r : ranges_)
    if (r.contains(id)) return true;
  return false;
}

IdMap IdMap::parse(std::string_view text) {
  IdMap out;
  forEachItem(text, [&](std::string_view item) {
    size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      throw OptionValueError("'" + std::string(item) + "' is not of the form FROM=TO");
    out.add(parseRange(item.substr(0, eq)), parseId(item.substr(eq + 1)));
  });
  return out;
}

std::optional<uint32_t> IdMap::map(uint32_t id) const {
  for (const auto& e : entries_)
    if (e.from.contains(id)) return e.to;
  return std::nullopt;
}

std::optional<uint32_t> IdMap::unmap(uint32_t id) const {
  for (const auto& e : entries_)
    if (e.to == id && e.from.lo == e.from.hi) return e.from.lo;
  return std::nullopt;
}

}  // namespace gf::filter
