// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/replicate: data and metadata changes, each a transaction over all copies.
#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/replicate/afr_healer.h"
#include "glusterfs/xlators/cluster/replicate/afr_txn.h"

namespace gf {

using afr::TxnKind;
using afr::TxnTarget;
using afr::transact;

namespace {
TxnTarget onLoc(TxnKind k, const Loc& loc) {
  TxnTarget t;
  t.kind = k;
  t.loc = loc;
  return t;
}
TxnTarget onFd(TxnKind k, const FdPtr& fd) {
  TxnTarget t;
  t.kind = k;
  t.fd = fd;
  t.loc.inode = fd->inode();
  return t;
}
}  // namespace

// Each line: a fop, its transaction target, and the call made on every copy.
#define GF_AFR_TXN(Rep, target, call)                                              \
  return transact<Rep>(*this, ctx, target,                                        \
                       [this, &ctx, &req](size_t i) { return child(i).call; })

Task<Result<WriteReply>> ReplicateXlator::writev(const CallCtx& ctx, const WritevReq& req) {
  if (dataSplitBrain(req.fd->inode())) return fail(EIO);
  GF_AFR_TXN(WriteReply, onFd(TxnKind::kData, req.fd), writev(ctx, req));
}
Task<Result<AttrReply>> ReplicateXlator::truncate(const CallCtx& ctx, const TruncateReq& req) {
  if (dataSplitBrain(req.loc.inode)) return fail(EIO);
  GF_AFR_TXN(AttrReply, onLoc(TxnKind::kData, req.loc), truncate(ctx, req));
}
Task<Result<AttrReply>> ReplicateXlator::ftruncate(const CallCtx& ctx, const FtruncateReq& req) {
  if (dataSplitBrain(req.fd->inode())) return fail(EIO);
  GF_AFR_TXN(AttrReply, onFd(TxnKind::kData, req.fd), ftruncate(ctx, req));
}
Task<Result<Empty>> ReplicateXlator::fallocate(const CallCtx& ctx, const FallocateReq& req) {
  if (dataSplitBrain(req.fd->inode())) return fail(EIO);
  GF_AFR_TXN(Empty, onFd(TxnKind::kData, req.fd), fallocate(ctx, req));
}
Task<Result<AttrReply>> ReplicateXlator::setattr(const CallCtx& ctx, const SetattrReq& req) {
  GF_AFR_TXN(AttrReply, onLoc(TxnKind::kMetadata, req.loc), setattr(ctx, req));
}
Task<Result<AttrReply>> ReplicateXlator::fsetattr(const CallCtx& ctx, const FsetattrReq& req) {
  GF_AFR_TXN(AttrReply, onFd(TxnKind::kMetadata, req.fd), fsetattr(ctx, req));
}

namespace {
bool touchesChangelog(const Dict& d) {
  for (const auto& [k, v] : d)
    if (afr::isChangelogKey(k)) return true;
  return false;
}
}  // namespace

namespace {
// The healer's controls, as virtual xattrs: heal now, resolve a split-brain.
Task<Result<Empty>> healControl(ReplicateXlator& afr, const SetxattrReq& req) {
  if (auto it = req.xattrs.find(kResolveKey); it != req.xattrs.end()) {
    Status s = co_await afr.healer().resolve(req.loc, it->second);
    if (!s) co_return fail(s.error());
    co_return Empty{};
  }
  if (req.loc.inode && req.loc.inode->isRoot()) {
    co_await afr.healer().passNow();
  } else {
    auto r = co_await afr::healInode(afr, req.loc);
    if (r == afr::HealResult::kFailed) co_return fail(EIO);
    if (r == afr::HealResult::kSplitBrain) co_return fail(EIO);
  }
  co_return Empty{};
}
}  // namespace

Task<Result<Empty>> ReplicateXlator::setxattr(const CallCtx& ctx, const SetxattrReq& req) {
  if (req.xattrs.count(kResolveKey) || req.xattrs.count(kHealNowKey)) {
    if (ctx.uid != 0) return fail(EPERM);
    return healControl(*this, req);
  }
  if (touchesChangelog(req.xattrs)) return fail(EPERM);
  GF_AFR_TXN(Empty, onLoc(TxnKind::kMetadata, req.loc), setxattr(ctx, req));
}
Task<Result<Empty>> ReplicateXlator::fsetxattr(const CallCtx& ctx, const FsetxattrReq& req) {
  if (touchesChangelog(req.xattrs)) return fail(EPERM);
  GF_AFR_TXN(Empty, onFd(TxnKind::kMetadata, req.fd), fsetxattr(ctx, req));
}
Task<Result<Empty>> ReplicateXlator::removexattr(const CallCtx& ctx, const RemovexattrReq& req) {
  if (afr::isChangelogKey(req.name)) return fail(EPERM);
  GF_AFR_TXN(Empty, onLoc(TxnKind::kMetadata, req.loc), removexattr(ctx, req));
}
Task<Result<Empty>> ReplicateXlator::fremovexattr(const CallCtx& ctx,
                                                  const FremovexattrReq& req) {
  if (afr::isChangelogKey(req.name)) return fail(EPERM);
  GF_AFR_TXN(Empty, onFd(TxnKind::kMetadata, req.fd), fremovexattr(ctx, req));
}

// Counters kept by layers above (not replicate's own): applied to every copy, like a change.
Task<Result<XattrReply>> ReplicateXlator::xattrop(const CallCtx& ctx, const XattropReq& req) {
  if (touchesChangelog(req.xattrs)) return fail(EPERM);
  GF_AFR_TXN(XattrReply, onLoc(TxnKind::kMetadata, req.loc), xattrop(ctx, req));
}
Task<Result<XattrReply>> ReplicateXlator::fxattrop(const CallCtx& ctx, const FxattropReq& req) {
  if (touchesChangelog(req.xattrs)) return fail(EPERM);
  GF_AFR_TXN(XattrReply, onFd(TxnKind::kMetadata, req.fd), fxattrop(ctx, req));
}

}  // namespace gf
