// SPDX-License-Identifier: GPL-3.0-or-later
// Self-heal plumbing: looking at every copy, heal locks, clearing observed counters.
#include <fcntl.h>

#include <atomic>
#include <climits>

#include "glusterfs/core/lock_support.h"
#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/replicate/afr_heal.h"
#include "glusterfs/xlators/cluster/replicate/afr_heal_util.h"

namespace gf::afr {

const char* healResultName(HealResult r) {
  switch (r) {
    case HealResult::kNothingToDo: return "nothing to do";
    case HealResult::kHealed: return "healed";
    case HealResult::kSplitBrain: return "split-brain";
    case HealResult::kFailed: return "failed";
  }
  return "?";
}

CallCtx healCtx() {
  static std::atomic<uint64_t> owner{0x4ea1000000000000ULL};
  CallCtx c = CallCtx::root();
  c.lkOwner = owner.fetch_add(1);
  c.pid = static_cast<uint32_t>(-1);  // marks internal operations in brick logs
  return c;
}

Loc parentOf(const Loc& loc) {
  Loc p;
  p.inode = loc.parent;
  if (loc.parent) loc.parent->firstDentry(p.parent, p.name);
  return p;
}

PendingMatrix CopyView::matrix(const std::vector<std::string>& names) const {
  PendingMatrix m(copies.size());
  for (size_t i = 0; i < copies.size(); ++i)
    if (answered(i)) m.setRow(i, copies[i]->value().xdata, names);
  return m;
}

Task<CopyView> lookupAll(ReplicateXlator& afr, const CallCtx& ctx, const Loc& loc,
                         std::vector<std::string> extraXattrs) {
  const size_t n = afr.childCount();
  CopyView view;
  view.copies.resize(n);
  LookupReq req;
  req.loc = loc;
  req.xattrs = std::move(extraXattrs);
  req.xattrs.push_back(std::string(kChangelogPrefix) + "*");
  auto up = afr.upChildren();
  std::vector<Task<Result<EntryReply>>> calls;
  std::vector<size_t> who;
  for (size_t i = 0; i < n; ++i)
    if (up[i]) {
      calls.push_back(afr.child(i).lookup(ctx, req));
      who.push_back(i);
    }
  auto all = co_await whenAll(std::move(calls));
  for (size_t k = 0; k < who.size(); ++k) view.copies[who[k]] = std::move(all[k]);
  co_return view;
}

namespace {
Flock healRange(TxnKind kind, int32_t type) {
  Flock l;
  l.type = type;
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

Task<std::vector<bool>> healLock(ReplicateXlator& afr, const CallCtx& ctx, TxnKind kind,
                                 const Loc& loc) {
  const size_t n = afr.childCount();
  std::vector<bool> held(n, false);
  auto up = afr.upChildren();
  for (size_t i = 0; i < n; ++i) {
    if (!up[i]) continue;
    Result<Empty> r = fail(EIO);
    if (kind == TxnKind::kEntry) {
      EntrylkReq req{afr.lockDomain(), loc, "", EntrylkCmd::kLock, EntrylkType::kWrite};
      r = co_await afr.child(i).entrylk(ctx, req);
    } else {
      InodelkReq req{afr.lockDomain(), loc, LockCmd::kSetWait, healRange(kind, F_WRLCK)};
      r = co_await afr.child(i).inodelk(ctx, req);
    }
    held[i] = r.ok() || noLockManager(r.errnum());
  }
  co_return held;
}

Task<void> healUnlock(ReplicateXlator& afr, const CallCtx& ctx, TxnKind kind, const Loc& loc,
                      const std::vector<bool>& held) {
  // The requests must outlive the lazily started calls.
  EntrylkReq entry{afr.lockDomain(), loc, "", EntrylkCmd::kUnlock, EntrylkType::kWrite};
  InodelkReq inode{afr.lockDomain(), loc, LockCmd::kSet, healRange(kind, F_UNLCK)};
  std::vector<Task<Result<Empty>>> calls;
  for (size_t i = 0; i < held.size(); ++i) {
    if (!held[i]) continue;
    if (kind == TxnKind::kEntry) calls.push_back(afr.child(i).entrylk(ctx, entry));
    else calls.push_back(afr.child(i).inodelk(ctx, inode));
  }
  (void)co_await whenAll(std::move(calls));
}

std::vector<bool> answeredCopies(const CopyView& view) {
  std::vector<bool> out(view.copies.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = view.answered(i);
  return out;
}

Task<void> clearObserved(ReplicateXlator& afr, const CallCtx& ctx, const Loc& loc,
                         const PendingMatrix& m, TxnKind kind, const std::vector<bool>& inStep) {
  const size_t n = afr.childCount();
  std::vector<Task<Result<XattrReply>>> calls;
  std::vector<XattropReq> reqs;
  reqs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!m.answered(i)) continue;
    std::vector<int32_t> delta(n, 0);
    bool any = false;
    for (size_t j = 0; j < n; ++j)
      if (int32_t v = m.get(i, j, kind); v != 0 && inStep[j]) {
        delta[j] = -v;
        any = true;
      }
    if (!any) continue;
    reqs.push_back(XattropReq{loc, XattropOp::kAddArray, changelogDelta(afr.childNames(), kind, delta)});
    calls.push_back(afr.child(i).xattrop(ctx, reqs.back()));
  }
  (void)co_await whenAll(std::move(calls));
}

int pickSource(const SourceVerdict& v, const CopyView& view, TxnKind kind, HealChoice choice) {
  if (choice.source >= 0) return view.answered(choice.source) ? choice.source : -1;
  int best = -1;
  for (size_t i = 0; i < v.sources.size(); ++i) {
    if (!v.sources[i] || !view.answered(i)) continue;
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    // Among equal candidates (all fools), 2.0's choice: the biggest, then the newest copy.
    if (kind == TxnKind::kData && v.allFools) {
      const Iatt& a = view.stat(i);
      const Iatt& b = view.stat(best);
      if (a.size > b.size || (a.size == b.size && a.mtime > b.mtime)) best = static_cast<int>(i);
    }
  }
  return best;
}

Task<HealResult> healInode(ReplicateXlator& afr, const Loc& loc, HealChoice choice) {
  CallCtx ctx = healCtx();
  auto view = co_await lookupAll(afr, ctx, loc);
  int any = -1;
  for (size_t i = 0; i < afr.childCount(); ++i)
    if (view.answered(i)) any = static_cast<int>(i);
  if (any < 0) co_return HealResult::kFailed;
  const Iatt& st = view.stat(any);
  HealResult worst = HealResult::kNothingToDo;
  auto merge = [&](HealResult r) {
    if (r == HealResult::kSplitBrain || worst == HealResult::kSplitBrain)
      worst = HealResult::kSplitBrain;
    else if (r == HealResult::kFailed || worst == HealResult::kFailed)
      worst = HealResult::kFailed;
    else if (r == HealResult::kHealed)
      worst = HealResult::kHealed;
  };
  if (st.isDir()) merge(co_await healEntry(afr, loc, choice));
  merge(co_await healMetadata(afr, loc, choice));
  if (st.isReg()) merge(co_await healData(afr, loc, choice));
  co_return worst;
}

}  // namespace gf::afr
