// SPDX-License-Identifier: GPL-3.0-or-later
// LockTable: granting, queueing, waking and releasing locks.
#include "glusterfs/xlators/features/locks/lock_table.h"

#include <algorithm>
#include <type_traits>

namespace gf::locks {

namespace {

bool fairKind(SpaceKind k) { return k == SpaceKind::kInodelk || k == SpaceKind::kEntrylk; }

void grant(std::vector<RangeLock>& held, const RangeLock& l) { applyRangeLock(held, l); }
void grant(std::vector<EntryLock>& held, const EntryLock& l) { held.push_back(l); }

template <class L>
const L* firstGrantedConflict(const Space<L>& s, const L& l) {
  for (const auto& g : s.granted)
    if (conflicts(g, l)) return &g;
  return nullptr;
}

template <class L>
bool ownerHolds(const Space<L>& s, const LockOwner& o) {
  for (const auto& g : s.granted)
    if (g.owner == o) return true;
  return false;
}

// In a fair space a newcomer also yields to queued requests it conflicts with.
template <class L>
bool blockedByQueue(const Space<L>& s, const L& l) {
  if (ownerHolds(s, l.owner)) return false;
  for (const auto* w : s.waiters)
    if (conflicts(w->lock, l)) return true;
  return false;
}

}  // namespace

template <>
std::map<SpaceKey, Space<RangeLock>>& LockTable::spaces<RangeLock>() {
  return ranges_;
}
template <>
std::map<SpaceKey, Space<EntryLock>>& LockTable::spaces<EntryLock>() {
  return entries_;
}

// Decides inside await_suspend, under the mutex, so that a request is either answered at once
// or queued with its handle before any other thread can try to grant it. After the mutex is
// released nothing here touches the awaiting frame: a woken request may resume it at once.
template <class L>
struct LockTable::Acquire {
  LockTable& table;
  const SpaceKey& key;
  Waiter<L>& waiter;
  bool wait;
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) { return table.acquire(key, waiter, wait, h); }
  void await_resume() const noexcept {}
};

template <class L>
bool LockTable::acquire(const SpaceKey& key, Waiter<L>& w, bool wait, std::coroutine_handle<> h) {
  std::vector<std::coroutine_handle<>> wake;
  bool suspend = false;
  {
    std::lock_guard lock(mutex_);
    auto& s = spaces<L>()[key];
    bool blocked = firstGrantedConflict(s, w.lock) != nullptr ||
                   (fairKind(key.kind) && blockedByQueue(s, w.lock));
    if constexpr (std::is_same_v<L, RangeLock>) {
      // flock conversion: the held lock goes first, as in Linux.
      if (blocked && key.kind == SpaceKind::kFlock && ownerHolds(s, w.lock.owner)) {
        RangeLock drop = w.lock;
        drop.type = F_UNLCK;
        drop.start = 0;
        drop.end = kLockEof;
        applyRangeLock(s.granted, drop);
        wakeLocked(key, s, wake);
        blocked = firstGrantedConflict(s, w.lock) != nullptr;
      }
    }
    if (!blocked) {
      grant(s.granted, w.lock);
      wakeLocked(key, s, wake);  // a downgrade or a shrunk range may free queued requests
    } else if (!wait) {
      w.error = EAGAIN;
    } else if constexpr (std::is_same_v<L, RangeLock>) {
      if (key.kind == SpaceKind::kPosix && wouldDeadlockLocked(key, w.lock)) {
        w.error = EDEADLK;
      } else {
        w.handle = h;
        s.waiters.push_back(&w);
        suspend = true;
      }
    } else {
      w.handle = h;
      s.waiters.push_back(&w);
      suspend = true;
    }
    if (!suspend) eraseIfEmptyLocked<L>(key);
  }
  for (auto x : wake) x.resume();
  return suspend;
}

template <class L>
void LockTable::wakeLocked(const SpaceKey& key, Space<L>& s,
                           std::vector<std::coroutine_handle<>>& wake) {
  bool fair = fairKind(key.kind);
  std::vector<const L*> stillWaiting;
  for (auto it = s.waiters.begin(); it != s.waiters.end();) {
    Waiter<L>* w = *it;
    bool blocked = firstGrantedConflict(s, w->lock) != nullptr;
    if (!blocked && fair)
      for (const L* earlier : stillWaiting)
        if (conflicts(*earlier, w->lock)) {
          blocked = true;
          break;
        }
    if (blocked) {
      if (fair) stillWaiting.push_back(&w->lock);
      ++it;
      continue;
    }
    grant(s.granted, w->lock);
    w->error = 0;
    wake.push_back(w->handle);
    it = s.waiters.erase(it);
  }
}

template <class L>
void LockTable::eraseIfEmptyLocked(const SpaceKey& key) {
  auto& m = spaces<L>();
  auto it = m.find(key);
  if (it != m.end() && it->second.empty()) m.erase(it);
}

// Follows "waits for" edges from the owners holding what `req` needs; reaching req's own owner
// means the wait would never end. Bounded like Linux's walk.
bool LockTable::wouldDeadlockLocked(const SpaceKey& key, const RangeLock& req) {
  std::vector<LockOwner> owners;
  for (const auto& g : ranges_[key].granted)
    if (conflicts(g, req)) owners.push_back(g.owner);
  std::vector<LockOwner> seen;
  for (int depth = 0; depth < 16 && !owners.empty(); ++depth) {
    std::vector<LockOwner> next;
    for (const auto& o : owners) {
      if (o == req.owner) return true;
      if (std::find(seen.begin(), seen.end(), o) != seen.end()) continue;
      seen.push_back(o);
      for (const auto& [k, s] : ranges_) {
        if (k.kind != SpaceKind::kPosix) continue;
        for (const auto* w : s.waiters) {
          if (!(w->lock.owner == o)) continue;
          for (const auto& g : s.granted)
            if (conflicts(g, w->lock)) next.push_back(g.owner);
        }
      }
    }
    owners = std::move(next);
  }
  return false;
}

