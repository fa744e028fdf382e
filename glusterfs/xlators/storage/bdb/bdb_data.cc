// SPDX-License-Identifier: GPL-3.0-or-later
// BdbData: file contents as database blocks.
#include "glusterfs/xlators/storage/bdb/bdb_data.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace gf {

namespace {
constexpr uint64_t B = kBdbBlockSize;

// A status that stops forEachBlock early without being an error to the caller.
std::error_code stopWalk() { return errc(ECANCELED); }
bool stopped(const Status& s) { return !s && s.error() == stopWalk(); }

bool allZero(std::string_view s) { return s.find_first_not_of('\0') == std::string_view::npos; }

struct Present {
  uint64_t index;
  size_t size;
};
}  // namespace

Result<std::string> BdbData::load(uint64_t index) {
  auto b = store_.block(txn_, rec_.attr.gfid, index);
  if (!b && b.errnum() == ENOENT) return std::string();
  return b;
}

Status BdbData::store(uint64_t index, size_t oldSize, const std::string& bytes) {
  if (bytes.empty()) return drop(index, oldSize);
  GF_CHECK(store_.putBlock(txn_, rec_.attr.gfid, index, bytes));
  rec_.allocated = rec_.allocated - std::min<uint64_t>(rec_.allocated, oldSize) + bytes.size();
  return {};
}

Status BdbData::drop(uint64_t index, size_t oldSize) {
  if (oldSize == 0) return {};
  GF_CHECK(store_.delBlock(txn_, rec_.attr.gfid, index));
  rec_.allocated -= std::min<uint64_t>(rec_.allocated, oldSize);
  return {};
}

Result<std::string> BdbData::read(uint64_t offset, uint64_t len) {
  uint64_t size = rec_.attr.size;
  if (offset >= size || len == 0) return std::string();
  len = std::min(len, size - offset);
  std::string out(len, '\0');
  uint64_t end = offset + len;
  GF_CHECK(store_.forEachBlock(txn_, rec_.attr.gfid, offset / B, (end - 1) / B,
                               [&](uint64_t index, std::string_view bytes) -> Status {
                                 uint64_t start = index * B;
                                 uint64_t from = std::max(offset, start);
                                 uint64_t to = std::min(end, start + bytes.size());
                                 if (from < to)
                                   std::memcpy(out.data() + (from - offset),
                                               bytes.data() + (from - start), to - from);
                                 return {};
                               }));
  return out;
}

Status BdbData::write(uint64_t offset, const Payload& data) {
  if (data.empty()) return {};
  uint64_t end = offset + data.size();
  if (end < offset || end > kBdbMaxFileSize) return fail(EFBIG);
  rec_.attr.size = std::max(rec_.attr.size, end);
  for (uint64_t index = offset / B; index <= (end - 1) / B; ++index) {
    uint64_t start = index * B;
    uint64_t from = std::max(offset, start) - start, to = std::min(end, start + B) - start;
    GF_TRY(std::string bytes, load(index));
    size_t old = bytes.size();
    if (bytes.size() < to) bytes.resize(to, '\0');
    data.sub(start + from - offset, to - from).copyTo(bytes.data() + from);
    GF_CHECK(store(index, old, bytes));
  }
  return {};
}

Status BdbData::truncate(uint64_t size) {
  if (size > kBdbMaxFileSize) return fail(EFBIG);
  if (size < rec_.attr.size) {
    // Everything from the new end goes, blocks allocated past the old end too, so that a
    // later extension reads zeros.
    std::vector<Present> present;
    std::string partial;
    GF_CHECK(store_.forEachBlock(txn_, rec_.attr.gfid, size / B, UINT64_MAX,
                                 [&](uint64_t index, std::string_view bytes) -> Status {
                                   present.push_back({index, bytes.size()});
                                   if (index * B < size) partial.assign(bytes);
                                   return {};
                                 }));
    for (const Present& p : present) {
      uint64_t start = p.index * B;
      if (start >= size) {
        GF_CHECK(drop(p.index, p.size));
      } else if (partial.size() > size - start) {
        partial.resize(size - start);
        GF_CHECK(store(p.index, p.size, partial));
      }
    }
  }
  rec_.attr.size = size;
  return {};
}

