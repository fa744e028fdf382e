// SPDX-License-Identifier: GPL-3.0-or-later
// Writing a directory's layout: healing holes and overlaps on lookup, and handing out slices
// to every child on rebalance. Both hold the directory's layout lock on the first child and
// read the slices again under it, so a rebalance halfway through writing its layout is never
// mistaken for a broken one and "healed" into another.
#include <fcntl.h>

#include "glusterfs/core/lock_support.h"
#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/distribute/dht_internal.h"
#include "glusterfs/xlators/cluster/distribute/dht_migration.h"

namespace gf {
namespace {

// Holds the layout lock of `dir` while alive (when the first child has a lock manager).
class LayoutLock {
 public:
  static Task<LayoutLock> take(DistributeXlator& d, const Loc& dir) {
    LayoutLock l(d, dir);
    InodelkReq req{dht::kLayoutDomain, dir, LockCmd::kSetWait, wholeFileLock(F_WRLCK)};
    auto r = co_await d.child(0).inodelk(l.ctx_, req);
    l.held_ = r.ok();
    if (!r && !noLockManager(r.errnum()))
      GF_LOG_WARNING(d.name(), "%s: layout lock not taken: %s", dir.path().c_str(),
                     r.error().message().c_str());
    co_return l;
  }
  Task<void> release() {
    if (!held_) co_return;
    held_ = false;
    InodelkReq req{dht::kLayoutDomain, dir_, LockCmd::kSet, wholeFileLock(F_UNLCK)};
    (void)co_await d_->child(0).inodelk(ctx_, req);
  }

 private:
  LayoutLock(DistributeXlator& d, const Loc& dir) : d_(&d), dir_(dir), ctx_(CallCtx::root()) {
    ctx_.lkOwner = nextDhtLockOwner();
  }
  DistributeXlator* d_;
  Loc dir_;
  CallCtx ctx_;
  bool held_ = false;
};

// Every child's slice of `dir` as it is on disk now (unset where a child has none or did not
// answer; `answered` false then).
Task<dht::Layout> readLayout(DistributeXlator& d, const Loc& dir, bool& allAnswered) {
  const size_t n = d.childCount();
  dht::Layout l(n);
  allAnswered = true;
  for (size_t i = 0; i < n; ++i) {
    GetxattrReq req{dir, dht::kLayoutKey};
    auto r = co_await d.child(i).getxattr(CallCtx::root(), req);
    if (r) {
      auto it = r->xattrs.find(dht::kLayoutKey);
      if (it != r->xattrs.end()) l.set(i, dht::decodeRange(it->second));
    } else if (r.errnum() != ENODATA) {
      allAnswered = false;
    }
  }
  co_return l;
}

Task<Status> writeLayout(DistributeXlator& d, const Loc& dir, const dht::Layout& from,
                         const dht::Layout& to) {
  Status worst;
  for (size_t i = 0; i < d.childCount(); ++i) {
    if (from.get(i) && to.get(i) && from.get(i)->start == to.get(i)->start &&
        from.get(i)->stop == to.get(i)->stop)
      continue;
    SetxattrReq sx{dir, Dict{{dht::kLayoutKey, dht::encodeRange(*to.get(i))}}, 0};
    auto r = co_await d.child(i).setxattr(CallCtx::root(), sx);
    if (!r) {
      GF_LOG_WARNING(d.name(), "%s: cannot write layout on %s: %s", dir.path().c_str(),
                     d.child(i).name().c_str(), r.error().message().c_str());
      worst = r.error();
    }
  }
  co_return worst;
}

}  // namespace

Task<dht::Layout> healLayout(DistributeXlator& d, const Loc& dir, const dht::Layout& seen) {
  auto lock = co_await LayoutLock::take(d, dir);
  bool all = false;
  dht::Layout now = co_await readLayout(d, dir, all);
  dht::Layout result = now;
  if (!all) {
    result = seen;  // a child stopped answering meanwhile: leave it for a later lookup
  } else if (!now.complete()) {
    result = dht::Layout::keepingMostOf(now);
    (void)co_await writeLayout(d, dir, now, result);
    GF_LOG_INFO(d.name(), "%s: layout healed", dir.path().c_str());
  }
  co_await lock.release();
  co_return result;
}

Task<Result<dht::Layout>> spreadLayout(DistributeXlator& d, const Loc& dir) {
  auto lock = co_await LayoutLock::take(d, dir);
  bool all = false;
  dht::Layout now = co_await readLayout(d, dir, all);
  Result<dht::Layout> out = fail(ENOTCONN);
  if (all) {
    dht::Layout to = dht::Layout::keepingMostOf(now);
    Status w = co_await writeLayout(d, dir, now, to);
    if (w) out = to;
    else out = fail(w.error());
  }
  co_await lock.release();
  co_return out;
}

}  // namespace gf