Task<Status> LockTable::lockRange(SpaceKey key, RangeLock lock, bool wait) {
  Waiter<RangeLock> w{std::move(lock), {}, 0};
  co_await Acquire<RangeLock>{*this, key, w, wait};
  if (w.error) co_return fail(w.error);
  co_return Status{};
}

Task<Status> LockTable::lockEntry(SpaceKey key, EntryLock lock, bool wait) {
  Waiter<EntryLock> w{std::move(lock), {}, 0};
  co_await Acquire<EntryLock>{*this, key, w, wait};
  if (w.error) co_return fail(w.error);
  co_return Status{};
}

void LockTable::unlockRange(const SpaceKey& key, const RangeLock& lock) {
  std::vector<std::coroutine_handle<>> wake;
  {
    std::lock_guard guard(mutex_);
    auto it = ranges_.find(key);
    if (it == ranges_.end()) return;
    RangeLock unlock = lock;
    unlock.type = F_UNLCK;
    applyRangeLock(it->second.granted, unlock);
    wakeLocked(key, it->second, wake);
    if (it->second.empty()) ranges_.erase(it);
  }
  for (auto h : wake) h.resume();
}

std::optional<RangeLock> LockTable::testRange(const SpaceKey& key, const RangeLock& lock) {
  std::lock_guard guard(mutex_);
  auto it = ranges_.find(key);
  if (it == ranges_.end()) return std::nullopt;
  if (const RangeLock* c = firstGrantedConflict(it->second, lock)) return *c;
  return std::nullopt;
}

Status LockTable::unlockEntry(const SpaceKey& key, const EntryLock& lock) {
  std::vector<std::coroutine_handle<>> wake;
  {
    std::lock_guard guard(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return fail(EINVAL);
    auto& held = it->second.granted;
    auto mine = std::find_if(held.begin(), held.end(), [&](const EntryLock& l) {
      return l.owner == lock.owner && l.basename == lock.basename;
    });
    if (mine == held.end()) return fail(EINVAL);
    held.erase(mine);
    wakeLocked(key, it->second, wake);
    if (it->second.empty()) entries_.erase(it);
  }
  for (auto h : wake) h.resume();
  return {};
}

bool LockTable::entryConflicts(const SpaceKey& key, const EntryLock& lock) {
  std::lock_guard guard(mutex_);
  auto it = entries_.find(key);
  return it != entries_.end() && firstGrantedConflict(it->second, lock) != nullptr;
}

void LockTable::releaseOwner(const SpaceKey& key, const LockOwner& owner) {
  std::vector<std::coroutine_handle<>> wake;
  {
    std::lock_guard guard(mutex_);
    auto release = [&](auto& m) {
      auto it = m.find(key);
      if (it == m.end()) return;
      std::erase_if(it->second.granted, [&](const auto& l) { return l.owner == owner; });
      wakeLocked(key, it->second, wake);
      if (it->second.empty()) m.erase(it);
    };
    release(ranges_);
    release(entries_);
  }
  for (auto h : wake) h.resume();
}

void LockTable::releaseClient(uint64_t client) {
  std::vector<std::coroutine_handle<>> wake;
  {
    std::lock_guard guard(mutex_);
    auto sweep = [&](auto& m) {
      for (auto it = m.begin(); it != m.end();) {
        auto& s = it->second;
        std::erase_if(s.granted, [&](const auto& l) { return l.owner.client == client; });
        for (auto w = s.waiters.begin(); w != s.waiters.end();) {
          if ((*w)->lock.owner.client != client) {
            ++w;
            continue;
          }
          (*w)->error = ENOTCONN;
          wake.push_back((*w)->handle);
          w = s.waiters.erase(w);
        }
        wakeLocked(it->first, s, wake);
        if (s.empty())
          it = m.erase(it);
        else
          ++it;
      }
    };
    sweep(ranges_);
    sweep(entries_);
  }
  for (auto h : wake) h.resume();
}

std::vector<RangeLock> LockTable::grantedRanges(const SpaceKey& key) {
  std::lock_guard guard(mutex_);
  auto it = ranges_.find(key);
  if (it == ranges_.end()) return {};
  auto out = it->second.granted;
  std::sort(out.begin(), out.end(), [](const RangeLock& a, const RangeLock& b) {
    return a.start != b.start ? a.start < b.start : a.owner.id < b.owner.id;
  });
  return out;
}

std::vector<EntryLock> LockTable::grantedEntries(const SpaceKey& key) {
  std::lock_guard guard(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? std::vector<EntryLock>{} : it->second.granted;
}

size_t LockTable::waiting(const SpaceKey& key) {
  std::lock_guard guard(mutex_);
  size_t n = 0;
  if (auto it = ranges_.find(key); it != ranges_.end()) n += it->second.waiters.size();
  if (auto it = entries_.find(key); it != entries_.end()) n += it->second.waiters.size();
  return n;
}

size_t LockTable::spaceCount() {
  std::lock_guard guard(mutex_);
  return ranges_.size() + entries_.size();
}

}  // namespace gf::locks
