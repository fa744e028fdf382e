// SPDX-License-Identifier: GPL-3.0-or-later
// Open leases and file migration for cluster/distribute's rebalance.
#include "glusterfs/xlators/cluster/distribute/dht_migration.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <climits>
#include <deque>

#include "glusterfs/core/dir_list.h"
#include "glusterfs/core/executor.h"
#include "glusterfs/core/graph.h"
#include "glusterfs/core/lock_support.h"
#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/distribute/dht_internal.h"

namespace gf::dht {
namespace {

// The shared lease an open fd holds; given back when the fd goes.
struct Lease {
  Xlator* child = nullptr;
  Loc loc;
  uint64_t owner = 0;
  ~Lease() {
    if (!child) return;
    auto release = [](Xlator* c, Loc l, uint64_t o) -> Task<void> {
      CallCtx ctx = CallCtx::root();
      ctx.lkOwner = o;
      InodelkReq req{kMigrationDomain, l, LockCmd::kSet, wholeFileLock(F_UNLCK)};
      (void)co_await c->inodelk(ctx, req);
    };
    spawn(release(child, loc, owner), "dht-lease-release");
  }
};

// Takes the shared lease on `child`: immediately (the usual case), or after waiting out a
// migration (then false: the file may have moved, look it up again).
Task<Result<bool>> takeLease(Xlator& child, const Loc& loc, uint64_t owner) {
  CallCtx ctx = CallCtx::root();
  ctx.lkOwner = owner;
  InodelkReq now{kMigrationDomain, loc, LockCmd::kSet, wholeFileLock(F_RDLCK)};
  auto r = co_await child.inodelk(ctx, now);
  if (r) co_return true;
  if (noLockManager(r.errnum())) co_return true;
  if (r.errnum() != EAGAIN) co_return fail(r.error());
  InodelkReq wait{kMigrationDomain, loc, LockCmd::kSetWait, wholeFileLock(F_RDLCK)};
  auto w = co_await child.inodelk(ctx, wait);
  if (w) {
    InodelkReq undo{kMigrationDomain, loc, LockCmd::kSet, wholeFileLock(F_UNLCK)};
    (void)co_await child.inodelk(ctx, undo);
  }
  co_return false;
}

void keepLease(DistributeXlator& d, const FdPtr& fd, size_t child, const Loc& loc, uint64_t owner) {
  auto lease = std::make_shared<Lease>();
  lease->child = &d.child(child);
  lease->loc = Loc{nullptr, {}, loc.inode};
  lease->owner = owner;
  fd->ctx().set(reinterpret_cast<const char*>(&d) + 2, lease);
}

}  // namespace

Task<Result<Empty>> openWithLease(DistributeXlator& d, const CallCtx& ctx, const OpenReq& req) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    // Only a remembered place can be out of date: a move since it was learnt shows as the
    // file missing there, and the file is looked up again.
    bool remembered = d.cachedChild(req.loc.inode) >= 0;
    auto c = co_await locate(d, ctx, req.loc);
    if (!c) co_return fail(c.error());
    size_t child = static_cast<size_t>(*c);
    uint64_t owner = nextDhtLockOwner();
    bool isFile = !req.loc.inode || !req.loc.inode->isDir();
    if (isFile) {
      auto lease = co_await takeLease(d.child(child), req.loc, owner);
      if (!lease && remembered && mayHaveMoved(lease.errnum())) {
        d.setCached(req.loc.inode, -1);
        continue;
      }
      if (!lease) co_return fail(lease.error());
      if (!*lease) {
        d.setCached(req.loc.inode, -1);  // it moved while we waited: find it again
        continue;
      }
    }
    auto r = co_await d.child(child).open(ctx, req);
    if (!r) {
      if (isFile) {
        CallCtx root = CallCtx::root();
        root.lkOwner = owner;
        InodelkReq undo{kMigrationDomain, Loc{nullptr, {}, req.loc.inode}, LockCmd::kSet,
                        wholeFileLock(F_UNLCK)};
        (void)co_await d.child(child).inodelk(root, undo);
      }
      if (remembered && mayHaveMoved(r.errnum())) {
        d.setCached(req.loc.inode, -1);
        continue;
      }
      co_return r;
    }
    setFdChild(d, req.fd, static_cast<int>(child));
    if (isFile) keepLease(d, req.fd, child, req.loc, owner);
    co_return r;
  }
  co_return fail(EAGAIN);
}

