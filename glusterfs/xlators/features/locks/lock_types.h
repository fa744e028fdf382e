// SPDX-License-Identifier: GPL-3.0-or-later
// Plain lock records and the range arithmetic of fcntl locks (conflicts, merging, splitting).
//
// A range lock covers [start, end] inclusive; end == kLockEof means "to end of file, however
// large it grows". Locks belong to a LockOwner: (client connection, owner id); for fcntl and
// inodelk the id is the caller's lkOwner, for flock it is a token of the open file.
#pragma once

#include <fcntl.h>

#include <cstdint>
#include <string>
#include <vector>

#include "glusterfs/core/result.h"
#include "glusterfs/core/types.h"

namespace gf::locks {

inline constexpr int64_t kLockEof = INT64_MAX;

struct LockOwner {
  uint64_t client = 0;
  uint64_t id = 0;
  friend bool operator==(const LockOwner&, const LockOwner&) = default;
};

struct RangeLock {
  LockOwner owner;
  int32_t type = 0;  // F_RDLCK, F_WRLCK (F_UNLCK only in requests)
  int64_t start = 0;
  int64_t end = kLockEof;
  int32_t pid = 0;
};

struct EntryLock {
  LockOwner owner;
  std::string basename;  // empty: the whole directory
  EntrylkType type = EntrylkType::kWrite;
};

inline bool overlaps(const RangeLock& a, const RangeLock& b) {
  return a.start <= b.end && b.start <= a.end;
}

// Locks of different owners conflict where they overlap and either is a write lock.
inline bool conflicts(const RangeLock& a, const RangeLock& b) {
  return !(a.owner == b.owner) && overlaps(a, b) && (a.type == F_WRLCK || b.type == F_WRLCK);
}

// Names conflict when equal or when either lock covers the whole directory.
inline bool conflicts(const EntryLock& a, const EntryLock& b) {
  if (a.owner == b.owner) return false;
  bool sameName = a.basename.empty() || b.basename.empty() || a.basename == b.basename;
  return sameName && (a.type == EntrylkType::kWrite || b.type == EntrylkType::kWrite);
}

// Converts a request's (whence, start, len) to an absolute inclusive range, as fcntl does:
// len 0 runs to end of file, a negative len covers the bytes before start. `fileSize` is used
// for SEEK_END. Fails with EINVAL (bad whence, negative start) or EOVERFLOW.
Result<RangeLock> rangeFromFlock(const Flock& f, uint64_t fileSize);
// The fcntl view of a held lock (for F_GETLK replies).
Flock flockFromRange(const RangeLock& l);

// Applies `req` (F_RDLCK, F_WRLCK or F_UNLCK) for req.owner to `held` with fcntl semantics:
// the owner's locks of the same type that overlap or touch the range merge with it, locks of
// another type are cut back around it, and F_UNLCK cuts the range out. Other owners' locks are
// left alone; the caller checked conflicts first.
void applyRangeLock(std::vector<RangeLock>& held, const RangeLock& req);

}  // namespace gf::locks
