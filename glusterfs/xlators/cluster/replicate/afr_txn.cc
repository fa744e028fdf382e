// SPDX-License-Identifier: GPL-3.0-or-later
// Replicate's transaction phases: locking, pre-op and post-op changelog updates, unlocking.
#include "glusterfs/xlators/cluster/replicate/afr_txn.h"

#include <fcntl.h>

#include <atomic>
#include <climits>

#include "glusterfs/core/lock_support.h"
#include "glusterfs/core/log.h"

namespace gf::afr {
namespace {

std::atomic<uint64_t> gTxnOwner{0x51ed000000000000ULL};

// The data lock covers the whole file; metadata locks a byte past the data range, so data
// and metadata transactions on one file do not wait for each other.
Flock lockRange(TxnKind kind, int32_t type) {
  Flock l;
  l.type = type;
  l.whence = SEEK_SET;
  if (kind == TxnKind::kMetadata) {
    l.start = LLONG_MAX - 1;
    l.len = 1;
  } else {
    l.start = 0;
    l.len = LLONG_MAX - 1;
  }
  return l;
}

}  // namespace

bool isTransportError(int err) {
  return err == ENOTCONN || err == ETIMEDOUT || err == EBADF || err == ECONNRESET ||
         err == ESTALE;
}

std::error_code pickError(const std::vector<std::error_code>& errors) {
  for (const auto& e : errors)
    if (!isTransportError(e.value())) return e;
  return errors.empty() ? std::error_code(ENOTCONN, std::generic_category()) : errors.front();
}

Txn::Txn(ReplicateXlator& afr, const CallCtx& ctx, TxnTarget target)
    : afr_(afr), ctx_(ctx), t_(std::move(target)) {
  ctx_.lkOwner = gTxnOwner.fetch_add(1);
  locked_.assign(afr.childCount(), false);
  preopDone_.assign(afr.childCount(), false);
}

bool Txn::changelogEnabled() const {
  const auto& c = afr_.config();
  switch (t_.kind) {
    case TxnKind::kData: return c.dataChangeLog;
    case TxnKind::kMetadata: return c.metadataChangeLog;
    case TxnKind::kEntry: return c.entryChangeLog;
  }
  return true;
}

size_t Txn::lockServerCount() const {
  const auto& c = afr_.config();
  int64_t k = t_.kind == TxnKind::kData       ? c.dataLockServerCount
              : t_.kind == TxnKind::kMetadata ? c.metadataLockServerCount
                                              : c.entryLockServerCount;
  return k <= 0 ? afr_.childCount() : static_cast<size_t>(k);
}

Task<Status> Txn::lockOne(size_t i, bool wait) {
  Xlator& c = afr_.child(i);
  Result<Empty> r = fail(EIO);
  if (t_.kind == TxnKind::kEntry) {
    EntrylkReq req{afr_.lockDomain(), t_.loc, t_.basename,
                   wait ? EntrylkCmd::kLock : EntrylkCmd::kLockNonBlocking, EntrylkType::kWrite};
    r = co_await c.entrylk(ctx_, req);
    if (r && t_.loc2) {
      EntrylkReq req2{afr_.lockDomain(), *t_.loc2, t_.basename2,
                      wait ? EntrylkCmd::kLock : EntrylkCmd::kLockNonBlocking, EntrylkType::kWrite};
      auto r2 = co_await c.entrylk(ctx_, req2);
      if (!r2) {
        EntrylkReq undo{afr_.lockDomain(), t_.loc, t_.basename, EntrylkCmd::kUnlock,
                        EntrylkType::kWrite};
        (void)co_await c.entrylk(ctx_, undo);
        r = r2;
      }
    }
  } else if (t_.fd) {
    FinodelkReq req{afr_.lockDomain(), t_.fd, wait ? LockCmd::kSetWait : LockCmd::kSet,
                    lockRange(t_.kind, F_WRLCK)};
    r = co_await c.finodelk(ctx_, req);
  } else {
    InodelkReq req{afr_.lockDomain(), t_.loc, wait ? LockCmd::kSetWait : LockCmd::kSet,
                   lockRange(t_.kind, F_WRLCK)};
    r = co_await c.inodelk(ctx_, req);
  }
  if (r) co_return Status{};
  co_return fail(r.error());
}

Task<void> Txn::unlockOne(size_t i) {
  Xlator& c = afr_.child(i);
  if (t_.kind == TxnKind::kEntry) {
    EntrylkReq req{afr_.lockDomain(), t_.loc, t_.basename, EntrylkCmd::kUnlock, EntrylkType::kWrite};
    (void)co_await c.entrylk(ctx_, req);
    if (t_.loc2) {
      EntrylkReq req2{afr_.lockDomain(), *t_.loc2, t_.basename2, EntrylkCmd::kUnlock,
                      EntrylkType::kWrite};
      (void)co_await c.entrylk(ctx_, req2);
    }
  } else if (t_.fd) {
    FinodelkReq req{afr_.lockDomain(), t_.fd, LockCmd::kSet, lockRange(t_.kind, F_UNLCK)};
    (void)co_await c.finodelk(ctx_, req);
  } else {
    InodelkReq req{afr_.lockDomain(), t_.loc, LockCmd::kSet, lockRange(t_.kind, F_UNLCK)};
    (void)co_await c.inodelk(ctx_, req);
  }
}

Task<Status> Txn::changelogOne(size_t i, const std::vector<int32_t>& delta) {
  Dict d = changelogDelta(afr_.childNames(), t_.kind, delta);
  Xlator& c = afr_.child(i);
  if (t_.kind != TxnKind::kEntry && t_.fd) {
    FxattropReq req{t_.fd, XattropOp::kAddArray, d};
    auto r = co_await c.fxattrop(ctx_, req);
    co_return r ? Status{} : Status(r.error());
  }
  XattropReq req{t_.loc, XattropOp::kAddArray, d};
  auto r = co_await c.xattrop(ctx_, req);
  if (!r) co_return r.error();
  if (t_.kind == TxnKind::kEntry && t_.loc2) {
    XattropReq req2{*t_.loc2, XattropOp::kAddArray, d};
    auto r2 = co_await c.xattrop(ctx_, req2);
    if (!r2) co_return r2.error();
  }
  co_return Status{};
}

Task<Result<std::vector<bool>>> Txn::begin() {
  const size_t n = afr_.childCount();
  std::vector<bool> up = afr_.upChildren();
  size_t upCount = 0;
  for (bool b : up) upCount += b;
  if (upCount == 0) co_return fail(ENOTCONN);
  if (upCount < afr_.quorumCount()) {
    GF_LOG_WARNING(afr_.name(), "%s change refused: %zu of %zu copies reachable, quorum is %zu",
                   kindName(t_.kind), upCount, n, afr_.quorumCount());
    co_return fail(EROFS);
  }
  // Which children take the lock (2.0's *-lock-server-count: the first K live ones).
  std::vector<bool> lockOn(n, false);
  size_t want = lockServerCount(), chosen = 0;
  for (size_t i = 0; i < n && chosen < want; ++i)
    if (up[i]) lockOn[i] = true, ++chosen;

  std::vector<bool> participating = up;
  // Fast path: everything at once, without waiting.
  std::vector<Task<Status>> tries;
  std::vector<size_t> who;
  for (size_t i = 0; i < n; ++i)
    if (lockOn[i]) {
      tries.push_back(lockOne(i, false));
      who.push_back(i);
    }
  auto got = co_await whenAll(std::move(tries));
  bool contended = false;
  for (size_t k = 0; k < who.size(); ++k) {
    size_t i = who[k];
    if (got[k]) locked_[i] = true;
    else if (got[k].errnum() == EAGAIN) contended = true;
    else if (noLockManager(got[k].errnum())) {
      GF_LOG_WARNING(afr_.name(), "%s has no lock manager (load features/locks on the brick); "
                     "replicating without its locks", afr_.child(i).name().c_str());
    } else {
      participating[i] = false;
    }
  }
  if (contended) {
    // Someone else holds a lock: give ours back and queue in child order.
    for (size_t i = 0; i < n; ++i)
      if (locked_[i]) {
        co_await unlockOne(i);
        locked_[i] = false;
      }
    for (size_t i = 0; i < n; ++i) {
      if (!lockOn[i] || !participating[i]) continue;
      Status s = co_await lockOne(i, true);
      if (s) locked_[i] = true;
      else if (!noLockManager(s.errnum())) participating[i] = false;
    }
  }
  size_t count = 0;
  for (bool b : participating) count += b;
  if (count == 0 || count < afr_.quorumCount()) {
    co_await end(std::vector<bool>(n, false));
    co_return fail(count == 0 ? ENOTCONN : EROFS);
  }
  if (changelogEnabled()) {
    std::vector<int32_t> plusOne(n, 1);
    std::vector<Task<Status>> pre;
    std::vector<size_t> preWho;
    for (size_t i = 0; i < n; ++i)
      if (participating[i]) {
        pre.push_back(changelogOne(i, plusOne));
        preWho.push_back(i);
      }
    auto res = co_await whenAll(std::move(pre));
    for (size_t k = 0; k < preWho.size(); ++k) {
      if (res[k]) preopDone_[preWho[k]] = true;
      else participating[preWho[k]] = false;
    }
    count = 0;
    for (bool b : participating) count += b;
    if (count == 0 || count < afr_.quorumCount()) {
      // No copy will do the fop: no copy is behind, so the pre-ops taken are undone in full.
      co_await end(std::vector<bool>(n, true));
      co_return fail(count == 0 ? ENOTCONN : EROFS);
    }
  }
  co_return participating;
}

Task<void> Txn::end(const std::vector<bool>& succeeded) {
  const size_t n = afr_.childCount();
  if (changelogEnabled()) {
    std::vector<int32_t> delta(n, 0);
    bool any = false;
    for (size_t j = 0; j < n; ++j)
      if (succeeded[j]) delta[j] = -1, any = true;
    if (any) {
      std::vector<Task<Status>> post;
      for (size_t i = 0; i < n; ++i)
        if (preopDone_[i]) post.push_back(changelogOne(i, delta));
      (void)co_await whenAll(std::move(post));
    }
  }
  std::vector<Task<void>> unlocks;
  for (size_t i = 0; i < n; ++i)
    if (locked_[i]) unlocks.push_back(unlockOne(i));
  co_await whenAll(std::move(unlocks));
  locked_.assign(n, false);
}

}  // namespace gf::afr
