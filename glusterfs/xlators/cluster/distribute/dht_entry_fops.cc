// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/distribute: names — create files on their hashed child (or elsewhere plus a
// linkfile), directories on every child with their layout, and keep linkfiles right through
// link, unlink and rename.
#include <fcntl.h>
#include <stdio.h>  // RENAME_EXCHANGE
#include <sys/stat.h>

#include <optional>

#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/distribute/dht_internal.h"
#include "glusterfs/xlators/cluster/distribute/dht_migration.h"

namespace gf {

using namespace dht;

namespace {

// The directory's layout, loading it with a lookup if this client has not seen it yet.
Task<Result<int>> hashedFor(DistributeXlator& d, const CallCtx& ctx, const Loc& loc) {
  int h = d.hashedChild(loc.parent, loc.name);
  if (h >= 0) co_return h;
  Loc dir;
  dir.inode = loc.parent;
  if (loc.parent) loc.parent->firstDentry(dir.parent, dir.name);
  LookupReq req{dir, {}};
  auto r = co_await d.lookup(ctx, req);
  if (!r) co_return fail(r.error());
  h = d.hashedChild(loc.parent, loc.name);
  if (h < 0) co_return fail(EIO);
  co_return h;
}

// A linkfile for `loc` on child `at`, pointing at child `target` (same gfid as the data).
Task<Status> makeLinkfile(DistributeXlator& d, size_t at, const Loc& loc, size_t target,
                          const Gfid& gfid) {
  Loc l{loc.parent, loc.name, d.ownTable().create()};
  MknodReq mk{l, S_IFREG | S_ISVTX, 0, 0, gfid};
  auto made = co_await d.child(at).mknod(CallCtx::root(), mk);
  if (!made) co_return made.error();
  Iatt st = made->stat;
  l.inode = d.ownTable().link(l.inode, nullptr, {}, st);
  SetxattrReq sx{l, Dict{{kLinktoKey, d.child(target).name()}}, 0};
  auto r = co_await d.child(at).setxattr(CallCtx::root(), sx);
  if (!r) co_return r.error();
  co_return Status{};
}

Task<void> removeName(DistributeXlator& d, size_t at, const Loc& loc) {
  UnlinkReq rm{Loc{loc.parent, loc.name, nullptr}};
  (void)co_await d.child(at).unlink(CallCtx::root(), rm);
}

// Files (regular, symlinks, devices): on the placement child, with a linkfile on the hashed
// child when they differ.
template <class Req, class Fop>
Task<Result<EntryReply>> createFile(DistributeXlator& d, const CallCtx& ctx, const Req& in,
                                    Fop fop) {
  Req req = in;
  if (req.gfid.isNull()) req.gfid = Gfid::random();
  auto hashed = co_await hashedFor(d, ctx, req.loc);
  if (!hashed) co_return fail(hashed.error());
  int target = co_await d.placementFor(*hashed);
  if (target != *hashed) {
    Status link = co_await makeLinkfile(d, static_cast<size_t>(*hashed), req.loc,
                                        static_cast<size_t>(target), req.gfid);
    if (!link) co_return fail(link.error());
  }
  auto r = co_await (d.child(static_cast<size_t>(target)).*fop)(ctx, req);
  if (!r) {
    if (target != *hashed) co_await removeName(d, static_cast<size_t>(*hashed), req.loc);
    co_return r;
  }
  d.setCached(req.loc.inode, target);
  if constexpr (std::is_same_v<Req, CreateReq>) {
    setFdChild(d, req.fd, target);
    co_await leaseCreated(d, static_cast<size_t>(target), req.loc, req.fd);
  }
  co_return r;
}

}  // namespace

Task<Result<EntryReply>> DistributeXlator::create(const CallCtx& ctx, const CreateReq& req) {
  return createFile(*this, ctx, req, &Xlator::create);
}
Task<Result<EntryReply>> DistributeXlator::mknod(const CallCtx& ctx, const MknodReq& req) {
  return createFile(*this, ctx, req, &Xlator::mknod);
}
Task<Result<EntryReply>> DistributeXlator::symlink(const CallCtx& ctx, const SymlinkReq& req) {
  return createFile(*this, ctx, req, &Xlator::symlink);
}

// Directories: on the hashed child first (it decides EEXIST), then everywhere, each copy with
// its slice of the layout.
Task<Result<EntryReply>> DistributeXlator::mkdir(const CallCtx& ctx, const MkdirReq& in) {
  MkdirReq req = in;
  if (req.gfid.isNull()) req.gfid = Gfid::random();
  auto hashed = co_await hashedFor(*this, ctx, req.loc);
  if (!hashed) co_return fail(hashed.error());
  auto first = co_await child(static_cast<size_t>(*hashed)).mkdir(ctx, req);
  if (!first) co_return first;
  auto up = upChildren();
  std::vector<Task<Result<EntryReply>>> rest;
  for (size_t i = 0; i < childCount(); ++i)
    if (up[i] && static_cast<int>(i) != *hashed) rest.push_back(child(i).mkdir(ctx, req));
  (void)co_await whenAll(std::move(rest));
  Layout layout = Layout::uniform(childCount());
  Loc dir = req.loc;
  dir.inode = ownTable().link(ownTable().create(), nullptr, {}, first->stat);
  for (size_t i = 0; i < childCount(); ++i) {
    if (!up[i]) continue;
    SetxattrReq sx{dir, Dict{{kLayoutKey, encodeRange(*layout.get(i))}}, 0};
    (void)co_await child(i).setxattr(CallCtx::root(), sx);
  }
  setLayout(req.loc.inode, layout);
  co_return first;
}

Task<Result<EntryReply>> DistributeXlator::link(const CallCtx& ctx, const LinkReq& req) {
  auto hashed = co_await hashedFor(*this, ctx, req.newLoc);
  if (!hashed) co_return fail(hashed.error());
  size_t src = 0;
  auto r = co_await onLocated<EntryReply>(*this, ctx, req.oldLoc, [&](size_t i) {
    src = i;
    return child(i).link(ctx, req);
  });
  if (!r) co_return r;
  if (static_cast<size_t>(*hashed) != src)
    (void)co_await makeLinkfile(*this, static_cast<size_t>(*hashed), req.newLoc, src, r->stat.gfid);
  co_return r;
}

Task<Result<Empty>> DistributeXlator::unlink(const CallCtx& ctx, const UnlinkReq& req) {
  size_t at = 0;
  auto r = co_await onLocated<Empty>(*this, ctx, req.loc, [&](size_t i) {
    at = i;
    return child(i).unlink(ctx, req);
  });
  if (!r) co_return r;
  // The name's linkfile goes with the data. A client that has not seen the directory's layout
  // yet (it found the file by asking every child) loads it here, or the linkfile would stay.
  auto hashed = co_await hashedFor(*this, ctx, req.loc);
  if (hashed && static_cast<size_t>(*hashed) != at)
    co_await removeName(*this, static_cast<size_t>(*hashed), req.loc);
  co_return r;
}

// Every copy goes, or none: a copy that refuses (not empty) gets the others back.
Task<Result<Empty>> DistributeXlator::rmdir(const CallCtx& ctx, const RmdirReq& req) {
  auto up = upChildren();
  for (bool b : up)
    if (!b) co_return fail(ENOTCONN);  // a copy we cannot see may hold entries
  int hashed = hashedChild(req.loc.parent, req.loc.name);
  std::vector<size_t> order;
  for (size_t i = 0; i < childCount(); ++i)
    if (static_cast<int>(i) != hashed) order.push_back(i);
  if (hashed >= 0) order.push_back(static_cast<size_t>(hashed));
  std::vector<size_t> removed;
  for (size_t i : order) {
    auto r = co_await child(i).rmdir(ctx, req);
    if (r || r.errnum() == ENOENT) {
      removed.push_back(i);
      continue;
    }
    // Put back what we removed like the copy that refused: same gfid, mode and owner, so
    // permission checks answer the same on every child, and the slice it had when known.
    Iatt like;
    like.gfid = req.loc.gfid();
    like.mode = S_IFDIR | 0755;
    LookupReq probe{Loc{req.loc.parent, req.loc.name, ownTable().create()}, {}};
    if (auto st = co_await child(i).lookup(CallCtx::root(), probe); st && st->stat.isDir())
      like = st->stat;
    auto layout = layoutOf(req.loc.inode);
    for (size_t j : removed) {
      std::optional<Range> slice;
      if (layout) slice = layout->get(j);
      Status back = co_await remakeDirectoryCopy(*this, j, req.loc, like, slice);
      if (!back)
        GF_LOG_WARNING(name(), "%s: cannot put back the copy on %s: %s (lookup heals it)",
                       req.loc.path().c_str(), child(j).name().c_str(),
                       back.error().message().c_str());
    }
    co_return r;
  }
  co_return Empty{};
}

namespace {

// Whether directory `src` may be renamed over what `dst` names: nothing, itself, or a directory
// empty on every child. Each child judges only its own copy, and a copy empty there would be
// replaced while the one holding entries refuses, moving the source's entries into the
// non-empty target. An exchange needs a directory (a file is on one child only).
Task<Status> dirTargetReplaceable(DistributeXlator& d, const CallCtx& ctx, const Loc& src,
                                  const Loc& dst, uint32_t flags) {
  const bool exchange = flags & RENAME_EXCHANGE;
  Loc target{dst.parent, dst.name, d.ownTable().create()};
  auto found = co_await d.lookup(ctx, LookupReq{target, {}});
  if (!found && found.errnum() == ENOENT && !exchange) co_return Status{};
  if (!found) co_return found.error();
  if (!found->stat.isDir()) co_return fail(exchange ? EXDEV : ENOTDIR);
  if (exchange || (src.inode && found->stat.gfid == src.inode->gfid())) co_return Status{};
  target.inode = d.ownTable().link(target.inode, nullptr, {}, found->stat);
  FdPtr fd = makeFd(target.inode, O_RDONLY);
  auto opened = co_await d.opendir(CallCtx::root(), OpendirReq{target, fd});
  if (!opened) co_return opened.error();
  for (size_t i = 0; i < d.childCount(); ++i) {
    ReaddirpReq rd{fd, 4096, 0};
    while (true) {
      auto page = co_await d.child(i).readdirp(CallCtx::root(), rd);
      if (!page) co_return page.error();
      if (page->entries.empty()) break;
      for (const auto& e : page->entries) {
        if (e.name != "." && e.name != "..") co_return fail(ENOTEMPTY);
        rd.offset = e.offset;
      }
    }
  }
  co_return Status{};
}

}  // namespace

Task<Result<AttrReply>> DistributeXlator::rename(const CallCtx& ctx, const RenameReq& req) {
  bool isDir = req.oldLoc.inode && req.oldLoc.inode->isDir();
  if (isDir) {
    // Directories exist everywhere: rename every copy, once sure no copy will refuse for
    // reasons of its own (a target not empty there). The child the new name hashes to goes
    // first and decides the other errors; copies renamed before one refuses go back.
    auto up = upChildren();
    for (bool b : up)
      if (!b) co_return fail(ENOTCONN);
    Status ok = co_await dirTargetReplaceable(*this, ctx, req.oldLoc, req.newLoc, req.flags);
    if (!ok) co_return fail(ok.error());
    int hashed = hashedChild(req.newLoc.parent, req.newLoc.name);
    size_t first = hashed >= 0 ? static_cast<size_t>(hashed) : 0;
    auto r = co_await child(first).rename(ctx, req);
    if (!r) co_return r;
    std::vector<Task<Result<AttrReply>>> calls;
    std::vector<size_t> who;
    for (size_t i = 0; i < childCount(); ++i)
      if (i != first) {
        calls.push_back(child(i).rename(ctx, req));
        who.push_back(i);
      }
    auto rest = co_await whenAll(std::move(calls));
    std::optional<size_t> bad;
    for (size_t k = 0; k < rest.size() && !bad; ++k)
      if (!rest[k] && rest[k].errnum() != ENOENT) bad = k;  // no copy there: lookup makes it
    if (!bad) co_return r;
    RenameReq back{Loc{req.newLoc.parent, req.newLoc.name, req.oldLoc.inode},
                   Loc{req.oldLoc.parent, req.oldLoc.name, nullptr}, req.flags};
    std::vector<size_t> undo{first};
    for (size_t k = 0; k < rest.size(); ++k)
      if (rest[k]) undo.push_back(who[k]);
    for (size_t i : undo)
      if (auto b = co_await child(i).rename(CallCtx::root(), back); !b)
        GF_LOG_WARNING(name(), "%s: cannot rename the copy on %s back: %s (lookup heals it)",
                       req.oldLoc.path().c_str(), child(i).name().c_str(),
                       b.error().message().c_str());
    co_return std::move(rest[*bad]);
  }
  // Onto itself (the same name, or another link to the same file) rename does nothing; the
  // linkfile juggling below would remove the one linkfile both names share.
  bool sameName = req.oldLoc.parent == req.newLoc.parent && req.oldLoc.name == req.newLoc.name;
  bool sameFile = req.oldLoc.inode && req.oldLoc.inode == req.newLoc.inode;
  if (sameName || sameFile)
    co_return co_await onLocated<AttrReply>(*this, ctx, req.oldLoc,
                                            [&](size_t i) { return child(i).rename(ctx, req); });
  auto newHashed = co_await hashedFor(*this, ctx, req.newLoc);
  if (!newHashed) co_return fail(newHashed.error());
  auto oldHashed = co_await hashedFor(*this, ctx, req.oldLoc);
  // Where the file being replaced (if any) keeps its data.
  int dstCached = -1;
  if (req.newLoc.inode) {
    LookupReq probe{req.newLoc, {}};
    if (auto d = co_await lookup(ctx, probe); d) dstCached = cachedChild(req.newLoc.inode);
  }
  size_t src = 0;
  auto r = co_await onLocated<AttrReply>(*this, ctx, req.oldLoc, [&](size_t i) {
    src = i;
    return child(i).rename(ctx, req);
  });
  if (!r) co_return r;
  if (dstCached >= 0 && static_cast<size_t>(dstCached) != src)
    co_await removeName(*this, static_cast<size_t>(dstCached), req.newLoc);
  if (static_cast<size_t>(*newHashed) != src) {
    co_await removeName(*this, static_cast<size_t>(*newHashed), req.newLoc);
    Status s = co_await makeLinkfile(*this, static_cast<size_t>(*newHashed), req.newLoc, src,
                                     r->stat.gfid);
    if (!s)
      GF_LOG_WARNING(name(), "%s: cannot make linkfile on %s: %s", req.newLoc.path().c_str(),
                     child(static_cast<size_t>(*newHashed)).name().c_str(),
                     s.error().message().c_str());
  }
  if (oldHashed && static_cast<size_t>(*oldHashed) != src)
    co_await removeName(*this, static_cast<size_t>(*oldHashed), req.oldLoc);
  setCached(req.oldLoc.inode, static_cast<int>(src));
  co_return r;
}

}  // namespace gf
