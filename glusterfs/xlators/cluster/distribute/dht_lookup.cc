// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/distribute lookup: files on their hashed child (following linkfiles), directories
// on every child with their copies and layouts healed.
#include <sys/stat.h>

#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/distribute/dht_internal.h"

namespace gf {

using namespace dht;

namespace {
void stripDhtKeys(Dict& d) {
  d.erase(kLayoutKey);
  d.erase(kLinktoKey);
}
}  // namespace

LookupReq dhtLookupReq(const LookupReq& req) {
  LookupReq r = req;
  r.xattrs.push_back(kLayoutKey);
  r.xattrs.push_back(kLinktoKey);
  return r;
}

Task<Result<EntryReply>> DistributeXlator::lookup(const CallCtx& ctx, const LookupReq& req) {
  if (!req.loc.parent || req.loc.name.empty() || (req.loc.inode && req.loc.inode->isDir()))
    co_return co_await lookupEverywhere(*this, ctx, req);
  int hashed = hashedChild(req.loc.parent, req.loc.name);
  if (hashed < 0 || !upChildren()[hashed]) co_return co_await lookupEverywhere(*this, ctx, req);
  LookupReq r = dhtLookupReq(req);
  auto res = co_await child(hashed).lookup(ctx, r);
  if (res && res->stat.isDir()) co_return co_await lookupEverywhere(*this, ctx, req);
  // Between a move's mknod and its linkto, the hashed child holds an empty ---------T file:
  // the message is still on its old child, found by looking everywhere.
  if (res && mayBeLinkfileInTheMaking(res->stat, res->xdata))
    co_return co_await lookupEverywhere(*this, ctx, req);
  if (res && isLinkfile(res->stat, res->xdata)) {
    int target = childIndex(res->xdata[kLinktoKey]);
    if (target >= 0) {
      auto data = co_await child(target).lookup(ctx, r);
      if (data && !isLinkfile(data->stat, data->xdata) && data->stat.gfid == res->stat.gfid) {
        setCached(req.loc.inode, target);
        stripDhtKeys(data->xdata);
        co_return std::move(*data);
      }
    }
    GF_LOG_DEBUG(name(), "%s: stale linkfile on %s", req.loc.path().c_str(),
                 child(hashed).name().c_str());
    co_return co_await lookupEverywhere(*this, ctx, req);
  }
  if (res) {
    setCached(req.loc.inode, hashed);
    stripDhtKeys(res->xdata);
    co_return std::move(*res);
  }
  if (res.errnum() == ENOENT && !config().lookupUnhashed) co_return res;
  auto anywhere = co_await lookupEverywhere(*this, ctx, req);
  // The hashed child answered: whatever distribute made under this name is there or has a
  // linkfile there, so a child that is down elsewhere can hide only strays. Calling the name
  // unknown would refuse every create in the directory while any child is down.
  if (!anywhere && anywhere.errnum() == ENOTCONN && res.errnum() == ENOENT) co_return res;
  co_return anywhere;
}

Task<Result<EntryReply>> lookupEverywhere(DistributeXlator& dht, const CallCtx& ctx,
                                          const LookupReq& req) {
  const size_t n = dht.childCount();
  auto up = dht.upChildren();
  LookupReq r = dhtLookupReq(req);
  std::vector<Task<Result<EntryReply>>> calls;
  std::vector<size_t> who;
  for (size_t i = 0; i < n; ++i)
    if (up[i]) {
      calls.push_back(dht.child(i).lookup(ctx, r));
      who.push_back(i);
    }
  if (calls.empty()) co_return fail(ENOTCONN);
  auto all = co_await whenAll(std::move(calls));
  std::vector<std::optional<Result<EntryReply>>> byChild(n);
  bool anyDown = who.size() < n, anyDir = false;
  int data = -1, unfinished = -1, refused = 0;
  for (size_t k = 0; k < who.size(); ++k) {
    auto& res = all[k];
    if (res && res->stat.isDir())
      anyDir = true;
    else if (res && mayBeLinkfileInTheMaking(res->stat, res->xdata) && unfinished < 0)
      unfinished = static_cast<int>(who[k]);
    else if (res && !isLinkfile(res->stat, res->xdata) && data < 0)
      data = static_cast<int>(who[k]);
    else if (!res && res.errnum() == ENOTCONN)
      anyDown = true;
    else if (!res && res.errnum() != ENOENT && refused == 0)
      refused = res.errnum();
    byChild[who[k]] = std::move(res);
  }
  if (anyDir) co_return co_await mergeDirectory(dht, ctx, req.loc, std::move(byChild));
  // Only an empty ---------T file: then it is what the user made (chmod 1000 of an empty file).
  if (data < 0) data = unfinished;
  if (data >= 0) {
    dht.setCached(req.loc.inode, data);
    EntryReply out = std::move(byChild[data]->value());
    stripDhtKeys(out.xdata);
    co_return out;
  }
  // A child that answered with a reason (ENAMETOOLONG, EACCES, ENOTDIR, ...) says why the name
  // cannot be looked up; it would say the same of every copy.
  if (refused != 0) co_return fail(refused);
  // Nowhere we could look: with a child down, "no such file" would be a guess.
  co_return fail(anyDown ? ENOTCONN : ENOENT);
}

Task<Status> remakeDirectoryCopy(DistributeXlator& dht, size_t at, const Loc& loc, const Iatt& like,
                                 const std::optional<Range>& slice) {
  // Made as root, then given its owner: the owner may lack write permission on the parent,
  // and a copy made by someone else would answer permission checks differently.
  MkdirReq mk{Loc{loc.parent, loc.name, dht.ownTable().create()}, like.mode & 07777, 0, like.gfid};
  auto made = co_await dht.child(at).mkdir(CallCtx::root(), mk);
  if (!made) {
    if (made.errnum() == EEXIST) co_return Status{};  // a racing healer made it, whole
    co_return made.error();
  }
  Loc dir{loc.parent, loc.name,
          dht.ownTable().link(dht.ownTable().create(), nullptr, {}, made->stat)};
  // mkdir may drop bits (setgid, sticky) that a chmod keeps.
  uint32_t valid = 0;
  if (made->stat.uid != like.uid || made->stat.gid != like.gid) valid |= kSetUid | kSetGid;
  if ((made->stat.mode & 07777) != (like.mode & 07777)) valid |= kSetMode;
  if (valid) {
    SetattrReq same{dir, like, valid};
    auto r = co_await dht.child(at).setattr(CallCtx::root(), same);
    if (!r) co_return r.error();
  }
  if (slice) {
    SetxattrReq sx{dir, Dict{{kLayoutKey, encodeRange(*slice)}}, 0};
    auto r = co_await dht.child(at).setxattr(CallCtx::root(), sx);
    if (!r) co_return r.error();
  }
  co_return Status{};
}

Task<Result<EntryReply>> mergeDirectory(DistributeXlator& dht, const CallCtx& ctx, const Loc& loc,
                                        std::vector<std::optional<Result<EntryReply>>> copies) {
  const size_t n = dht.childCount();
  int first = -1;
  for (size_t i = 0; i < n; ++i)
    if (copies[i] && copies[i]->ok() && copies[i]->value().stat.isDir()) {
      first = static_cast<int>(i);
      break;
    }
  if (first < 0) co_return fail(ENOENT);
  const Iatt dirStat = copies[first]->value().stat;
  // Every child holds a copy of every directory: make the missing ones.
  if (loc.parent && !loc.name.empty()) {
    for (size_t i = 0; i < n; ++i) {
      if (!copies[i] || copies[i]->ok() || copies[i]->errnum() != ENOENT) continue;
      // No slice yet: the copy makes the layout incomplete, which the heal below rewrites.
      Status made = co_await remakeDirectoryCopy(dht, i, loc, dirStat, std::nullopt);
      if (!made) {
        GF_LOG_WARNING(dht.name(), "%s: cannot create the missing directory on %s: %s",
                       loc.path().c_str(), dht.child(i).name().c_str(),
                       made.error().message().c_str());
        continue;
      }
      LookupReq again = dhtLookupReq(LookupReq{loc, {}});
      copies[i] = co_await dht.child(i).lookup(ctx, again);
      GF_LOG_INFO(dht.name(), "%s: directory created on %s (missing there)", loc.path().c_str(),
                  dht.child(i).name().c_str());
    }
  }
  Layout layout(n);
  for (size_t i = 0; i < n; ++i)
    if (copies[i] && copies[i]->ok()) {
      auto it = copies[i]->value().xdata.find(kLayoutKey);
      if (it != copies[i]->value().xdata.end()) layout.set(i, decodeRange(it->second));
    }
  // Holes or overlaps among the live copies: healed under the directory's layout lock (a
  // rebalance may be halfway through writing a new one).
  bool allLive = true;
  for (size_t i = 0; i < n; ++i) allLive = allLive && copies[i] && copies[i]->ok();
  if (!layout.complete() && allLive) {
    layout = co_await healLayout(dht, loc, layout);
  }
  if (!layout.complete()) {
    // Some copies are unreachable: hash as the uniform layout would, never write.
    layout = Layout::uniform(n);
  }
  dht.setLayout(loc.inode, layout);
  EntryReply out = std::move(copies[first]->value());
  out.xdata.erase(kLayoutKey);
  out.xdata.erase(kLinktoKey);
  // A directory's size and link count are the first copy's; its times, the newest.
  for (size_t i = 0; i < n; ++i)
    if (copies[i] && copies[i]->ok()) mergeDirTimes(out.stat, copies[i]->value().stat);
  co_return out;
}

Task<Result<int>> locate(DistributeXlator& dht, const CallCtx& ctx, const Loc& loc) {
  int c = dht.cachedChild(loc.inode);
  if (c >= 0) co_return c;
  if (loc.inode && loc.inode->isRoot()) co_return 0;
  LookupReq req{loc, {}};
  auto r = co_await dht.lookup(ctx, req);
  if (!r) co_return fail(r.error());
  c = dht.cachedChild(loc.inode);
  co_return c >= 0 ? c : 0;  // a directory: any child
}

}  // namespace gf
