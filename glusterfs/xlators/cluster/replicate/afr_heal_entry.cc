// SPDX-License-Identifier: GPL-3.0-or-later
// Entry self-heal: make each sink directory hold the same names (same gfids, same types) as
// the source: create what is missing (copying contents and attributes, whole subtrees for new
// directories), remove what the source no longer has, replace names that hold a different
// file.
#include <fcntl.h>

#include <map>

#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/replicate/afr_heal.h"
#include "glusterfs/xlators/cluster/replicate/afr_heal_util.h"

namespace gf::afr {
namespace {

using Listing = std::map<std::string, Iatt>;

Task<Result<Listing>> listDir(Xlator& child, const CallCtx& ctx, const Loc& dir) {
  FdPtr fd = makeFd(dir.inode, O_RDONLY);
  OpendirReq open{dir, fd};
  auto o = co_await child.opendir(ctx, open);
  if (!o) co_return fail(o.error());
  Listing out;
  uint64_t offset = 0;
  while (true) {
    ReaddirpReq rd{fd, 128 * 1024, offset};
    auto r = co_await child.readdirp(ctx, rd);
    if (!r) co_return fail(r.error());
    if (r->entries.empty()) break;
    for (auto& e : r->entries) {
      offset = e.offset;
      if (e.name == "." || e.name == "..") continue;
      out[e.name] = e.stat;
    }
  }
  co_return out;
}

Loc childLoc(ReplicateXlator& afr, const Loc& dir, const std::string& name, const Iatt* st) {
  Loc l{dir.inode, name, afr.healTable().create()};
  if (st) l.inode = afr.healTable().link(l.inode, nullptr, {}, *st);
  return l;
}

// Removes `name` (a whole subtree for a directory) from copy `sink`.
Task<Status> removeTree(ReplicateXlator& afr, const CallCtx& ctx, size_t sink, const Loc& dir,
                        const std::string& name, const Iatt& st) {
  Loc l = childLoc(afr, dir, name, &st);
  Xlator& c = afr.child(sink);
  if (st.isDir()) {
    auto inside = co_await listDir(c, ctx, l);
    if (inside)
      for (const auto& [n, s] : *inside) {
        Status r = co_await removeTree(afr, ctx, sink, l, n, s);
        if (!r) co_return r;
      }
    RmdirReq rm{l};
    auto r = co_await c.rmdir(ctx, rm);
    co_return r || r.errnum() == ENOENT ? Status{} : Status(r.error());
  }
  UnlinkReq rm{l};
  auto r = co_await c.unlink(ctx, rm);
  co_return r || r.errnum() == ENOENT ? Status{} : Status(r.error());
}

Task<Status> createCopy(ReplicateXlator& afr, size_t src, size_t sink, const Loc& dir,
                        const std::string& name, const Iatt& st, const std::string& sibling = {});

// Copies every name of directory `l` from `src` into the (new, empty) copy on `sink`.
Task<Status> copyTree(ReplicateXlator& afr, size_t src, size_t sink, const Loc& l) {
  CallCtx ctx = healCtx();
  auto names = co_await listDir(afr.child(src), ctx, l);
  if (!names) co_return names.error();
  for (const auto& [n, s] : *names) {
    Status r = co_await createCopy(afr, src, sink, l, n, s);
    if (!r) co_return r;
  }
  co_return Status{};
}

// Creates `name` on `sink` as it is on `src`: same gfid, type, owner, mode, contents.
// `sibling`: another name of the same file in `dir` on the sink (a hard link to make).
Task<Status> createCopy(ReplicateXlator& afr, size_t src, size_t sink, const Loc& dir,
                        const std::string& name, const Iatt& st, const std::string& sibling) {
  CallCtx ctx = healCtx();
  ctx.uid = st.uid;  // the brick gives new files to the caller
  ctx.gid = st.gid;
  Loc l = childLoc(afr, dir, name, nullptr);
  Xlator& c = afr.child(sink);
  Result<EntryReply> made = fail(EIO);
  if (st.isDir()) {
    MkdirReq req{l, st.mode & 07777, 0, st.gfid};
    made = co_await c.mkdir(ctx, req);
  } else if (st.isLink()) {
    ReadlinkReq rl{childLoc(afr, dir, name, &st)};
    auto target = co_await afr.child(src).readlink(healCtx(), rl);
    if (!target) co_return target.error();
    SymlinkReq req{target->target, l, 0, st.gfid};
    made = co_await c.symlink(ctx, req);
  } else if (st.isReg()) {
    // Another name of the same file may already be there (a hard link, or the old name of a
    // file renamed into another directory meanwhile): link to it, keep one inode.
    // By name when the sink has one in this directory (every brick resolves that), else by
    // gfid.
    Loc existing{sibling.empty() ? nullptr : dir.inode, sibling,
                 childLoc(afr, dir, name, &st).inode};
    LinkReq link{existing, l};
    MknodReq mk{l, st.mode, 0, 0, st.gfid};
    if (st.nlink > 1 || !sibling.empty()) made = co_await c.link(ctx, link);
    if (!made) made = co_await c.mknod(ctx, mk);
    if (!made && made.errnum() == EEXIST) made = co_await c.link(ctx, link);
  } else {
    MknodReq req{l, st.mode, st.rdev, 0, st.gfid};
    made = co_await c.mknod(ctx, req);
  }
  if (!made) {
    GF_LOG_WARNING(afr.name(), "%s: could not create on %s: %s", l.path().c_str(),
                   afr.childNames()[sink].c_str(), made.error().message().c_str());
    co_return made.error();
  }
  Loc linked = childLoc(afr, dir, name, &st);
  HealChoice from{static_cast<int>(src)};
  if (st.isDir()) {
    // Looked up by name on every copy first: a brick that finds files by gfid only while it
    // holds them (storage/posix) must know the new directory before names go into it.
    (void)co_await lookupAll(afr, ctx, linked);
    Status r = co_await copyTree(afr, src, sink, linked);
    if (!r) co_return r;
  } else if (st.isReg() && st.size > 0) {
    if (co_await healData(afr, linked, from) == HealResult::kFailed) co_return fail(EIO);
  }
  if (co_await healMetadata(afr, linked, from) == HealResult::kFailed) co_return fail(EIO);
  co_return Status{};
}

}  // namespace

Task<HealResult> healEntry(ReplicateXlator& afr, const Loc& dir, HealChoice choice,
                           bool unionOnly) {
  if (!afr.config().entrySelfHeal && choice.source < 0) co_return HealResult::kNothingToDo;
  CallCtx ctx = healCtx();
  auto held = co_await healLock(afr, ctx, TxnKind::kEntry, dir);
  auto view = co_await lookupAll(afr, ctx, dir);
  PendingMatrix m = view.matrix(afr.childNames());
  SourceVerdict v = selectSources(m, TxnKind::kEntry, afr.favoriteIndex());
  HealResult result = HealResult::kNothingToDo;
  const size_t n = afr.childCount();
  if (v.splitBrain && choice.source < 0) {
    GF_LOG_ERROR(afr.name(), "%s: directory entry split-brain (%s)", dir.path().c_str(),
                 m.describe(TxnKind::kEntry, afr.childNames()).c_str());
    result = HealResult::kSplitBrain;
  } else if (v.needsHeal || unionOnly || choice.source >= 0) {
    std::vector<std::optional<Listing>> lists(n);
    for (size_t i = 0; i < n; ++i)
      if (view.answered(i)) {
        auto l = co_await listDir(afr.child(i), ctx, dir);
        if (l) lists[i] = std::move(*l);
      }
    // Sources: the changelog's (or the chosen one); in union mode every copy is one.
    std::vector<size_t> sources;
    if (choice.source >= 0) sources.push_back(static_cast<size_t>(choice.source));
    else if (!v.needsHeal || unionOnly)
      for (size_t i = 0; i < n; ++i) {
        if (lists[i]) sources.push_back(i);
      }
    else if (int s = pickSource(v, view, TxnKind::kEntry, choice); s >= 0)
      sources.push_back(static_cast<size_t>(s));
    bool authoritative = !unionOnly && (v.needsHeal || choice.source >= 0);
    result = HealResult::kHealed;
    for (size_t sink = 0; sink < n; ++sink) {
      if (!lists[sink]) continue;
      for (size_t src : sources) {
        if (src == sink || !lists[src]) continue;
        // Names the source no longer has were removed while this copy was away. Remove them
        // first: a file renamed meanwhile keeps its gfid, which its new name needs.
        if (authoritative)
          for (const auto& [name, st] : Listing(*lists[sink])) {
            if (lists[src]->count(name)) continue;
            Status r = co_await removeTree(afr, ctx, sink, dir, name, st);
            if (!r) result = HealResult::kFailed;
            else lists[sink]->erase(name);
          }
        for (const auto& [name, st] : *lists[src]) {
          auto have = lists[sink]->find(name);
          if (have != lists[sink]->end()) {
            if (have->second.gfid == st.gfid && have->second.type() == st.type()) continue;
            if (!authoritative) continue;  // a real conflict: leave it for the changelogs
            Status r = co_await removeTree(afr, ctx, sink, dir, name, have->second);
            if (!r) {
              result = HealResult::kFailed;
              continue;
            }
          }
          std::string sibling;
          if (st.isReg())
            for (const auto& [other, ost] : *lists[sink])
              if (ost.gfid == st.gfid && ost.isReg()) sibling = other;
          Status r = co_await createCopy(afr, src, sink, dir, name, st, sibling);
          if (!r) result = HealResult::kFailed;
          else (*lists[sink])[name] = st;
        }
      }
    }
    if (result == HealResult::kHealed && v.needsHeal) {
      std::vector<bool> listed(n);
      for (size_t i = 0; i < n; ++i) listed[i] = lists[i].has_value();
      co_await clearObserved(afr, ctx, dir, m, TxnKind::kEntry, listed);
      GF_LOG_INFO(afr.name(), "%s: directory entries healed", dir.path().c_str());
    }
  }
  co_await healUnlock(afr, ctx, TxnKind::kEntry, dir, held);
  co_return result;
}

}  // namespace gf::afr
