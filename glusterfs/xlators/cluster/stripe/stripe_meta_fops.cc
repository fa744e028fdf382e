// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/stripe: names, attributes and directories live on every child; a file's size is
// the largest of its pieces and its blocks their sum.
#include <sys/stat.h>

#include "glusterfs/core/log.h"
#include "glusterfs/core/statfs_sum.h"
#include "glusterfs/xlators/cluster/stripe/stripe_xlator.h"

namespace gf {
namespace {

void mergeInto(Iatt& out, const Iatt& piece) {
  if (!S_ISREG(out.mode)) return;
  out.size = std::max(out.size, piece.size);
  out.blocks += piece.blocks;
  out.mtime = std::max(out.mtime, piece.mtime);
  out.ctime = std::max(out.ctime, piece.ctime);
}

// Calls every child; fails with the first error; otherwise returns child 0's reply with the
// file attributes inside it merged over all children.
template <class Rep, class Call>
Task<Result<Rep>> everyChild(StripeXlator& s, Call call) {
  if (!s.allUp()) co_return fail(ENOTCONN);
  std::vector<Task<Result<Rep>>> calls;
  for (size_t i = 0; i < s.childCount(); ++i) calls.push_back(call(i));
  auto all = co_await whenAll(std::move(calls));
  for (auto& r : all)
    if (!r) co_return std::move(r);
  Rep out = std::move(*all[0]);
  if constexpr (requires { out.stat; })
    for (size_t i = 1; i < all.size(); ++i) mergeInto(out.stat, all[i]->stat);
  co_return out;
}

}  // namespace

#define GF_STRIPE_ALL(Rep, call) \
  return everyChild<Rep>(*this, [this, &ctx, &req](size_t i) { return child(i).call; })
#define GF_STRIPE_FIRST(call)                      \
  if (!allUp()) return fail(ENOTCONN);             \
  return child(0).call

Task<Result<EntryReply>> StripeXlator::lookup(const CallCtx& ctx, const LookupReq& in) {
  LookupReq req = in;
  req.xattrs.push_back(kStripeBlockKey);
  auto r = co_await everyChild<EntryReply>(*this, [this, &ctx, &req](size_t i) { return child(i).lookup(ctx, req); });
  if (r) {
    if (auto it = r->xdata.find(kStripeBlockKey); it != r->xdata.end()) {
      uint64_t bs = 0;
      if (it->second.size() == sizeof bs) std::memcpy(&bs, it->second.data(), sizeof bs);
      setBlockSize(in.loc.inode, bs);
      r->xdata.erase(it);
    }
  }
  co_return r;
}

Task<Result<AttrReply>> StripeXlator::stat(const CallCtx& ctx, const StatReq& req) { GF_STRIPE_ALL(AttrReply, stat(ctx, req)); }
Task<Result<AttrReply>> StripeXlator::fstat(const CallCtx& ctx, const FstatReq& req) { GF_STRIPE_ALL(AttrReply, fstat(ctx, req)); }
Task<Result<AttrReply>> StripeXlator::setattr(const CallCtx& ctx, const SetattrReq& req) { GF_STRIPE_ALL(AttrReply, setattr(ctx, req)); }
Task<Result<AttrReply>> StripeXlator::fsetattr(const CallCtx& ctx, const FsetattrReq& req) { GF_STRIPE_ALL(AttrReply, fsetattr(ctx, req)); }
// Every piece is cut (or extended, sparsely) to the new logical size.
Task<Result<AttrReply>> StripeXlator::truncate(const CallCtx& ctx, const TruncateReq& req) { GF_STRIPE_ALL(AttrReply, truncate(ctx, req)); }
Task<Result<AttrReply>> StripeXlator::ftruncate(const CallCtx& ctx, const FtruncateReq& req) { GF_STRIPE_ALL(AttrReply, ftruncate(ctx, req)); }
Task<Result<Empty>> StripeXlator::access(const CallCtx& ctx, const AccessReq& req) { GF_STRIPE_FIRST(access(ctx, req)); }
Task<Result<ReadlinkReply>> StripeXlator::readlink(const CallCtx& ctx, const ReadlinkReq& req) { GF_STRIPE_FIRST(readlink(ctx, req)); }
Task<Result<EntryReply>> StripeXlator::mknod(const CallCtx& ctx, const MknodReq& req) { GF_STRIPE_ALL(EntryReply, mknod(ctx, req)); }
Task<Result<EntryReply>> StripeXlator::mkdir(const CallCtx& ctx, const MkdirReq& req) { GF_STRIPE_ALL(EntryReply, mkdir(ctx, req)); }
Task<Result<Empty>> StripeXlator::unlink(const CallCtx& ctx, const UnlinkReq& req) { GF_STRIPE_ALL(Empty, unlink(ctx, req)); }
Task<Result<Empty>> StripeXlator::rmdir(const CallCtx& ctx, const RmdirReq& req) { GF_STRIPE_ALL(Empty, rmdir(ctx, req)); }
Task<Result<EntryReply>> StripeXlator::symlink(const CallCtx& ctx, const SymlinkReq& req) { GF_STRIPE_ALL(EntryReply, symlink(ctx, req)); }
Task<Result<AttrReply>> StripeXlator::rename(const CallCtx& ctx, const RenameReq& req) { GF_STRIPE_ALL(AttrReply, rename(ctx, req)); }
Task<Result<EntryReply>> StripeXlator::link(const CallCtx& ctx, const LinkReq& req) { GF_STRIPE_ALL(EntryReply, link(ctx, req)); }
Task<Result<Empty>> StripeXlator::open(const CallCtx& ctx, const OpenReq& req) { GF_STRIPE_ALL(Empty, open(ctx, req)); }
Task<Result<Empty>> StripeXlator::opendir(const CallCtx& ctx, const OpendirReq& req) { GF_STRIPE_ALL(Empty, opendir(ctx, req)); }
Task<Result<Empty>> StripeXlator::fsync(const CallCtx& ctx, const FsyncReq& req) { GF_STRIPE_ALL(Empty, fsync(ctx, req)); }
Task<Result<Empty>> StripeXlator::fsyncdir(const CallCtx& ctx, const FsyncdirReq& req) { GF_STRIPE_ALL(Empty, fsyncdir(ctx, req)); }
Task<Result<Empty>> StripeXlator::setxattr(const CallCtx& ctx, const SetxattrReq& req) { GF_STRIPE_ALL(Empty, setxattr(ctx, req)); }
Task<Result<Empty>> StripeXlator::fsetxattr(const CallCtx& ctx, const FsetxattrReq& req) { GF_STRIPE_ALL(Empty, fsetxattr(ctx, req)); }
Task<Result<Empty>> StripeXlator::removexattr(const CallCtx& ctx, const RemovexattrReq& req) { GF_STRIPE_ALL(Empty, removexattr(ctx, req)); }
Task<Result<Empty>> StripeXlator::fremovexattr(const CallCtx& ctx, const FremovexattrReq& req) { GF_STRIPE_ALL(Empty, fremovexattr(ctx, req)); }
Task<Result<XattrReply>> StripeXlator::getxattr(const CallCtx& ctx, const GetxattrReq& req) { GF_STRIPE_FIRST(getxattr(ctx, req)); }
Task<Result<XattrReply>> StripeXlator::fgetxattr(const CallCtx& ctx, const FgetxattrReq& req) { GF_STRIPE_FIRST(fgetxattr(ctx, req)); }
Task<Result<ListxattrReply>> StripeXlator::listxattr(const CallCtx& ctx, const ListxattrReq& req) { GF_STRIPE_FIRST(listxattr(ctx, req)); }
// Counters and locks belong to the file as a whole: child 0 keeps them.
Task<Result<XattrReply>> StripeXlator::xattrop(const CallCtx& ctx, const XattropReq& req) { GF_STRIPE_FIRST(xattrop(ctx, req)); }
Task<Result<XattrReply>> StripeXlator::fxattrop(const CallCtx& ctx, const FxattropReq& req) { GF_STRIPE_FIRST(fxattrop(ctx, req)); }
Task<Result<LkReply>> StripeXlator::lk(const CallCtx& ctx, const LkReq& req) { GF_STRIPE_FIRST(lk(ctx, req)); }
Task<Result<Empty>> StripeXlator::inodelk(const CallCtx& ctx, const InodelkReq& req) { GF_STRIPE_FIRST(inodelk(ctx, req)); }
Task<Result<Empty>> StripeXlator::finodelk(const CallCtx& ctx, const FinodelkReq& req) { GF_STRIPE_FIRST(finodelk(ctx, req)); }
Task<Result<Empty>> StripeXlator::entrylk(const CallCtx& ctx, const EntrylkReq& req) { GF_STRIPE_FIRST(entrylk(ctx, req)); }
Task<Result<Empty>> StripeXlator::fentrylk(const CallCtx& ctx, const FentrylkReq& req) { GF_STRIPE_FIRST(fentrylk(ctx, req)); }

// A new file gets its block size from the patterns and keeps it with every piece.
Task<Result<EntryReply>> StripeXlator::create(const CallCtx& ctx, const CreateReq& in) {
  CreateReq req = in;
  if (req.gfid.isNull()) req.gfid = Gfid::random();
  auto r = co_await everyChild<EntryReply>(*this, [this, &ctx, &req](size_t i) { return child(i).create(ctx, req); });
  if (!r) co_return r;
  uint64_t bs = blockSizeFor(req.loc.name);
  std::string raw(sizeof bs, '\0');
  std::memcpy(raw.data(), &bs, sizeof bs);
  FsetxattrReq mark{req.fd, Dict{{kStripeBlockKey, raw}}, 0};
  auto m = co_await everyChild<Empty>(*this, [this, &ctx, &mark](size_t i) { return child(i).fsetxattr(ctx, mark); });
  if (!m) co_return fail(m.error());
  setBlockSize(req.loc.inode, bs);
  co_return r;
}

// Every piece is grown to the logical size at close, so that each child holds the whole file
// as a sparse file.
Task<Result<Empty>> StripeXlator::flush(const CallCtx& ctx, const FlushReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  FstatReq st{req.fd};
  std::vector<Task<Result<AttrReply>>> stats;
  for (size_t i = 0; i < childCount(); ++i) stats.push_back(child(i).fstat(ctx, st));
  auto sizes = co_await whenAll(std::move(stats));
  uint64_t logical = 0;
  bool regular = true;
  for (auto& r : sizes)
    if (r) {
      logical = std::max(logical, r->stat.size);
      regular = regular && r->stat.isReg();
    }
  if (regular) {
    FtruncateReq grow{req.fd, logical};
    std::vector<Task<Result<AttrReply>>> calls;
    for (size_t i = 0; i < childCount(); ++i)
      if (sizes[i] && sizes[i]->stat.size < logical) calls.push_back(child(i).ftruncate(ctx, grow));
    (void)co_await whenAll(std::move(calls));
  }
  co_return co_await everyChild<Empty>(*this, [this, &ctx, &req](size_t i) { return child(i).flush(ctx, req); });
}

Task<Result<ReaddirReply>> StripeXlator::readdir(const CallCtx& ctx, const ReaddirReq& req) { GF_STRIPE_FIRST(readdir(ctx, req)); }
Task<Result<ReaddirReply>> StripeXlator::readdirp(const CallCtx& ctx, const ReaddirpReq& req) { GF_STRIPE_FIRST(readdirp(ctx, req)); }

Task<Result<StatfsReply>> StripeXlator::statfs(const CallCtx& ctx, const StatfsReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  std::vector<Task<Result<StatfsReply>>> calls;
  for (size_t i = 0; i < childCount(); ++i) calls.push_back(child(i).statfs(ctx, req));
  auto all = co_await whenAll(std::move(calls));
  co_return sumStatfs(all);
}

}  // namespace gf