Task<void> leaseCreated(DistributeXlator& d, size_t child, const Loc& loc, const FdPtr& fd) {
  uint64_t owner = nextDhtLockOwner();
  auto lease = co_await takeLease(d.child(child), loc, owner);
  if (lease && *lease) keepLease(d, fd, child, loc, owner);
}

namespace {

struct Move {
  Loc dir;
  std::string name;
  Iatt stat;
  size_t from, to;
};

enum class MoveResult { kMoved, kBusy, kFailed };

Task<MoveResult> migrate(DistributeXlator& d, const Move& m, RebalanceStats& stats) {
  CallCtx ctx = CallCtx::root();
  ctx.lkOwner = nextDhtLockOwner();
  InodeTable& t = d.ownTable();
  Xlator& from = d.child(m.from);
  Xlator& to = d.child(m.to);
  // A listing may leave an entry's attributes to a lookup (replicate does while its copies
  // change): the source's identity is then asked for.
  Iatt listed = m.stat;
  if (listed.gfid.isNull()) {
    LookupReq look{Loc{m.dir.inode, m.name, t.create()}, {kLinktoKey}};
    auto r = co_await from.lookup(ctx, look);
    if (!r || !r->stat.isReg() || isLinkfile(r->stat, r->xdata)) co_return MoveResult::kFailed;
    listed = r->stat;
  }
  Loc src{m.dir.inode, m.name, t.link(t.create(), nullptr, {}, listed)};
  InodelkReq lock{kMigrationDomain, src, LockCmd::kSet, wholeFileLock(F_WRLCK)};
  auto locked = co_await from.inodelk(ctx, lock);
  if (!locked && locked.errnum() == EAGAIN) co_return MoveResult::kBusy;  // open somewhere
  bool haveLock = locked.ok();
  MoveResult result = MoveResult::kFailed;
  const char* step = "locking the source";
  // Once the source is unlinked a leaf may no longer resolve its name or gfid (storage/memory
  // does not), and an unlock that fails leaves opens waiting for the move to finish stuck for
  // good: after the source is open, unlock through that fd, which keeps the file.
  FdPtr in;
  bool inOpen = false;
  auto unlock = [&]() -> Task<void> {
    if (!haveLock) co_return;
    if (inOpen) {
      FinodelkReq undo{kMigrationDomain, in, LockCmd::kSet, wholeFileLock(F_UNLCK)};
      if (co_await from.finodelk(ctx, undo)) co_return;
    }
    InodelkReq undo{kMigrationDomain, src, LockCmd::kSet, wholeFileLock(F_UNLCK)};
    (void)co_await from.inodelk(ctx, undo);
  };
  do {
    // Under the lock, the source must still be the file we listed.
    LookupReq probe{Loc{m.dir.inode, m.name, t.create()}, {kLinktoKey}};
    auto now = co_await from.lookup(ctx, probe);
    step = "checking the source";
    if (!now || now->stat.gfid != listed.gfid || isLinkfile(now->stat, now->xdata)) break;
    const Iatt st = now->stat;
    // Whatever a previous, interrupted move left at the destination goes.
    LookupReq there{Loc{m.dir.inode, m.name, t.create()}, {kLinktoKey}};
    auto old = co_await to.lookup(ctx, there);
    if (old) {
      if (old->stat.gfid != st.gfid) {
        GF_LOG_ERROR(d.name(), "rebalance: %s/%s: another file holds the name on %s; left alone",
                     m.dir.path().c_str(), m.name.c_str(), to.name().c_str());
        break;
      }
      UnlinkReq rm{Loc{m.dir.inode, m.name, nullptr}};
      step = "removing an old destination";
      if (!co_await to.unlink(ctx, rm)) break;
    }
    // The destination starts as a linkfile back to the source.
    Loc dst{m.dir.inode, m.name, t.create()};
    MknodReq mk{dst, S_IFREG | S_ISVTX, 0, 0, st.gfid};
    auto made = co_await to.mknod(ctx, mk);
    step = "creating the destination";
    if (!made) break;
    dst.inode = t.link(dst.inode, nullptr, {}, made->stat);
    SetxattrReq linkto{dst, Dict{{kLinktoKey, from.name()}}, 0};
    step = "marking the destination";
    if (!co_await to.setxattr(ctx, linkto)) break;
    in = makeFd(src.inode, O_RDONLY);
    FdPtr out = makeFd(dst.inode, O_WRONLY);
    OpenReq openIn{src, O_RDONLY, in}, openOut{dst, O_WRONLY, out};
    inOpen = (co_await from.open(ctx, openIn)).ok();
    step = "opening source and destination";
    if (!inOpen || !co_await to.open(ctx, openOut)) break;
    bool copied = true;
    constexpr uint64_t kChunk = 1 << 20;
    for (uint64_t off = 0; off < st.size; off += kChunk) {
      ReadvReq rd{in, std::min(kChunk, st.size - off), off, 0};
      step = "copying the data";
      auto data = co_await from.readv(ctx, rd);
      if (!data) {
        copied = false;
        break;
      }
      WritevReq wr{out, data->data, off, 0};
      auto w = co_await to.writev(ctx, wr);
      if (!w || w->size != data->data.size()) {
        copied = false;
        break;
      }
      stats.bytes += w->size;
    }
    if (!copied) break;
    FtruncateReq size{out, st.size};
    FsyncReq sync{out, false};
    step = "truncating and syncing the destination";
    if (!co_await to.ftruncate(ctx, size) || !co_await to.fsync(ctx, sync)) break;
    GetxattrReq all{src, ""};
    if (auto x = co_await from.getxattr(ctx, all); x) {
      Dict keep;
      for (auto& [k, v] : x->xattrs)
        if (k != "trusted.gfid" && k.rfind("trusted.afr.", 0) != 0 && k != kLinktoKey) keep[k] = v;
      if (!keep.empty()) {
        SetxattrReq sx{dst, keep, 0};
        (void)co_await to.setxattr(ctx, sx);
      }
    }
    // Now a real file: mode first (it stops looking like a linkfile), then the marker goes.
    SetattrReq attrs{dst, st, kSetMode | kSetUid | kSetGid | kSetAtime | kSetMtime};
    step = "setting the destination's attributes";
    if (!co_await to.setattr(ctx, attrs)) break;
    RemovexattrReq unmark{dst, kLinktoKey};
    (void)co_await to.removexattr(ctx, unmark);
    UnlinkReq gone{Loc{m.dir.inode, m.name, src.inode}};
    step = "removing the source";
    if (!co_await from.unlink(ctx, gone)) break;
    result = MoveResult::kMoved;
  } while (false);
  if (result == MoveResult::kFailed)
    GF_LOG_WARNING(d.name(), "rebalance: %s/%s: not moved from %s to %s (failed %s)",
                   m.dir.path().c_str(), m.name.c_str(), from.name().c_str(), to.name().c_str(),
                   step);
  co_await unlock();
  co_return result;
}

}  // namespace

