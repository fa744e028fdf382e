// SPDX-License-Identifier: GPL-3.0-or-later
// LockTable: every lock one translator grants, keyed by file (gfid), kind and domain, with
// queues of waiting requests.
//
// Contract:
// - A blocking request suspends its coroutine in a FIFO queue; no thread ever blocks. Whoever
//   releases a lock (unlock, flush, fd release, client disconnect) grants the queued requests
//   that no longer conflict, in arrival order, and resumes them on its own thread after the
//   table's mutex is released.
// - fcntl (kPosix) follows Linux: a new request is checked against granted locks only, and a
//   wait that would close a cycle of waiting owners fails with EDEADLK.
// - flock (kFlock) follows Linux too: converting a held lock first drops it, so a conversion
//   that cannot be granted leaves the file unlocked by that owner.
// - inodelk and entrylk (kInodelk, kEntrylk) are fair: a new request also queues behind
//   earlier conflicting waiters, unless its owner already holds a lock in that domain (so an
//   owner never waits behind a request that waits for the owner).
// Thread-safe: one mutex per table.
#pragma once

#include <compare>
#include <coroutine>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "glusterfs/core/gfid.h"
#include "glusterfs/core/task.h"
#include "glusterfs/xlators/features/locks/lock_types.h"

namespace gf::locks {

enum class SpaceKind : uint8_t { kPosix, kFlock, kInodelk, kEntrylk };

// One independent set of locks: a file's fcntl locks, its flock locks, or one domain of its
// inodelk or entrylk locks.
struct SpaceKey {
  Gfid gfid;
  SpaceKind kind = SpaceKind::kPosix;
  std::string domain;
  friend auto operator<=>(const SpaceKey&, const SpaceKey&) = default;
  friend bool operator==(const SpaceKey&, const SpaceKey&) = default;
};

template <class L>
struct Waiter {
  L lock;
  std::coroutine_handle<> handle;
  int error = 0;
};

template <class L>
struct Space {
  std::vector<L> granted;
  std::list<Waiter<L>*> waiters;
  bool empty() const { return granted.empty() && waiters.empty(); }
};

class LockTable {
 public:
  LockTable() = default;
  LockTable(const LockTable&) = delete;
  LockTable& operator=(const LockTable&) = delete;

  // Takes `lock` (F_RDLCK or F_WRLCK) in a range space. Without `wait`, a conflict is EAGAIN.
  Task<Status> lockRange(SpaceKey key, RangeLock lock, bool wait);
  // Removes `lock`'s range from its owner's locks (fcntl F_UNLCK; never fails).
  void unlockRange(const SpaceKey& key, const RangeLock& lock);
  // The first granted lock of another owner that conflicts with `lock`, if any.
  std::optional<RangeLock> testRange(const SpaceKey& key, const RangeLock& lock);

  Task<Status> lockEntry(SpaceKey key, EntryLock lock, bool wait);
  // Releases one lock of `lock.owner` on `lock.basename`; EINVAL if it holds none.
  Status unlockEntry(const SpaceKey& key, const EntryLock& lock);
  bool entryConflicts(const SpaceKey& key, const EntryLock& lock);

  // Drops every lock `owner` holds in `key`'s space (close of an fcntl owner, flock fd release).
  void releaseOwner(const SpaceKey& key, const LockOwner& owner);
  // Drops every lock and every queued request of `client`; the requests fail with ENOTCONN.
  void releaseClient(uint64_t client);

  // Inspection, for tests and state dumps.
  std::vector<RangeLock> grantedRanges(const SpaceKey& key);
  std::vector<EntryLock> grantedEntries(const SpaceKey& key);
  size_t waiting(const SpaceKey& key);
  size_t spaceCount();

 private:
  template <class L>
  struct Acquire;
  template <class L>
  bool acquire(const SpaceKey& key, Waiter<L>& w, bool wait, std::coroutine_handle<> h);
  template <class L>
  std::map<SpaceKey, Space<L>>& spaces();
  template <class L>
  void wakeLocked(const SpaceKey& key, Space<L>& s, std::vector<std::coroutine_handle<>>& wake);
  template <class L>
  void eraseIfEmptyLocked(const SpaceKey& key);
  bool wouldDeadlockLocked(const SpaceKey& key, const RangeLock& req);

  std::mutex mutex_;
  std::map<SpaceKey, Space<RangeLock>> ranges_;
  std::map<SpaceKey, Space<EntryLock>> entries_;
};

}  // namespace gf::locks
