// SPDX-License-Identifier: GPL-3.0-or-later
// SparseData: block-map file contents with holes.
#include "glusterfs/xlators/storage/memory/sparse_data.h"

#include <algorithm>
#include <cstring>

namespace gf {

void SparseData::read(uint64_t off, uint64_t len, char* out) const {
  std::memset(out, 0, len);
  if (len == 0) return;
  uint64_t end = off + len;
  for (auto it = blocks_.lower_bound(off / kBlockSize); it != blocks_.end(); ++it) {
    uint64_t bstart = it->first * kBlockSize;
    if (bstart >= end) break;
    uint64_t from = std::max(off, bstart);
    uint64_t to = std::min(end, bstart + it->second.size());
    if (to > from) std::memcpy(out + (from - off), it->second.data() + (from - bstart), to - from);
  }
}

uint64_t SparseData::newBlocks(uint64_t off, uint64_t len) const {
  if (len == 0) return 0;
  uint64_t first = off / kBlockSize, last = (off + len - 1) / kBlockSize;
  uint64_t present = 0;
  for (auto it = blocks_.lower_bound(first); it != blocks_.end() && it->first <= last; ++it)
    ++present;
  return last - first + 1 - present;
}

uint64_t SparseData::fitWithin(uint64_t off, uint64_t len, uint64_t budget) const {
  if (newBlocks(off, len) <= budget) return len;
  uint64_t first = off / kBlockSize, last = (off + len - 1) / kBlockSize;
  auto it = blocks_.lower_bound(first);
  for (uint64_t idx = first; idx <= last; ++idx) {
    bool present = it != blocks_.end() && it->first == idx;
    if (present) {
      ++it;
      continue;
    }
    if (budget == 0) {
      uint64_t stop = idx * kBlockSize;
      return stop > off ? stop - off : 0;
    }
    --budget;
  }
  return len;
}

void SparseData::write(uint64_t off, const Payload& data) {
  uint64_t pos = off;
  for (const auto& slice : data.slices()) {
    const char* src = slice.data;
    uint64_t left = slice.size;
    while (left > 0) {
      uint64_t idx = pos / kBlockSize, inBlock = pos % kBlockSize;
      uint64_t n = std::min(left, kBlockSize - inBlock);
      std::string& b = blocks_[idx];
      if (b.size() < inBlock + n) b.resize(inBlock + n, '\0');
      std::memcpy(b.data() + inBlock, src, n);
      pos += n;
      src += n;
      left -= n;
    }
  }
  size_ = std::max(size_, pos);
}

void SparseData::truncate(uint64_t newSize) {
  if (newSize < size_) {
    uint64_t keepBlocks = (newSize + kBlockSize - 1) / kBlockSize;
    blocks_.erase(blocks_.lower_bound(keepBlocks), blocks_.end());
    uint64_t rem = newSize % kBlockSize;
    if (rem != 0) {
      auto it = blocks_.find(newSize / kBlockSize);
      if (it != blocks_.end() && it->second.size() > rem) it->second.resize(rem);
    }
  }
  size_ = newSize;
}

void SparseData::allocate(uint64_t off, uint64_t len, bool keepSize) {
  if (len == 0) return;
  uint64_t first = off / kBlockSize, last = (off + len - 1) / kBlockSize;
  for (uint64_t idx = first; idx <= last; ++idx) blocks_.try_emplace(idx);
  if (!keepSize) size_ = std::max(size_, off + len);
}

void SparseData::zeroBytes(uint64_t off, uint64_t len) {
  auto it = blocks_.find(off / kBlockSize);
  if (it == blocks_.end()) return;  // a hole already reads as zeros
  std::string& b = it->second;
  uint64_t from = off % kBlockSize, to = from + len;
  if (from >= b.size()) return;
  if (to >= b.size())
    b.resize(from);
  else
    std::memset(b.data() + from, 0, len);
}

void SparseData::punchHole(uint64_t off, uint64_t len) {
  uint64_t end = off + len;
  for (uint64_t pos = off; pos < end;) {
    uint64_t idx = pos / kBlockSize, bstart = idx * kBlockSize;
    uint64_t stop = std::min(end, bstart + kBlockSize);
    if (pos == bstart && stop == bstart + kBlockSize) {
      // Whole blocks: drop every stored block up to the last whole one in one sweep.
      uint64_t lastWhole = end / kBlockSize;  // exclusive
      blocks_.erase(blocks_.lower_bound(idx), blocks_.lower_bound(lastWhole));
      pos = lastWhole * kBlockSize;
      continue;
    }
    zeroBytes(pos, stop - pos);
    pos = stop;
  }
}

void SparseData::zeroRange(uint64_t off, uint64_t len, bool keepSize) {
  punchHole(off, len);
  allocate(off, len, keepSize);
}

Status SparseData::collapseRange(uint64_t off, uint64_t len) {
  if (off % kBlockSize || len % kBlockSize || len == 0) return fail(EINVAL);
  if (off + len >= size_) return fail(EINVAL);
  uint64_t first = off / kBlockSize, shift = len / kBlockSize;
  blocks_.erase(blocks_.lower_bound(first), blocks_.lower_bound(first + shift));
  std::map<uint64_t, std::string> moved;
  for (auto it = blocks_.lower_bound(first + shift); it != blocks_.end();) {
    moved.emplace_hint(moved.end(), it->first - shift, std::move(it->second));
    it = blocks_.erase(it);
  }
  blocks_.merge(moved);
  size_ -= len;
  return {};
}

Status SparseData::insertRange(uint64_t off, uint64_t len) {
  if (off % kBlockSize || len % kBlockSize || len == 0) return fail(EINVAL);
  if (off >= size_) return fail(EINVAL);
  if (len > kMaxSize - size_) return fail(EFBIG);
  uint64_t first = off / kBlockSize, shift = len / kBlockSize;
  std::map<uint64_t, std::string> moved;
  for (auto it = blocks_.lower_bound(first); it != blocks_.end();) {
    moved.emplace_hint(moved.end(), it->first + shift, std::move(it->second));
    it = blocks_.erase(it);
  }
  blocks_.merge(moved);
  size_ += len;
  return {};
}

Result<uint64_t> SparseData::seekData(uint64_t off) const {
  if (off >= size_) return fail(ENXIO);
  auto it = blocks_.lower_bound(off / kBlockSize);
  if (it == blocks_.end()) return fail(ENXIO);
  uint64_t pos = std::max(off, it->first * kBlockSize);
  if (pos >= size_) return fail(ENXIO);
  return pos;
}

Result<uint64_t> SparseData::seekHole(uint64_t off) const {
  if (off >= size_) return fail(ENXIO);
  uint64_t idx = off / kBlockSize;
  for (auto it = blocks_.lower_bound(idx); it != blocks_.end() && it->first == idx; ++it) ++idx;
  return std::min(std::max(off, idx * kBlockSize), size_);
}

}  // namespace gf
