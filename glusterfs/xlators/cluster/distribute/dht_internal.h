// SPDX-License-Identifier: GPL-3.0-or-later
// Internal helpers shared by the distribute source files.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <optional>
#include <vector>

#include "glusterfs/xlators/cluster/distribute/distribute_xlator.h"

namespace gf {

// `req` plus the xattrs distribute needs back (layout, linkto).
LookupReq dhtLookupReq(const LookupReq& req);
// Looks `req` up on every live child: a directory (merged, healed), or the one data file.
Task<Result<EntryReply>> lookupEverywhere(DistributeXlator& dht, const CallCtx& ctx,
                                          const LookupReq& req);
// Merges a directory's copies (creating missing ones, healing the layout).
Task<Result<EntryReply>> mergeDirectory(DistributeXlator& dht, const CallCtx& ctx, const Loc& loc,
                                        std::vector<std::optional<Result<EntryReply>>> copies);
// Makes the copy of directory `loc` missing on child `at` like `like` (gfid, mode, owner),
// with `slice` as its layout when given.
Task<Status> remakeDirectoryCopy(DistributeXlator& dht, size_t at, const Loc& loc, const Iatt& like,
                                 const std::optional<dht::Range>& slice);
// A directory's attributes as one copy tells them, with the newest times of every copy: an
// entry made or removed changes only the copy on the child holding it.
inline void mergeDirTimes(Iatt& into, const Iatt& copy) {
  into.atime = std::max(into.atime, copy.atime);
  into.mtime = std::max(into.mtime, copy.mtime);
  into.ctime = std::max(into.ctime, copy.ctime);
}
// A directory whose slices (`seen` by a lookup) leave holes or overlap: under its layout lock,
// read again and, if still broken, rewritten keeping each child as much of its slice as it
// can. Returns the layout to use.
Task<dht::Layout> healLayout(DistributeXlator& d, const Loc& dir, const dht::Layout& seen);
// Rebalance: under the layout lock, every child (new ones too) gets its slice of `dir`
// (Layout::keepingMostOf what is on disk). Needs every child to answer.
Task<Result<dht::Layout>> spreadLayout(DistributeXlator& d, const Loc& dir);
// The child holding `loc`'s data (looking it up if not known); any child for a directory.
Task<Result<int>> locate(DistributeXlator& dht, const CallCtx& ctx, const Loc& loc);
// Whether an error from the child a file was remembered on can mean it moved (rebalance).
inline bool mayHaveMoved(int err) { return err == ESTALE || err == ENOENT; }
// `call(child)` on the child holding `loc`. When that child was only remembered and says the
// file is not there, the file is looked up again and, found elsewhere, called there once.
template <class Rep, class Call>
Task<Result<Rep>> onLocated(DistributeXlator& d, const CallCtx& ctx, const Loc& loc, Call call) {
  int remembered = d.cachedChild(loc.inode);
  auto c = co_await locate(d, ctx, loc);
  if (!c) co_return fail(c.error());
  auto r = co_await call(static_cast<size_t>(*c));
  if (r || remembered < 0 || !mayHaveMoved(r.errnum())) co_return r;
  d.setCached(loc.inode, -1);
  c = co_await locate(d, ctx, loc);
  if (!c || *c == remembered) co_return r;
  co_return co_await call(static_cast<size_t>(*c));
}
// A lock over a whole file (inodelk in distribute's own domains), and a lock owner no other
// lock of distribute's shares.
inline Flock wholeFileLock(int32_t type) {
  Flock l;
  l.type = type;
  l.start = 0;
  l.len = 0;
  return l;
}
inline uint64_t nextDhtLockOwner() {
  static std::atomic<uint64_t> next{0xd47a000000000000ULL};
  return next.fetch_add(1);
}
// The child an fd was opened on (files), or -1 for directories (open on every child).
int fdChild(const DistributeXlator& dht, const FdPtr& fd);
void setFdChild(const DistributeXlator& dht, const FdPtr& fd, int child);

}  // namespace gf
