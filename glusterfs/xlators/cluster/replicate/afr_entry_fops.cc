// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/replicate: name changes (create family, link, unlink, rmdir, rename), each an entry
// transaction on the parent directory (both parents for rename).
#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/replicate/afr_txn.h"

namespace gf {

using afr::TxnKind;
using afr::TxnTarget;
using afr::transact;

namespace {
// The parent directory as a location of its own (its name in its parent, if known).
Loc parentLoc(const Loc& loc) {
  Loc p;
  p.inode = loc.parent;
  if (loc.parent) loc.parent->firstDentry(p.parent, p.name);
  return p;
}
TxnTarget onEntry(const Loc& loc) {
  TxnTarget t;
  t.kind = TxnKind::kEntry;
  t.loc = parentLoc(loc);
  t.basename = loc.name;
  return t;
}
}  // namespace

#define GF_AFR_ENTRY(Rep, target, call)                                            \
  return transact<Rep>(*this, ctx, target,                                        \
                       [this, &ctx, &req](size_t i) { return child(i).call; })

// Every copy gets the same gfid, so a file is one identity across the replicas.
namespace {
template <class Req, class Fop>
Task<Result<EntryReply>> createEntry(ReplicateXlator& afr, const CallCtx& ctx, const Req& in,
                                     Fop fop) {
  Req req = in;
  if (req.gfid.isNull()) req.gfid = Gfid::random();
  TxnTarget t = onEntry(req.loc);
  t.created = req.loc.inode;
  co_return co_await transact<EntryReply>(
      afr, ctx, std::move(t), [&](size_t i) { return (afr.child(i).*fop)(ctx, req); });
}
}  // namespace

Task<Result<EntryReply>> ReplicateXlator::mknod(const CallCtx& ctx, const MknodReq& req) {
  return createEntry(*this, ctx, req, &Xlator::mknod);
}
Task<Result<EntryReply>> ReplicateXlator::mkdir(const CallCtx& ctx, const MkdirReq& req) {
  return createEntry(*this, ctx, req, &Xlator::mkdir);
}
Task<Result<EntryReply>> ReplicateXlator::symlink(const CallCtx& ctx, const SymlinkReq& req) {
  return createEntry(*this, ctx, req, &Xlator::symlink);
}
Task<Result<EntryReply>> ReplicateXlator::create(const CallCtx& ctx, const CreateReq& req) {
  return createEntry(*this, ctx, req, &Xlator::create);
}

Task<Result<EntryReply>> ReplicateXlator::link(const CallCtx& ctx, const LinkReq& req) {
  GF_AFR_ENTRY(EntryReply, onEntry(req.newLoc), link(ctx, req));
}

Task<Result<Empty>> ReplicateXlator::unlink(const CallCtx& ctx, const UnlinkReq& req) {
  GF_AFR_ENTRY(Empty, onEntry(req.loc), unlink(ctx, req));
}

Task<Result<Empty>> ReplicateXlator::rmdir(const CallCtx& ctx, const RmdirReq& req) {
  GF_AFR_ENTRY(Empty, onEntry(req.loc), rmdir(ctx, req));
}

Task<Result<AttrReply>> ReplicateXlator::rename(const CallCtx& ctx, const RenameReq& req) {
  TxnTarget t = onEntry(req.oldLoc);
  bool sameDir = req.oldLoc.parent && req.newLoc.parent &&
                 req.oldLoc.parent->gfid() == req.newLoc.parent->gfid();
  if (!sameDir) {
    t.loc2 = parentLoc(req.newLoc);
    t.basename2 = req.newLoc.name;
    // Lock the two parents in gfid order so that crossing renames cannot deadlock.
    if (req.newLoc.parent && req.oldLoc.parent &&
        req.newLoc.parent->gfid() < req.oldLoc.parent->gfid()) {
      std::swap(t.loc, *t.loc2);
      std::swap(t.basename, t.basename2);
    }
  } else if (req.oldLoc.name != req.newLoc.name) {
    // One directory: lock it whole rather than two names in it.
    t.basename.clear();
  }
  GF_AFR_ENTRY(AttrReply, t, rename(ctx, req));
}

}  // namespace gf
