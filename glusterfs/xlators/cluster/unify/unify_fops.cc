// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/unify fops: the namespace decides what exists and lists directories; a file's data
// and attributes are on its one child; directories and their attributes are on every child.
#include <sys/stat.h>

#include "glusterfs/core/log.h"
#include "glusterfs/core/statfs_sum.h"
#include "glusterfs/xlators/cluster/unify/unify_xlator.h"

namespace gf {

namespace {

bool isDir(const Loc& loc) { return loc.inode && loc.inode->isDir(); }

// Every live child (and, when `withNs`, the namespace first); the first error wins.
template <class Rep, class Call>
Task<Result<Rep>> everywhere(UnifyXlator& u, bool withNs, Call call) {
  Result<Rep> first = fail(ENOTCONN);
  if (withNs) {
    first = co_await call(u.ns());
    if (!first) co_return first;
  }
  auto up = u.upChildren();
  std::vector<Task<Result<Rep>>> calls;
  for (size_t i = 0; i < u.childCount(); ++i)
    if (up[i]) calls.push_back(call(u.child(i)));
  auto all = co_await whenAll(std::move(calls));
  for (auto& r : all)
    if (!r && r.errnum() != ENOENT) co_return std::move(r);
  if (withNs) co_return first;
  for (auto& r : all)
    if (r) co_return std::move(r);
  co_return fail(ENOENT);
}

// The child holding a file, found by looking on every child if this client does not know.
Task<Result<int>> locate(UnifyXlator& u, const CallCtx& ctx, const Loc& loc) {
  int c = u.cachedChild(loc.inode);
  if (c >= 0) co_return c;
  LookupReq req{loc, {}};
  auto r = co_await u.lookup(ctx, req);
  if (!r) co_return fail(r.error());
  c = u.cachedChild(loc.inode);
  if (c < 0) co_return fail(EISDIR);
  co_return c;
}

template <class Rep, class Call>
Task<Result<Rep>> onFileChild(UnifyXlator& u, const CallCtx& ctx, const Loc& loc, Call call) {
  auto c = co_await locate(u, ctx, loc);
  if (!c) co_return fail(c.error());
  co_return co_await call(u.child(static_cast<size_t>(*c)));
}

}  // namespace

Task<Result<EntryReply>> UnifyXlator::lookup(const CallCtx& ctx, const LookupReq& req) {
  auto nsr = co_await ns().lookup(ctx, req);
  if (!nsr) co_return nsr;
  auto up = upChildren();
  if (nsr->stat.isDir()) {
    std::vector<Task<Result<EntryReply>>> calls;
    std::vector<size_t> who;
    for (size_t i = 0; i < childCount(); ++i)
      if (up[i]) {
        calls.push_back(child(i).lookup(ctx, req));
        who.push_back(i);
      }
    auto all = co_await whenAll(std::move(calls));
    if (config().selfHeal && req.loc.parent) {
      for (size_t k = 0; k < who.size(); ++k) {
        if (all[k] || all[k].errnum() != ENOENT) continue;
        CallCtx owner = CallCtx::root();
        owner.uid = nsr->stat.uid;
        owner.gid = nsr->stat.gid;
        MkdirReq mk{Loc{req.loc.parent, req.loc.name, ownTable().create()}, nsr->stat.mode & 07777,
                    0, nsr->stat.gfid};
        if (co_await child(who[k]).mkdir(owner, mk))
          GF_LOG_INFO(name(), "%s: directory created on %s", req.loc.path().c_str(),
                      child(who[k]).name().c_str());
      }
    }
    if (config().selfHeal && req.loc.inode && dirHealed(req.loc.inode)) {
      // The caller's inode gets its gfid only when this lookup returns; the heal's calls
      // inside the directory need it now.
      Loc dir = req.loc;
      if (!dir.inode->linked())
        dir.inode = ownTable().link(ownTable().create(), nullptr, {}, nsr->stat);
      co_await healNamespace(ctx, dir);
    }
    co_return nsr;
  }
  // A file: its one data copy.
  int known = cachedChild(req.loc.inode);
  if (known >= 0 && up[known]) {
    auto r = co_await child(known).lookup(ctx, req);
    if (r) co_return r;
  }
  std::vector<Task<Result<EntryReply>>> calls;
  std::vector<size_t> who;
  for (size_t i = 0; i < childCount(); ++i)
    if (up[i]) {
      calls.push_back(child(i).lookup(ctx, req));
      who.push_back(i);
    }
  auto all = co_await whenAll(std::move(calls));
  int found = -1;
  size_t foundAt = 0;
  for (size_t k = 0; k < who.size(); ++k) {
    if (!all[k]) continue;
    if (found >= 0) {
      GF_LOG_WARNING(name(), "%s is on %s and %s; using the newer copy", req.loc.path().c_str(),
                     child(found).name().c_str(), child(who[k]).name().c_str());
      if (all[k]->stat.mtime <= all[foundAt]->stat.mtime) continue;
    }
    found = static_cast<int>(who[k]);
    foundAt = k;
  }
  if (found < 0) {
    bool someDown = who.size() < childCount();
    GF_LOG_WARNING(name(), "%s: in the namespace but on no %schild", req.loc.path().c_str(),
                   someDown ? "reachable " : "");
    co_return fail(someDown ? ENOTCONN : ENOENT);
  }
  setCached(req.loc.inode, found);
  co_return std::move(all[foundAt]);
}

#define GF_UNIFY_FILE(Rep, call) \
  return onFileChild<Rep>(*this, ctx, req.loc, [&ctx, &req](Xlator& x) { return x.call; })
#define GF_UNIFY_FD(call)                      \
  do {                                         \
    int c = fdChild(req.fd);                   \
    if (c < 0) return ns().call;               \
    return child(static_cast<size_t>(c)).call; \
  } while (0)

Task<Result<AttrReply>> UnifyXlator::stat(const CallCtx& ctx, const StatReq& req) {
  if (isDir(req.loc)) return ns().stat(ctx, req);
  GF_UNIFY_FILE(AttrReply, stat(ctx, req));
}
Task<Result<AttrReply>> UnifyXlator::setattr(const CallCtx& ctx, const SetattrReq& req) {
  if (isDir(req.loc))
    return everywhere<AttrReply>(*this, true,
                                 [&ctx, &req](Xlator& x) { return x.setattr(ctx, req); });
  GF_UNIFY_FILE(AttrReply, setattr(ctx, req));
}
Task<Result<AttrReply>> UnifyXlator::truncate(const CallCtx& ctx, const TruncateReq& req) {
  GF_UNIFY_FILE(AttrReply, truncate(ctx, req));
}
Task<Result<Empty>> UnifyXlator::access(const CallCtx& ctx, const AccessReq& req) {
  if (isDir(req.loc)) return ns().access(ctx, req);
  GF_UNIFY_FILE(Empty, access(ctx, req));
}
Task<Result<ReadlinkReply>> UnifyXlator::readlink(const CallCtx& ctx, const ReadlinkReq& req) {
  GF_UNIFY_FILE(ReadlinkReply, readlink(ctx, req));
}
Task<Result<Empty>> UnifyXlator::setxattr(const CallCtx& ctx, const SetxattrReq& req) {
  if (isDir(req.loc))
    return everywhere<Empty>(*this, true, [&ctx, &req](Xlator& x) { return x.setxattr(ctx, req); });
  GF_UNIFY_FILE(Empty, setxattr(ctx, req));
}
Task<Result<XattrReply>> UnifyXlator::getxattr(const CallCtx& ctx, const GetxattrReq& req) {
  if (isDir(req.loc)) return ns().getxattr(ctx, req);
  GF_UNIFY_FILE(XattrReply, getxattr(ctx, req));
}
Task<Result<ListxattrReply>> UnifyXlator::listxattr(const CallCtx& ctx, const ListxattrReq& req) {
  if (isDir(req.loc)) return ns().listxattr(ctx, req);
  GF_UNIFY_FILE(ListxattrReply, listxattr(ctx, req));
}
Task<Result<Empty>> UnifyXlator::removexattr(const CallCtx& ctx, const RemovexattrReq& req) {
  if (isDir(req.loc))
    return everywhere<Empty>(*this, true,
                             [&ctx, &req](Xlator& x) { return x.removexattr(ctx, req); });
  GF_UNIFY_FILE(Empty, removexattr(ctx, req));
}
Task<Result<XattrReply>> UnifyXlator::xattrop(const CallCtx& ctx, const XattropReq& req) {
  if (isDir(req.loc)) return ns().xattrop(ctx, req);
  GF_UNIFY_FILE(XattrReply, xattrop(ctx, req));
}
Task<Result<Empty>> UnifyXlator::inodelk(const CallCtx& ctx, const InodelkReq& req) {
  if (isDir(req.loc)) return ns().inodelk(ctx, req);
  GF_UNIFY_FILE(Empty, inodelk(ctx, req));
}
// Names are the namespace's business: entry locks live there.
Task<Result<Empty>> UnifyXlator::entrylk(const CallCtx& ctx, const EntrylkReq& req) {
  return ns().entrylk(ctx, req);
}
Task<Result<Empty>> UnifyXlator::fentrylk(const CallCtx& ctx, const FentrylkReq& req) {
  return ns().fentrylk(ctx, req);
}

Task<Result<Empty>> UnifyXlator::open(const CallCtx& ctx, const OpenReq& req) {
  auto c = co_await locate(*this, ctx, req.loc);
  if (!c) co_return fail(c.error());
  auto r = co_await child(static_cast<size_t>(*c)).open(ctx, req);
  if (r) {
    setFdChild(req.fd, *c);
    noteOpen(*c, 1);
  }
  co_return r;
}
Task<Result<Empty>> UnifyXlator::opendir(const CallCtx& ctx, const OpendirReq& req) {
  auto r = co_await ns().opendir(ctx, req);
  if (r) setFdChild(req.fd, -1);
  co_return r;
}

Task<Result<AttrReply>> UnifyXlator::fstat(const CallCtx& ctx, const FstatReq& req) {
  GF_UNIFY_FD(fstat(ctx, req));
}
Task<Result<AttrReply>> UnifyXlator::fsetattr(const CallCtx& ctx, const FsetattrReq& req) {
  GF_UNIFY_FD(fsetattr(ctx, req));
}
Task<Result<AttrReply>> UnifyXlator::ftruncate(const CallCtx& ctx, const FtruncateReq& req) {
  GF_UNIFY_FD(ftruncate(ctx, req));
}
Task<Result<ReadvReply>> UnifyXlator::readv(const CallCtx& ctx, const ReadvReq& req) {
  int c = fdChild(req.fd);
  if (c < 0) co_return fail(EISDIR);
  auto r = co_await child(static_cast<size_t>(c)).readv(ctx, req);
  if (r) noteIo(c, r->data.size(), 0);
  co_return r;
}
Task<Result<WriteReply>> UnifyXlator::writev(const CallCtx& ctx, const WritevReq& req) {
  int c = fdChild(req.fd);
  if (c < 0) co_return fail(EISDIR);
  auto r = co_await child(static_cast<size_t>(c)).writev(ctx, req);
  if (r) noteIo(c, 0, r->size);
  co_return r;
}
Task<Result<Empty>> UnifyXlator::flush(const CallCtx& ctx, const FlushReq& req) {
  GF_UNIFY_FD(flush(ctx, req));
}
Task<Result<Empty>> UnifyXlator::fsync(const CallCtx& ctx, const FsyncReq& req) {
  GF_UNIFY_FD(fsync(ctx, req));
}
Task<Result<Empty>> UnifyXlator::fsyncdir(const CallCtx& ctx, const FsyncdirReq& req) {
  return ns().fsyncdir(ctx, req);
}
Task<Result<Empty>> UnifyXlator::fsetxattr(const CallCtx& ctx, const FsetxattrReq& req) {
  GF_UNIFY_FD(fsetxattr(ctx, req));
}
Task<Result<XattrReply>> UnifyXlator::fgetxattr(const CallCtx& ctx, const FgetxattrReq& req) {
  GF_UNIFY_FD(fgetxattr(ctx, req));
}
Task<Result<Empty>> UnifyXlator::fremovexattr(const CallCtx& ctx, const FremovexattrReq& req) {
  GF_UNIFY_FD(fremovexattr(ctx, req));
}
Task<Result<XattrReply>> UnifyXlator::fxattrop(const CallCtx& ctx, const FxattropReq& req) {
  GF_UNIFY_FD(fxattrop(ctx, req));
}
Task<Result<LkReply>> UnifyXlator::lk(const CallCtx& ctx, const LkReq& req) {
  GF_UNIFY_FD(lk(ctx, req));
}
Task<Result<Empty>> UnifyXlator::finodelk(const CallCtx& ctx, const FinodelkReq& req) {
  GF_UNIFY_FD(finodelk(ctx, req));
}
Task<Result<Empty>> UnifyXlator::fallocate(const CallCtx& ctx, const FallocateReq& req) {
  GF_UNIFY_FD(fallocate(ctx, req));
}
Task<Result<LseekReply>> UnifyXlator::lseek(const CallCtx& ctx, const LseekReq& req) {
  GF_UNIFY_FD(lseek(ctx, req));
}
Task<Result<RchecksumReply>> UnifyXlator::rchecksum(const CallCtx& ctx, const RchecksumReq& req) {
  GF_UNIFY_FD(rchecksum(ctx, req));
}

// Listings come from the namespace; its entries for files are empty placeholders, so their
// attributes are left for a lookup to fetch from the file's child.
namespace {
Task<Result<ReaddirReply>> nsListing(UnifyXlator& u, const CallCtx& ctx, const ReaddirpReq& req) {
  auto r = co_await u.ns().readdirp(ctx, req);
  if (!r) co_return r;
  for (auto& e : r->entries) {
    if (e.stat.isDir()) continue;
    Iatt brief;
    brief.mode = e.stat.type();
    brief.ino = e.stat.ino;
    e.stat = brief;  // no gfid: readdirplus will not claim to know this entry's attributes
  }
  co_return r;
}
}  // namespace

Task<Result<ReaddirReply>> UnifyXlator::readdir(const CallCtx& ctx, const ReaddirReq& req) {
  return ns().readdir(ctx, req);
}
Task<Result<ReaddirReply>> UnifyXlator::readdirp(const CallCtx& ctx, const ReaddirpReq& req) {
  return nsListing(*this, ctx, req);
}

Task<Result<StatfsReply>> UnifyXlator::statfs(const CallCtx& ctx, const StatfsReq& req) {
  auto up = upChildren();
  std::vector<Task<Result<StatfsReply>>> calls;
  for (size_t i = 0; i < childCount(); ++i)
    if (up[i]) calls.push_back(child(i).statfs(ctx, req));
  if (calls.empty()) co_return fail(ENOTCONN);
  auto all = co_await whenAll(std::move(calls));
  co_return sumStatfs(all);
}

}  // namespace gf
