// SPDX-License-Identifier: GPL-3.0-or-later
// Range arithmetic of fcntl locks: request conversion, merging and splitting.
#include "glusterfs/xlators/features/locks/lock_types.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

namespace gf::locks {

Result<RangeLock> rangeFromFlock(const Flock& f, uint64_t fileSize) {
  int64_t base;
  switch (f.whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_END:
      if (fileSize > static_cast<uint64_t>(kLockEof)) return fail(EOVERFLOW);
      base = static_cast<int64_t>(fileSize);
      break;
    default:
      return fail(EINVAL);  // SEEK_CUR: no file position exists below the kernel
  }
  int64_t start;
  if (__builtin_add_overflow(base, f.start, &start)) return fail(EOVERFLOW);
  RangeLock out;
  out.type = f.type;
  out.pid = f.pid;
  if (f.len > 0) {
    out.start = start;
    if (__builtin_add_overflow(start, f.len - 1, &out.end)) return fail(EOVERFLOW);
  } else if (f.len == 0) {
    out.start = start;
    out.end = kLockEof;
  } else {
    out.end = start - 1;
    if (__builtin_add_overflow(start, f.len, &out.start)) return fail(EINVAL);
  }
  if (out.start < 0) return fail(EINVAL);
  return out;
}

Flock flockFromRange(const RangeLock& l) {
  Flock f;
  f.type = l.type;
  f.whence = SEEK_SET;
  f.start = l.start;
  f.len = l.end == kLockEof ? 0 : l.end - l.start + 1;
  f.pid = l.pid;
  f.owner = l.owner.id;
  return f;
}

namespace {
// True when a and b overlap or are adjacent (so same-type locks of one owner coalesce).
bool touches(const RangeLock& a, int64_t start, int64_t end) {
  bool aEndsBefore = a.end != kLockEof && a.end + 1 < start;
  bool aStartsAfter = end != kLockEof && end + 1 < a.start;
  return !aEndsBefore && !aStartsAfter;
}
}  // namespace

void applyRangeLock(std::vector<RangeLock>& held, const RangeLock& req) {
  int64_t start = req.start, end = req.end;
  bool unlock = req.type == F_UNLCK;
  // Pass 1: grow the range over the owner's same-type locks it touches. The owner's locks
  // never overlap each other, so only the original range can overlap other-type locks.
  if (!unlock)
    for (const auto& l : held)
      if (l.owner == req.owner && l.type == req.type && touches(l, req.start, req.end)) {
        start = std::min(start, l.start);
        end = std::max(end, l.end);
      }
  // Pass 2: drop what the new range absorbs and cut the owner's other locks around it.
  std::vector<RangeLock> out;
  out.reserve(held.size() + 2);
  for (const auto& l : held) {
    if (!(l.owner == req.owner) || l.end < start || l.start > end) {
      out.push_back(l);
      continue;
    }
    if (!unlock && l.type == req.type) continue;  // merged into [start, end]
    if (l.start < start) {
      RangeLock left = l;
      left.end = start - 1;
      out.push_back(left);
    }
    if (l.end > end) {
      RangeLock right = l;
      right.start = end + 1;
      out.push_back(right);
    }
  }
  if (!unlock) {
    RangeLock merged = req;
    merged.start = start;
    merged.end = end;
    out.push_back(merged);
  }
  held = std::move(out);
}

}  // namespace gf::locks
