// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/stripe: names, attributes and directories live on every child; a file's size is
// the largest of its pieces and its blocks their sum.
#include <fcntl.h>
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

// A Loc for `loc`'s name whose inode carries `st`'s gfid, for calls stripe makes itself.
Loc ownLoc(StripeXlator& s, const Loc& loc, const Iatt& st) {
  return Loc{loc.parent, loc.name, s.ownTable().link(s.ownTable().create(), nullptr, {}, st)};
}

Task<Result<Empty>> removeOne(Xlator& x, Loc loc, bool dir) {
  const CallCtx root = CallCtx::root();
  if (dir) co_return co_await x.rmdir(root, RmdirReq{loc});
  co_return co_await x.unlink(root, UnlinkReq{loc});
}

// Removes again the entries this call made: those with its gfid (an existing file that
// create merely opened has another one and stays).
Task<void> undoMade(StripeXlator& s, const Loc& loc, const Gfid& gfid,
                    const std::vector<Result<EntryReply>>& made) {
  std::vector<Task<Result<Empty>>> calls;
  for (size_t i = 0; i < made.size(); ++i)
    if (made[i] && made[i]->stat.gfid == gfid)
      calls.push_back(removeOne(s.child(i), ownLoc(s, loc, made[i]->stat), made[i]->stat.isDir()));
  (void)co_await whenAll(std::move(calls));
}

// Makes a new name on every child. If one refuses, what the others made goes again, so no
// half-made name is left and the call can be repeated.
template <class Call>
Task<Result<EntryReply>> makeEverywhere(StripeXlator& s, const Loc& loc, const Gfid& gfid,
                                        Call call) {
  if (!s.allUp()) co_return fail(ENOTCONN);
  std::vector<Task<Result<EntryReply>>> calls;
  for (size_t i = 0; i < s.childCount(); ++i) calls.push_back(call(i));
  auto all = co_await whenAll(std::move(calls));
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i]) continue;
    co_await undoMade(s, loc, gfid, all);
    co_return std::move(all[i]);
  }
  EntryReply out = std::move(*all[0]);
  for (size_t i = 1; i < all.size(); ++i) mergeInto(out.stat, all[i]->stat);
  co_return out;
}

// Child 0 goes last: it decides whether the name exists (see lookup), so an unlink that fails
// part way leaves a name a retry can find and finish. Children already without the entry
// count as done.
template <class Req, class Fop>
Task<Result<Empty>> removeEverywhere(StripeXlator& s, const CallCtx& ctx, const Req& req, Fop fop) {
  if (!s.allUp()) co_return fail(ENOTCONN);
  std::vector<Task<Result<Empty>>> calls;
  for (size_t i = 1; i < s.childCount(); ++i) calls.push_back((s.child(i).*fop)(ctx, req));
  auto rest = co_await whenAll(std::move(calls));
  bool removed = false;
  for (auto& r : rest) {
    if (r)
      removed = true;
    else if (r.errnum() != ENOENT)
      co_return std::move(r);
  }
  auto first = co_await (s.child(0).*fop)(ctx, req);
  if (!first && first.errnum() == ENOENT && removed) co_return Empty{};
  co_return first;
}

}  // namespace

#define GF_STRIPE_ALL(Rep, call) \
  return everyChild<Rep>(*this, [this, &ctx, &req](size_t i) { return child(i).call; })
#define GF_STRIPE_FIRST(call)          \
  if (!allUp()) return fail(ENOTCONN); \
  return child(0).call

