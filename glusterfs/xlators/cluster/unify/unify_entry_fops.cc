// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/unify names: every change happens in the namespace and on the file's child (on every
// child for directories), namespace first so it never lists what does not exist.
#include <fcntl.h>
#include <stdio.h>  // RENAME_EXCHANGE
#include <sys/stat.h>

#include <optional>
#include <set>

#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/unify/unify_xlator.h"

namespace gf {

namespace {

Task<Result<int>> childOf(UnifyXlator& u, const CallCtx& ctx, const Loc& loc) {
  int c = u.cachedChild(loc.inode);
  if (c >= 0) co_return c;
  LookupReq req{loc, {}};
  auto r = co_await u.lookup(ctx, req);
  if (!r) co_return fail(r.error());
  c = u.cachedChild(loc.inode);
  co_return c;  // -1 for a directory
}

// The namespace entry for a file: empty, but of the file's type (listings take d_type from
// it), and a symlink with its target, as 2.0 made them.
template <class Req>
Task<Result<EntryReply>> nsEntry(UnifyXlator& u, const CallCtx& ctx, const Req& req) {
  if constexpr (std::is_same_v<Req, SymlinkReq>) {
    co_return co_await u.ns().symlink(ctx, req);
  } else {
    MknodReq placeholder{req.loc, S_IFREG | 0600, 0, 0, req.gfid};
    if constexpr (std::is_same_v<Req, MknodReq>) {
      if (req.mode & S_IFMT) placeholder.mode = (req.mode & S_IFMT) | 0600;
      placeholder.rdev = req.rdev;
    }
    co_return co_await u.ns().mknod(ctx, placeholder);
  }
}

// A namespace entry for a new file, then the file on the scheduled child; the entry goes again
// if the child refuses.
template <class Req, class Fop>
Task<Result<EntryReply>> createFile(UnifyXlator& u, const CallCtx& ctx, const Req& in, Fop fop) {
  Req req = in;
  if (req.gfid.isNull()) req.gfid = Gfid::random();
  auto ns = co_await nsEntry(u, ctx, req);
  if (!ns) co_return ns;
  int c = co_await u.schedule(req.loc.name);
  if (c < 0) {
    UnlinkReq undo{req.loc};
    (void)co_await u.ns().unlink(ctx, undo);
    GF_LOG_ERROR(u.name(), "%s: no child has room (min-free-disk)", req.loc.path().c_str());
    co_return fail(ENOSPC);
  }
  auto r = co_await (u.child(static_cast<size_t>(c)).*fop)(ctx, req);
  if (!r) {
    UnlinkReq undo{req.loc};
    (void)co_await u.ns().unlink(ctx, undo);
    co_return r;
  }
  u.setCached(req.loc.inode, c);
  if constexpr (std::is_same_v<Req, CreateReq>) {
    u.setFdChild(req.fd, c);
    u.noteOpen(c, 1);
  }
  co_return r;
}

}  // namespace

Task<Result<EntryReply>> UnifyXlator::create(const CallCtx& ctx, const CreateReq& req) {
  return createFile(*this, ctx, req, &Xlator::create);
}
Task<Result<EntryReply>> UnifyXlator::mknod(const CallCtx& ctx, const MknodReq& req) {
  return createFile(*this, ctx, req, &Xlator::mknod);
}
Task<Result<EntryReply>> UnifyXlator::symlink(const CallCtx& ctx, const SymlinkReq& req) {
  return createFile(*this, ctx, req, &Xlator::symlink);
}

Task<Result<EntryReply>> UnifyXlator::mkdir(const CallCtx& ctx, const MkdirReq& in) {
  MkdirReq req = in;
  if (req.gfid.isNull()) req.gfid = Gfid::random();
  auto ns = co_await this->ns().mkdir(ctx, req);
  if (!ns) co_return ns;
  auto up = upChildren();
  std::vector<Task<Result<EntryReply>>> calls;
  for (size_t i = 0; i < childCount(); ++i)
    if (up[i]) calls.push_back(child(i).mkdir(ctx, req));
  auto all = co_await whenAll(std::move(calls));
  for (auto& r : all)
    if (!r && r.errnum() != EEXIST)
      GF_LOG_WARNING(name(), "%s: mkdir on a child failed (%s); self-heal will make it",
                     req.loc.path().c_str(), r.error().message().c_str());
  co_return ns;
}

Task<Result<Empty>> UnifyXlator::unlink(const CallCtx& ctx, const UnlinkReq& req) {
  auto c = co_await childOf(*this, ctx, req.loc);
  if (!c) co_return fail(c.error());
  if (*c >= 0) {
    auto r = co_await child(static_cast<size_t>(*c)).unlink(ctx, req);
    if (!r && r.errnum() != ENOENT) co_return r;
  }
  co_return co_await ns().unlink(ctx, req);
}

// The namespace goes first: if it is not empty, nothing is touched. A child that still has
// entries (strays the namespace never knew) gets its namespace directory back.
Task<Result<Empty>> UnifyXlator::rmdir(const CallCtx& ctx, const RmdirReq& req) {
  auto r = co_await ns().rmdir(ctx, req);
  if (!r) co_return r;
  auto up = upChildren();
  std::vector<Task<Result<Empty>>> calls;
  for (size_t i = 0; i < childCount(); ++i)
    if (up[i]) calls.push_back(child(i).rmdir(ctx, req));
  auto all = co_await whenAll(std::move(calls));
  for (auto& c : all)
    if (!c && c.errnum() != ENOENT) {
      MkdirReq back{req.loc, 0755, 0, req.loc.gfid()};
      (void)co_await ns().mkdir(CallCtx::root(), back);
      co_return c;
    }
  co_return r;
}

namespace {

// Puts back a namespace entry: of `st`'s type, with its gfid and owner. A symlink's target is
// read from child `holder`, which still has the file.
Task<Status> restoreNsEntry(UnifyXlator& u, const Loc& where, const Iatt& st, int holder) {
  const CallCtx root = CallCtx::root();
  Loc at{where.parent, where.name, u.ownTable().create()};
  Result<EntryReply> made = fail(EINVAL);
  if (st.isDir()) {
    made = co_await u.ns().mkdir(root, MkdirReq{at, st.mode & 07777, 0, st.gfid});
  } else if (st.isLink()) {
    if (holder < 0) co_return fail(ENOENT);
    Loc file{where.parent, where.name, u.ownTable().link(u.ownTable().create(), nullptr, {}, st)};
    auto target = co_await u.child(static_cast<size_t>(holder)).readlink(root, ReadlinkReq{file});
    if (!target) co_return target.error();
    made = co_await u.ns().symlink(root, SymlinkReq{target->target, at, 0, st.gfid});
  } else {
    made = co_await u.ns().mknod(root, MknodReq{at, st.type() | 0600, st.rdev, 0, st.gfid});
  }
  if (!made) co_return made.error();
  if (made->stat.uid != st.uid || made->stat.gid != st.gid) {
    Loc done{where.parent, where.name, u.ownTable().link(at.inode, nullptr, {}, made->stat)};
    (void)co_await u.ns().setattr(root, SetattrReq{done, st, kSetUid | kSetGid});
  }
  co_return Status{};
}

// Undoes a namespace rename whose data side failed: the entry goes back to its old name, and
// the entry it replaced (`replaced`, its data on child `holder`) is made again.
Task<void> undoNsRename(UnifyXlator& u, const RenameReq& req, const std::optional<Iatt>& replaced,
                        int holder) {
  const CallCtx root = CallCtx::root();
  RenameReq back{Loc{req.newLoc.parent, req.newLoc.name, req.oldLoc.inode},
                 Loc{req.oldLoc.parent, req.oldLoc.name, nullptr}, req.flags};
  if (auto r = co_await u.ns().rename(root, back); !r) {
    GF_LOG_ERROR(u.name(), "%s -> %s: cannot undo the namespace rename (%s)",
                 req.oldLoc.path().c_str(), req.newLoc.path().c_str(), r.error().message().c_str());
    co_return;
  }
  if (!replaced || (req.flags & RENAME_EXCHANGE)) co_return;
  if (auto r = co_await restoreNsEntry(u, req.newLoc, *replaced, holder); !r)
    GF_LOG_ERROR(u.name(), "%s: cannot restore the namespace entry (%s)", req.newLoc.path().c_str(),
                 r.error().message().c_str());
}

}  // namespace

// Namespace first, then the data: the file's one child, or every copy of a directory. When
// the data side refuses, the namespace (and the directory copies already renamed) go back, so
// the namespace and the children keep naming the same files.
Task<Result<AttrReply>> UnifyXlator::rename(const CallCtx& ctx, const RenameReq& req) {
  auto src = co_await childOf(*this, ctx, req.oldLoc);
  if (!src) co_return fail(src.error());
  // What the new name holds now: its data copy may be on another child (and must go), and a
  // failed rename must put it back. The caller's Loc may not carry its inode, so ask by name.
  std::optional<Iatt> replaced;
  int dst = -1;
  {
    Loc probe{req.newLoc.parent, req.newLoc.name,
              req.newLoc.inode ? req.newLoc.inode : ownTable().create()};
    if (auto d = co_await lookup(ctx, LookupReq{probe, {}}); d) {
      replaced = d->stat;
      dst = cachedChild(probe.inode);
    }
  }
  auto ns = co_await this->ns().rename(ctx, req);
  if (!ns) co_return ns;
  if (*src < 0) {
    auto up = upChildren();
    std::vector<Task<Result<AttrReply>>> calls;
    std::vector<size_t> who;
    for (size_t i = 0; i < childCount(); ++i)
      if (up[i]) {
        calls.push_back(child(i).rename(ctx, req));
        who.push_back(i);
      }
    auto all = co_await whenAll(std::move(calls));
    // A child without the directory has nothing to rename; lookup will make its copy.
    size_t bad = all.size();
    for (size_t k = 0; k < all.size() && bad == all.size(); ++k)
      if (!all[k] && all[k].errnum() != ENOENT) bad = k;
    if (bad == all.size()) co_return ns;
    const CallCtx root = CallCtx::root();
    RenameReq back{Loc{req.newLoc.parent, req.newLoc.name, req.oldLoc.inode},
                   Loc{req.oldLoc.parent, req.oldLoc.name, nullptr}, req.flags};
    std::vector<Task<Result<AttrReply>>> undo;
    for (size_t k = 0; k < all.size(); ++k)
      if (all[k]) undo.push_back(child(who[k]).rename(root, back));
    (void)co_await whenAll(std::move(undo));
    co_await undoNsRename(*this, req, replaced, dst);
    co_return std::move(all[bad]);
  }
  auto r = co_await child(static_cast<size_t>(*src)).rename(ctx, req);
  if (!r) {
    co_await undoNsRename(*this, req, replaced, dst);
    co_return r;
  }
  // The file it replaced lived on another child: remove that copy.
  if (dst >= 0 && dst != *src && !(req.flags & RENAME_EXCHANGE)) {
    UnlinkReq gone{Loc{req.newLoc.parent, req.newLoc.name, nullptr}};
    (void)co_await child(static_cast<size_t>(dst)).unlink(CallCtx::root(), gone);
  }
  co_return r;
}

Task<Result<EntryReply>> UnifyXlator::link(const CallCtx& ctx, const LinkReq& req) {
  auto src = co_await childOf(*this, ctx, req.oldLoc);
  if (!src) co_return fail(src.error());
  if (*src < 0) co_return fail(EPERM);
  auto ns = co_await this->ns().link(ctx, req);
  if (!ns) co_return ns;
  auto r = co_await child(static_cast<size_t>(*src)).link(ctx, req);
  if (!r) {
    UnlinkReq undo{req.newLoc};
    (void)co_await this->ns().unlink(ctx, undo);
  }
  co_return r;
}

// Files a child has that the namespace lacks (written while the namespace was down, or from
// an older volume) get their namespace entry.
Task<void> UnifyXlator::healNamespace(const CallCtx& ctx, const Loc& dir) {
  auto listNames = [&](Xlator& x) -> Task<std::map<std::string, Iatt>> {
    std::map<std::string, Iatt> out;
    FdPtr fd = makeFd(dir.inode, O_RDONLY);
    OpendirReq open{dir, fd};
    if (!co_await x.opendir(ctx, open)) co_return out;
    uint64_t off = 0;
    while (true) {
      ReaddirpReq rd{fd, 128 * 1024, off};
      auto r = co_await x.readdirp(ctx, rd);
      if (!r || r->entries.empty()) break;
      for (auto& e : r->entries) {
        off = e.offset;
        if (e.name != "." && e.name != "..") out[e.name] = e.stat;
      }
    }
    co_return out;
  };
  auto inNs = co_await listNames(ns());
  auto up = upChildren();
  size_t added = 0;
  for (size_t i = 0; i < childCount(); ++i) {
    if (!up[i]) continue;
    auto names = co_await listNames(child(i));
    for (const auto& [n, st] : names) {
      if (inNs.count(n) || st.isDir()) continue;
      if (co_await restoreNsEntry(*this, Loc{dir.inode, n, nullptr}, st, static_cast<int>(i))) {
        inNs[n] = st;
        ++added;
      }
    }
  }
  if (added) GF_LOG_INFO(name(), "%s: %zu namespace entries restored", dir.path().c_str(), added);
}

}  // namespace gf