Task<Status> rebalance(DistributeXlator& d, bool fixLayoutOnly, size_t parallel,
                       RebalanceStats& stats, std::function<void(const RebalanceStats&)> progress) {
  const size_t n = d.childCount();
  for (bool up : d.upChildren())
    if (!up) {
      GF_LOG_ERROR(d.name(), "rebalance needs every child up");
      co_return fail(ENOTCONN);
    }
  CallCtx ctx = CallCtx::root();
  InodeTable& t = d.ownTable();
  std::deque<Loc> dirs{Loc{nullptr, {}, t.root()}};
  std::vector<Move> busy;
  while (!dirs.empty()) {
    Loc dir = std::move(dirs.front());
    dirs.pop_front();
    LookupReq look{dir, {}};
    if (!co_await d.lookup(ctx, look)) continue;  // makes missing copies of the directory
    auto spread = co_await spreadLayout(d, dir);
    if (!spread) {
      GF_LOG_WARNING(d.name(), "rebalance: %s: layout not written: %s", dir.path().c_str(),
                     spread.error().message().c_str());
      ++stats.failed;
      continue;
    }
    Layout layout = *spread;
    d.setLayout(dir.inode, layout);
    ++stats.directories;
    std::vector<Move> moves;
    std::map<std::string, Iatt> subdirs;
    for (size_t i = 0; i < n; ++i) {
      auto list = co_await listDirectory(d.child(i), ctx, dir);
      if (!list) continue;
      for (auto& [name, st] : *list) {
        if (st.isDir()) {
          if (st.gfid.isNull()) {  // listed without attributes: its identity is looked up
            LookupReq look{Loc{dir.inode, name, t.create()}, {}};
            auto r = co_await d.child(i).lookup(ctx, look);
            if (!r || !r->stat.isDir()) continue;
            st = r->stat;
          }
          subdirs.emplace(name, st);
          continue;
        }
        if ((st.mode & 07777) == S_ISVTX && S_ISREG(st.mode)) {
          // A linkfile is only ever needed on the child the name hashes to.
          int h = layout.childFor(nameHash(name, d.hashRules()));
          if (!fixLayoutOnly && h >= 0 && static_cast<size_t>(h) != i) {
            UnlinkReq stale{Loc{dir.inode, name, nullptr}};
            (void)co_await d.child(i).unlink(ctx, stale);
          }
          continue;
        }
        ++stats.scanned;
        int h = layout.childFor(nameHash(name, d.hashRules()));
        if (!fixLayoutOnly && h >= 0 && static_cast<size_t>(h) != i)
          moves.push_back(Move{dir, name, st, i, static_cast<size_t>(h)});
      }
    }
    for (auto& [name, st] : subdirs) {
      Loc sub{dir.inode, name, t.create()};
      sub.inode = t.link(sub.inode, dir.inode, name, st);
      dirs.push_back(sub);
    }
    for (size_t k = 0; k < moves.size(); k += parallel) {
      std::vector<Task<MoveResult>> batch;
      for (size_t j = k; j < std::min(moves.size(), k + parallel); ++j)
        batch.push_back(migrate(d, moves[j], stats));
      auto results = co_await whenAll(std::move(batch));
      for (size_t j = 0; j < results.size(); ++j) {
        if (results[j] == MoveResult::kMoved)
          ++stats.migrated;
        else if (results[j] == MoveResult::kBusy)
          busy.push_back(moves[k + j]);
        else
          ++stats.failed;
      }
      if (progress) progress(stats);
    }
    if (progress) progress(stats);
  }
  // Files that were open get a few more tries.
  for (int round = 0; round < 5 && !busy.empty(); ++round) {
    co_await d.graph()->netLoop().sleepFor(std::chrono::seconds(1));
    std::vector<Move> still;
    for (auto& m : busy) {
      auto r = co_await migrate(d, m, stats);
      if (r == MoveResult::kMoved)
        ++stats.migrated;
      else if (r == MoveResult::kBusy)
        still.push_back(m);
      else
        ++stats.failed;
    }
    busy.swap(still);
  }
  stats.busy = busy.size();
  for (auto& m : busy)
    GF_LOG_WARNING(d.name(), "rebalance: %s/%s stayed open and was not moved; run again later",
                   m.dir.path().c_str(), m.name.c_str());
  if (progress) progress(stats);
  co_return Status{};
}

}  // namespace gf::dht