// Child 0 decides whether a name exists. Elsewhere a missing entry is what an interrupted
// unlink leaves behind, and hiding the name would make the unlink impossible to repeat.
Task<Result<EntryReply>> StripeXlator::lookup(const CallCtx& ctx, const LookupReq& in) {
  if (!allUp()) co_return fail(ENOTCONN);
  LookupReq req = in;
  req.xattrs.push_back(kStripeBlockKey);
  std::vector<Task<Result<EntryReply>>> calls;
  for (size_t i = 0; i < childCount(); ++i) calls.push_back(child(i).lookup(ctx, req));
  auto all = co_await whenAll(std::move(calls));
  if (!all[0]) co_return std::move(all[0]);
  for (size_t i = 1; i < all.size(); ++i)
    if (!all[i] && all[i].errnum() != ENOENT) co_return std::move(all[i]);
  EntryReply out = std::move(*all[0]);
  for (size_t i = 1; i < all.size(); ++i)
    if (all[i]) mergeInto(out.stat, all[i]->stat);
  if (auto it = out.xdata.find(kStripeBlockKey); it != out.xdata.end()) {
    uint64_t bs = 0;
    if (it->second.size() == sizeof bs) std::memcpy(&bs, it->second.data(), sizeof bs);
    setBlockSize(in.loc.inode, bs);
    out.xdata.erase(it);
  }
  co_return out;
}

Task<Result<AttrReply>> StripeXlator::stat(const CallCtx& ctx, const StatReq& req) {
  GF_STRIPE_ALL(AttrReply, stat(ctx, req));
}
Task<Result<AttrReply>> StripeXlator::fstat(const CallCtx& ctx, const FstatReq& req) {
  GF_STRIPE_ALL(AttrReply, fstat(ctx, req));
}
Task<Result<AttrReply>> StripeXlator::setattr(const CallCtx& ctx, const SetattrReq& req) {
  GF_STRIPE_ALL(AttrReply, setattr(ctx, req));
}
Task<Result<AttrReply>> StripeXlator::fsetattr(const CallCtx& ctx, const FsetattrReq& req) {
  GF_STRIPE_ALL(AttrReply, fsetattr(ctx, req));
}
// Every piece is cut (or extended, sparsely) to the new logical size.
Task<Result<AttrReply>> StripeXlator::truncate(const CallCtx& ctx, const TruncateReq& req) {
  GF_STRIPE_ALL(AttrReply, truncate(ctx, req));
}
Task<Result<AttrReply>> StripeXlator::ftruncate(const CallCtx& ctx, const FtruncateReq& req) {
  GF_STRIPE_ALL(AttrReply, ftruncate(ctx, req));
}
Task<Result<Empty>> StripeXlator::access(const CallCtx& ctx, const AccessReq& req) {
  GF_STRIPE_FIRST(access(ctx, req));
}
Task<Result<ReadlinkReply>> StripeXlator::readlink(const CallCtx& ctx, const ReadlinkReq& req) {
  GF_STRIPE_FIRST(readlink(ctx, req));
}

// New names get one gfid for every child's copy, so that a gfid names the same object on each.
#define GF_STRIPE_MAKE(Req, call)                             \
  Req req = in;                                               \
  if (req.gfid.isNull()) req.gfid = Gfid::random();           \
  co_return co_await makeEverywhere(*this, req.loc, req.gfid, \
                                    [this, &ctx, &req](size_t i) { return child(i).call; })

