// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/replicate: fops that read — one good copy answers, the next live one if it cannot.
#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/replicate/afr_changelog.h"
#include "glusterfs/xlators/cluster/replicate/afr_healer.h"
#include "glusterfs/xlators/cluster/replicate/afr_txn.h"

namespace gf {

namespace {

using afr::isTransportError;

// Tries `call(child)` on each child of `order` until one answers with something other than a
// transport failure.
template <class Rep, class Call>
Task<Result<Rep>> firstAnswer(std::vector<size_t> order, Call call) {
  Result<Rep> last = fail(ENOTCONN);
  for (size_t i : order) {
    last = co_await call(i);
    if (last || !isTransportError(last.errnum())) co_return last;
  }
  co_return last;
}

// Replicate's own changelog keys are not the application's business.
void hideChangelog(Dict& d) { std::erase_if(d, [](const auto& kv) { return afr::isChangelogKey(kv.first); }); }

struct AfrDirFd {
  std::atomic<int> child{-1};  // readdir offsets belong to one copy: stay on it
};

}  // namespace

#define GF_AFR_READ(Rep, inode, allowStale, expr)                                          \
  return firstAnswer<Rep>(readOrder(inode, allowStale),                                    \
                          [this, &ctx, &req](size_t i) { return child(i).expr; })

Task<Result<AttrReply>> ReplicateXlator::stat(const CallCtx& ctx, const StatReq& req) {
  GF_AFR_READ(AttrReply, req.loc.inode, true, stat(ctx, req));
}
Task<Result<AttrReply>> ReplicateXlator::fstat(const CallCtx& ctx, const FstatReq& req) {
  GF_AFR_READ(AttrReply, req.fd->inode(), true, fstat(ctx, req));
}
Task<Result<Empty>> ReplicateXlator::access(const CallCtx& ctx, const AccessReq& req) {
  GF_AFR_READ(Empty, req.loc.inode, true, access(ctx, req));
}
Task<Result<ReadlinkReply>> ReplicateXlator::readlink(const CallCtx& ctx, const ReadlinkReq& req) {
  GF_AFR_READ(ReadlinkReply, req.loc.inode, false, readlink(ctx, req));
}
Task<Result<LseekReply>> ReplicateXlator::lseek(const CallCtx& ctx, const LseekReq& req) {
  GF_AFR_READ(LseekReply, req.fd->inode(), false, lseek(ctx, req));
}
Task<Result<RchecksumReply>> ReplicateXlator::rchecksum(const CallCtx& ctx,
                                                        const RchecksumReq& req) {
  GF_AFR_READ(RchecksumReply, req.fd->inode(), false, rchecksum(ctx, req));
}

Task<Result<ReadvReply>> ReplicateXlator::readv(const CallCtx& ctx, const ReadvReq& req) {
  if (dataSplitBrain(req.fd->inode())) return fail(EIO);
  GF_AFR_READ(ReadvReply, req.fd->inode(), false, readv(ctx, req));
}

namespace {
template <class Req>
Task<Result<XattrReply>> getxattrHidden(ReplicateXlator& afr, std::vector<size_t> order,
                                        const CallCtx& ctx, const Req& req) {
  auto r = co_await firstAnswer<XattrReply>(std::move(order), [&](size_t i) -> Task<Result<XattrReply>> {
    if constexpr (std::is_same_v<Req, GetxattrReq>) return afr.child(i).getxattr(ctx, req);
    else return afr.child(i).fgetxattr(ctx, req);
  });
  if (r) {
    hideChangelog(r->xattrs);
    if (!req.name.empty() && r->xattrs.empty()) co_return fail(ENODATA);
  }
  co_return r;
}
}  // namespace

namespace {
Task<Result<XattrReply>> healInfo(AfrHealer& healer) {
  XattrReply out;
  out.xattrs[kHealInfoKey] = co_await healer.info();
  co_return out;
}
}  // namespace

Task<Result<XattrReply>> ReplicateXlator::getxattr(const CallCtx& ctx, const GetxattrReq& req) {
  if (req.name == kHealInfoKey) return healInfo(healer());
  if (afr::isChangelogKey(req.name)) return fail(ENODATA);
  return getxattrHidden(*this, readOrder(req.loc.inode, true), ctx, req);
}

Task<Result<XattrReply>> ReplicateXlator::fgetxattr(const CallCtx& ctx, const FgetxattrReq& req) {
  if (afr::isChangelogKey(req.name)) return fail(ENODATA);
  return getxattrHidden(*this, readOrder(req.fd->inode(), true), ctx, req);
}

Task<Result<ListxattrReply>> ReplicateXlator::listxattr(const CallCtx& ctx,
                                                        const ListxattrReq& req) {
  auto r = co_await firstAnswer<ListxattrReply>(
      readOrder(req.loc.inode, true), [&](size_t i) { return child(i).listxattr(ctx, req); });
  if (r) std::erase_if(r->names, [](const std::string& n) { return afr::isChangelogKey(n); });
  co_return r;
}

// The smallest free space of the live copies: a write must fit on every one.
Task<Result<StatfsReply>> ReplicateXlator::statfs(const CallCtx& ctx, const StatfsReq& req) {
  std::vector<Task<Result<StatfsReply>>> calls;
  auto up = upChildren();
  for (size_t i = 0; i < childCount(); ++i)
    if (up[i]) calls.push_back(child(i).statfs(ctx, req));
  if (calls.empty()) co_return fail(ENOTCONN);
  auto all = co_await whenAll(std::move(calls));
  std::optional<StatfsReply> best;
  std::error_code err;
  for (auto& r : all) {
    if (!r) {
      err = r.error();
      continue;
    }
    if (!best || r->stat.bavail * r->stat.frsize < best->stat.bavail * best->stat.frsize) best = *r;
  }
  if (!best) co_return fail(err);
  co_return *best;
}

namespace {
bool anyPending(const Dict& xattrs) {
  for (const auto& [key, value] : xattrs)
    if (afr::isChangelogKey(key))
      for (int32_t c : afr::decodeCounts(value))
        if (c != 0) return true;
  return false;
}

void dropChangelogs(Dict& xattrs) {
  std::erase_if(xattrs, [](const auto& kv) { return afr::isChangelogKey(kv.first); });
}

// Listed without attributes (no gfid), the kernel looks the entry up, through replicate's
// lookup and its heal. The mode stays (distribute tells its linkfiles apart by it).
void listBare(DirEntry& e) {
  Iatt bare;
  bare.ino = e.stat.ino;
  bare.mode = e.stat.mode;
  e.stat = bare;
  e.xattrs.clear();
  e.xattrsRead = false;
}

// Each entry of copy `lister`'s listing is answered for by the entry's preferred copy, the one
// stat and lookup answer from, so the times seen never depend on the path taken (copies' ctimes
// differ by a tick: tar calls a file whose ctime moves "changed"). Entries another copy answers
// for are looked up there, all at once, rather than left to one kernel lookup each. An entry
// whose changelog shows changes not yet on every copy, or whose copies could not say, is
// listed bare so that its lookup heals it.
Task<void> answerFromPreferredCopies(ReplicateXlator& afr, const CallCtx& ctx,
                                     const ReaddirpReq& down, size_t lister, ReaddirReply& rep) {
  std::vector<size_t> away;
  std::vector<LookupReq> asks;
  asks.reserve(rep.entries.size());  // the lookups below refer to these until they finish
  std::vector<Task<Result<EntryReply>>> lookups;
  for (size_t k = 0; k < rep.entries.size(); ++k) {
    DirEntry& e = rep.entries[k];
    if (e.name == "." || e.name == ".." || e.stat.gfid.isNull()) continue;
    if (!e.xattrsRead || anyPending(e.xattrs)) {
      listBare(e);
      continue;
    }
    dropChangelogs(e.xattrs);
    size_t owner = afr.preferredChild(e.stat.gfid);
    if (owner == lister) continue;
    away.push_back(k);
    asks.push_back(LookupReq{Loc{down.fd->inode(), e.name, afr.healTable().create()}, down.xattrs});
    lookups.push_back(afr.child(owner).lookup(ctx, asks.back()));
  }
  if (lookups.empty()) co_return;
  auto answers = co_await whenAll(std::move(lookups));
  for (size_t a = 0; a < away.size(); ++a) {
    DirEntry& e = rep.entries[away[a]];
    auto& r = answers[a];
    if (!r || r->stat.gfid != e.stat.gfid || anyPending(r->xdata)) {
      listBare(e);
      continue;
    }
    e.stat = r->stat;
    e.xattrs = std::move(r->xdata);
    dropChangelogs(e.xattrs);
  }
}

template <class Req>
Task<Result<ReaddirReply>> readdirOn(ReplicateXlator& afr, const CallCtx& ctx, const Req& req) {
  auto fdCtx = req.fd->ctx().template getOrCreate<AfrDirFd>(
      &afr, [] { return std::make_shared<AfrDirFd>(); });
  int pinned = fdCtx->child.load();
  std::vector<size_t> order;
  if (pinned >= 0) {
    order.push_back(static_cast<size_t>(pinned));
  } else {
    order = afr.readOrder(req.fd->inode());
    if (req.offset != 0) order.resize(std::min<size_t>(order.size(), 1));
  }
  Result<ReaddirReply> last = fail(ENOTCONN);
  for (size_t i : order) {
    if constexpr (std::is_same_v<Req, ReaddirReq>) {
      last = co_await afr.child(i).readdir(ctx, req);
    } else {
      ReaddirpReq down = req;
      if (afr.childCount() > 1)
        for (const auto& c : afr.childNames()) down.xattrs.push_back(afr::changelogKey(c));
      last = co_await afr.child(i).readdirp(ctx, down);
      if (last && afr.childCount() > 1) co_await answerFromPreferredCopies(afr, ctx, down, i, *last);
    }
    if (last) {
      int expected = -1;
      fdCtx->child.compare_exchange_strong(expected, static_cast<int>(i));
      co_return last;
    }
    // Offsets of one copy mean nothing on another: only a fresh listing may move.
    if (!isTransportError(last.errnum()) || req.offset != 0) co_return last;
  }
  co_return last;
}
}  // namespace

Task<Result<ReaddirReply>> ReplicateXlator::readdir(const CallCtx& ctx, const ReaddirReq& req) {
  return readdirOn(*this, ctx, req);
}
Task<Result<ReaddirReply>> ReplicateXlator::readdirp(const CallCtx& ctx, const ReaddirpReq& req) {
  return readdirOn(*this, ctx, req);
}

}  // namespace gf