Status BdbData::zero(uint64_t offset, uint64_t len, bool punch) {
  if (len == 0) return {};
  uint64_t end = offset + len;
  std::vector<Present> present;
  GF_CHECK(store_.forEachBlock(txn_, rec_.attr.gfid, offset / B, (end - 1) / B,
                               [&](uint64_t index, std::string_view bytes) -> Status {
                                 present.push_back({index, bytes.size()});
                                 return {};
                               }));
  for (const Present& p : present) {
    uint64_t start = p.index * B;
    if (offset <= start && start + B <= end) {
      GF_CHECK(punch ? drop(p.index, p.size) : store(p.index, p.size, std::string(p.size, '\0')));
      continue;
    }
    GF_TRY(std::string bytes, load(p.index));
    uint64_t a = std::max(offset, start) - start, b = std::min<uint64_t>(end - start, bytes.size());
    if (a < b) std::memset(bytes.data() + a, 0, b - a);
    GF_CHECK(punch && allZero(bytes) ? drop(p.index, p.size) : store(p.index, p.size, bytes));
  }
  return {};
}

Status BdbData::allocate(uint64_t offset, uint64_t len) {
  if (len == 0) return {};
  uint64_t end = offset + len, first = offset / B, last = (end - 1) / B;
  std::vector<Present> present;
  GF_CHECK(store_.forEachBlock(txn_, rec_.attr.gfid, first, last,
                               [&](uint64_t index, std::string_view bytes) -> Status {
                                 present.push_back({index, bytes.size()});
                                 return {};
                               }));
  auto next = present.begin();
  const std::string zeros(B, '\0');
  for (uint64_t index = first; index <= last; ++index) {
    if (next != present.end() && next->index == index) {
      Present p = *next++;
      if (p.size >= B) continue;
      // Stored bytes past the end are zeros (see the header), so padding keeps contents.
      GF_TRY(std::string bytes, load(index));
      bytes.resize(B, '\0');
      GF_CHECK(store(index, p.size, bytes));
    } else {
      GF_CHECK(store(index, 0, zeros));
    }
  }
  return {};
}

Result<uint64_t> BdbData::seek(uint64_t offset, bool data) {
  uint64_t size = rec_.attr.size;
  if (offset >= size) return fail(ENXIO);
  uint64_t found = size;  // the end of the file counts as a hole
  uint64_t expected = offset / B;
  Status st = store_.forEachBlock(txn_, rec_.attr.gfid, offset / B, (size - 1) / B,
                                  [&](uint64_t index, std::string_view) -> Status {
                                    if (data) {
                                      found = std::max(offset, index * B);
                                      return fail(stopWalk());
                                    }
                                    if (index != expected) {
                                      found = std::max(offset, expected * B);
                                      return fail(stopWalk());
                                    }
                                    ++expected;
                                    return {};
                                  });
  if (!st && !stopped(st)) return fail(st.error());
  if (data && found >= size) return fail(ENXIO);
  if (!data && !stopped(st)) found = std::max(offset, std::min(size, expected * B));
  return std::min(found, size);
}

Status BdbData::erase() {
  std::vector<uint64_t> present;
  GF_CHECK(store_.forEachBlock(txn_, rec_.attr.gfid, 0, UINT64_MAX,
                               [&](uint64_t index, std::string_view) -> Status {
                                 present.push_back(index);
                                 return {};
                               }));
  for (uint64_t index : present) GF_CHECK(store_.delBlock(txn_, rec_.attr.gfid, index));
  rec_.allocated = 0;
  return {};
}

}  // namespace gf