Task<Result<EntryReply>> StripeXlator::mknod(const CallCtx& ctx, const MknodReq& in) {
  GF_STRIPE_MAKE(MknodReq, mknod(ctx, req));
}
Task<Result<EntryReply>> StripeXlator::mkdir(const CallCtx& ctx, const MkdirReq& in) {
  GF_STRIPE_MAKE(MkdirReq, mkdir(ctx, req));
}
Task<Result<EntryReply>> StripeXlator::symlink(const CallCtx& ctx, const SymlinkReq& in) {
  GF_STRIPE_MAKE(SymlinkReq, symlink(ctx, req));
}
Task<Result<Empty>> StripeXlator::unlink(const CallCtx& ctx, const UnlinkReq& req) {
  return removeEverywhere(*this, ctx, req, &Xlator::unlink);
}
Task<Result<Empty>> StripeXlator::rmdir(const CallCtx& ctx, const RmdirReq& req) {
  return removeEverywhere(*this, ctx, req, &Xlator::rmdir);
}
Task<Result<AttrReply>> StripeXlator::rename(const CallCtx& ctx, const RenameReq& req) {
  GF_STRIPE_ALL(AttrReply, rename(ctx, req));
}
Task<Result<EntryReply>> StripeXlator::link(const CallCtx& ctx, const LinkReq& req) {
  return makeEverywhere(*this, req.newLoc, req.oldLoc.gfid(),
                        [this, &ctx, &req](size_t i) { return child(i).link(ctx, req); });
}
// Children open without O_APPEND: writev places appends itself (see the header).
Task<Result<Empty>> StripeXlator::open(const CallCtx& ctx, const OpenReq& in) {
  OpenReq req = in;
  req.flags &= ~O_APPEND;
  co_return co_await everyChild<Empty>(
      *this, [this, &ctx, &req](size_t i) { return child(i).open(ctx, req); });
}
Task<Result<Empty>> StripeXlator::opendir(const CallCtx& ctx, const OpendirReq& req) {
  GF_STRIPE_ALL(Empty, opendir(ctx, req));
}
Task<Result<Empty>> StripeXlator::fsync(const CallCtx& ctx, const FsyncReq& req) {
  GF_STRIPE_ALL(Empty, fsync(ctx, req));
}
Task<Result<Empty>> StripeXlator::fsyncdir(const CallCtx& ctx, const FsyncdirReq& req) {
  GF_STRIPE_ALL(Empty, fsyncdir(ctx, req));
}
// trusted.stripe.block-size is stripe's own: users neither see nor change it.
Task<Result<Empty>> StripeXlator::setxattr(const CallCtx& ctx, const SetxattrReq& req) {
  if (req.xattrs.count(kStripeBlockKey)) return fail(EPERM);
  GF_STRIPE_ALL(Empty, setxattr(ctx, req));
}
Task<Result<Empty>> StripeXlator::fsetxattr(const CallCtx& ctx, const FsetxattrReq& req) {
  if (req.xattrs.count(kStripeBlockKey)) return fail(EPERM);
  GF_STRIPE_ALL(Empty, fsetxattr(ctx, req));
}
Task<Result<Empty>> StripeXlator::removexattr(const CallCtx& ctx, const RemovexattrReq& req) {
  if (req.name == kStripeBlockKey) return fail(EPERM);
  GF_STRIPE_ALL(Empty, removexattr(ctx, req));
}
Task<Result<Empty>> StripeXlator::fremovexattr(const CallCtx& ctx, const FremovexattrReq& req) {
  if (req.name == kStripeBlockKey) return fail(EPERM);
  GF_STRIPE_ALL(Empty, fremovexattr(ctx, req));
}
Task<Result<XattrReply>> StripeXlator::getxattr(const CallCtx& ctx, const GetxattrReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  if (req.name == kStripeBlockKey) co_return fail(ENODATA);
  auto r = co_await child(0).getxattr(ctx, req);
  if (r) r->xattrs.erase(kStripeBlockKey);
  co_return r;
}
Task<Result<XattrReply>> StripeXlator::fgetxattr(const CallCtx& ctx, const FgetxattrReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  if (req.name == kStripeBlockKey) co_return fail(ENODATA);
  auto r = co_await child(0).fgetxattr(ctx, req);
  if (r) r->xattrs.erase(kStripeBlockKey);
  co_return r;
}
Task<Result<ListxattrReply>> StripeXlator::listxattr(const CallCtx& ctx, const ListxattrReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  auto r = co_await child(0).listxattr(ctx, req);
  if (r) std::erase(r->names, kStripeBlockKey);
  co_return r;
}
// Counters and locks belong to the file as a whole: child 0 keeps them.
Task<Result<XattrReply>> StripeXlator::xattrop(const CallCtx& ctx, const XattropReq& req) {
  GF_STRIPE_FIRST(xattrop(ctx, req));
}
Task<Result<XattrReply>> StripeXlator::fxattrop(const CallCtx& ctx, const FxattropReq& req) {
  GF_STRIPE_FIRST(fxattrop(ctx, req));
}
Task<Result<LkReply>> StripeXlator::lk(const CallCtx& ctx, const LkReq& req) {
  GF_STRIPE_FIRST(lk(ctx, req));
}
Task<Result<Empty>> StripeXlator::inodelk(const CallCtx& ctx, const InodelkReq& req) {
  GF_STRIPE_FIRST(inodelk(ctx, req));
}
Task<Result<Empty>> StripeXlator::finodelk(const CallCtx& ctx, const FinodelkReq& req) {
  GF_STRIPE_FIRST(finodelk(ctx, req));
}
Task<Result<Empty>> StripeXlator::entrylk(const CallCtx& ctx, const EntrylkReq& req) {
  GF_STRIPE_FIRST(entrylk(ctx, req));
}
Task<Result<Empty>> StripeXlator::fentrylk(const CallCtx& ctx, const FentrylkReq& req) {
  GF_STRIPE_FIRST(fentrylk(ctx, req));
}

// A new file gets its block size from the patterns and keeps it with every piece; a file that
// already existed (create without O_EXCL) keeps the size it was made with. The mark is set by
// name as root: the caller's inode has no gfid until this create returns, and users may not
// set trusted.* keys.
Task<Result<EntryReply>> StripeXlator::create(const CallCtx& ctx, const CreateReq& in) {
  CreateReq req = in;
  req.flags &= ~O_APPEND;
  if (req.gfid.isNull()) req.gfid = Gfid::random();
  auto r = co_await makeEverywhere(
      *this, req.loc, req.gfid, [this, &ctx, &req](size_t i) { return child(i).create(ctx, req); });
  if (!r) co_return r;
  Loc own = ownLoc(*this, req.loc, r->stat);
  if (r->stat.gfid != req.gfid) {
    GetxattrReq get{own, kStripeBlockKey};
    const CallCtx root = CallCtx::root();
    auto x = co_await child(0).getxattr(root, get);
    uint64_t bs = 0;
    if (x)
      if (auto it = x->xattrs.find(kStripeBlockKey);
          it != x->xattrs.end() && it->second.size() == sizeof bs)
        std::memcpy(&bs, it->second.data(), sizeof bs);
    setBlockSize(req.loc.inode, bs);
    co_return r;
  }
  uint64_t bs = blockSizeFor(req.loc.name);
  std::string raw(sizeof bs, '\0');
  std::memcpy(raw.data(), &bs, sizeof bs);
  SetxattrReq mark{own, Dict{{kStripeBlockKey, raw}}, 0};
  const CallCtx root = CallCtx::root();
  auto m = co_await everyChild<Empty>(
      *this, [this, &root, &mark](size_t i) { return child(i).setxattr(root, mark); });
  if (!m) {
    // Without its block size no client could read the file right: it must not stay.
    co_await undoMade(*this, req.loc, req.gfid, std::vector<Result<EntryReply>>(childCount(), *r));
    co_return fail(m.error());
  }
  setBlockSize(req.loc.inode, bs);
  co_return r;
}

namespace {
// Grows one piece to the logical size without changing the file's times: the bytes it adds
// are a hole, which the file already had, and a time set before close (cp -a, tar) must stay.
Task<void> growPiece(Xlator& x, const CallCtx& ctx, FdPtr fd, uint64_t size, Iatt times) {
  auto grown = co_await x.ftruncate(ctx, FtruncateReq{fd, size});
  if (!grown) co_return;
  (void)co_await x.fsetattr(CallCtx::root(), FsetattrReq{fd, times, kSetAtime | kSetMtime});
}
}  // namespace

// Every piece is grown to the logical size at close, so that each child holds the whole file
// as a sparse file.
Task<Result<Empty>> StripeXlator::flush(const CallCtx& ctx, const FlushReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  if ((req.fd->flags() & O_ACCMODE) != O_RDONLY) {  // a reader grew nothing: no lock to take
    auto section = co_await enterAppendTurn(ctx, req.fd);
    if (!section) co_return fail(section.error());
    co_await growPieces(ctx, req.fd);
    co_await leaveAppendTurn(**section, req.fd);
  }
  co_return co_await everyChild<Empty>(
      *this, [this, &ctx, &req](size_t i) { return child(i).flush(ctx, req); });
}

Task<void> StripeXlator::growPieces(const CallCtx& ctx, const FdPtr& fd) {
  FstatReq st{fd};
  std::vector<Task<Result<AttrReply>>> stats;
  for (size_t i = 0; i < childCount(); ++i) stats.push_back(child(i).fstat(ctx, st));
  auto sizes = co_await whenAll(std::move(stats));
  uint64_t logical = 0;
  Timespec mtime{};
  bool regular = true;
  for (auto& r : sizes)
    if (r) {
      logical = std::max(logical, r->stat.size);
      mtime = std::max(mtime, r->stat.mtime);
      regular = regular && r->stat.isReg();
    }
  if (regular) {
    std::vector<Task<void>> calls;
    for (size_t i = 0; i < childCount(); ++i)
      if (sizes[i] && sizes[i]->stat.size < logical) {
        Iatt times = sizes[i]->stat;
        times.mtime = mtime;  // the file's, as stat shows it (the latest piece's)
        calls.push_back(growPiece(child(i), ctx, fd, logical, times));
      }
    co_await whenAll(std::move(calls));
  }
}

Task<Result<ReaddirReply>> StripeXlator::readdir(const CallCtx& ctx, const ReaddirReq& req) {
  GF_STRIPE_FIRST(readdir(ctx, req));
}
namespace {
Task<Result<AttrReply>> statOne(Xlator& x, const CallCtx& ctx, Loc loc) {
  co_return co_await x.stat(ctx, StatReq{loc});
}
}  // namespace

// Child 0 lists; a regular file's attributes there are one piece's, so the other pieces are
// added in. An entry whose pieces cannot all be read is listed without attributes (no gfid),
// leaving them to a lookup.
Task<Result<ReaddirReply>> StripeXlator::readdirp(const CallCtx& ctx, const ReaddirpReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  auto r = co_await child(0).readdirp(ctx, req);
  if (!r || childCount() == 1) co_return r;
  std::vector<size_t> files;
  std::vector<Task<Result<AttrReply>>> calls;
  for (size_t k = 0; k < r->entries.size(); ++k) {
    const DirEntry& e = r->entries[k];
    if (!e.stat.isReg() || e.stat.gfid.isNull()) continue;
    files.push_back(k);
    Loc piece = ownLoc(*this, Loc{req.fd->inode(), e.name, nullptr}, e.stat);
    for (size_t i = 1; i < childCount(); ++i) calls.push_back(statOne(child(i), ctx, piece));
  }
  auto pieces = co_await whenAll(std::move(calls));
  for (size_t f = 0; f < files.size(); ++f) {
    Iatt& st = r->entries[files[f]].stat;
    for (size_t i = 1; i < childCount(); ++i) {
      auto& p = pieces[f * (childCount() - 1) + (i - 1)];
      if (p && p->stat.gfid == st.gfid) {
        mergeInto(st, p->stat);
        continue;
      }
      Iatt brief;
      brief.mode = st.type();
      brief.ino = st.ino;
      st = brief;
      break;
    }
  }
  co_return r;
}

Task<Result<StatfsReply>> StripeXlator::statfs(const CallCtx& ctx, const StatfsReq& req) {
  if (!allUp()) co_return fail(ENOTCONN);
  std::vector<Task<Result<StatfsReply>>> calls;
  for (size_t i = 0; i < childCount(); ++i) calls.push_back(child(i).statfs(ctx, req));
  auto all = co_await whenAll(std::move(calls));
  co_return sumStatfs(all);
}

}  // namespace gf
