// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/ha: failover between connections to one volume, with open files following.
#include "glusterfs/xlators/cluster/ha/ha_xlator.h"

#include <fcntl.h>

#include "glusterfs/core/log.h"

namespace gf {

namespace {

// What an fd needs to be opened again on another child.
struct HaFdCtx {
  std::mutex mutex;
  Loc loc;
  int32_t flags = 0;
  bool directory = false;
  std::vector<bool> openOn;
  std::vector<std::pair<LkReq, uint64_t>> locks;  // granted lock requests and their owner
};

std::shared_ptr<HaFdCtx> fdCtx(const HaXlator* ha, const FdPtr& fd) {
  return fd->ctx().getOrCreate<HaFdCtx>(ha, [ha] {
    auto c = std::make_shared<HaFdCtx>();
    c->openOn.assign(ha->childCount(), false);
    return c;
  });
}

// Opens `fd` on child i if it is not open there yet, and takes its locks there again.
Task<Status> ensureOpen(HaXlator& ha, size_t i, const FdPtr& fd) {
  auto c = fdCtx(&ha, fd);
  Loc loc;
  int32_t flags;
  bool dir;
  std::vector<std::pair<LkReq, uint64_t>> locks;
  {
    std::lock_guard lock(c->mutex);
    if (c->openOn[i]) co_return Status{};
    loc = c->loc;
    flags = c->flags & ~(O_CREAT | O_EXCL | O_TRUNC);
    dir = c->directory;
    locks = c->locks;
  }
  if (!loc.inode) co_return fail(EBADF);
  CallCtx root = CallCtx::root();
  Result<Empty> r = fail(EIO);
  if (dir) {
    OpendirReq req{loc, fd};
    r = co_await ha.child(i).opendir(root, req);
  } else {
    OpenReq req{loc, flags, fd};
    r = co_await ha.child(i).open(root, req);
  }
  if (!r) co_return r.error();
  for (auto& [lk, owner] : locks) {
    CallCtx o = root;
    o.lkOwner = owner;
    LkReq again = lk;
    again.fd = fd;
    again.cmd = LockCmd::kSet;
    auto l = co_await ha.child(i).lk(o, again);
    if (!l) {
      GF_LOG_ERROR(ha.name(), "%s: a lock could not be taken again on %s after failover",
                   loc.path().c_str(), ha.child(i).name().c_str());
      co_return l.error();
    }
  }
  std::lock_guard lock(c->mutex);
  c->openOn[i] = true;
  co_return Status{};
}

void recordOpen(const HaXlator* ha, const FdPtr& fd, const Loc& loc, int32_t flags, bool dir,
                size_t i) {
  auto c = fdCtx(ha, fd);
  std::lock_guard lock(c->mutex);
  c->loc = loc;
  c->flags = flags;
  c->directory = dir;
  c->openOn[i] = true;
}

// Runs `call(i)` on the preferred live child, then the next ones while it fails with ENOTCONN.
// `replayed(result)` may turn the outcome of a replay into success (the first try did it).
template <class Rep, class Call, class Replayed>
Task<Result<Rep>> failover(HaXlator& ha, Call call, Replayed replayed) {
  bool replaying = false;
  Result<Rep> last = fail(ENOTCONN);
  for (size_t i : ha.order()) {
    last = co_await call(i);
    if (replaying && !last) {
      auto fixed = co_await replayed(i, last);
      if (fixed) co_return std::move(*fixed);
    }
    if (last || last.errnum() != ENOTCONN) co_return last;
    GF_LOG_WARNING(ha.name(), "%s is unreachable; trying the next path",
                   ha.child(i).name().c_str());
    replaying = true;
  }
  co_return last;
}

template <class Rep>
auto noReplay() {
  return [](size_t, const Result<Rep>&) -> Task<std::optional<Result<Rep>>> {
    co_return std::nullopt;
  };
}

// A replayed creating fop that finds its own gfid under the name succeeded before. The gfid is
// chosen here when the caller left it to the server, or there would be nothing to recognise.
template <class Req, class Call>
Task<Result<EntryReply>> createOnce(HaXlator& ha, const CallCtx& ctx, Req req, Call call) {
  if (req.gfid.isNull()) req.gfid = Gfid::random();
  co_return co_await failover<EntryReply>(
      ha, [&](size_t i) { return call(ha.child(i), req); },
      [&](size_t i, const Result<EntryReply>& r) -> Task<std::optional<Result<EntryReply>>> {
        if (r.errnum() != EEXIST) co_return std::nullopt;
        LookupReq probe{req.loc, {}};
        auto found = co_await ha.child(i).lookup(ctx, probe);
        if (!found || found->stat.gfid != req.gfid) co_return std::nullopt;
        co_return Result<EntryReply>(std::move(*found));
      });
}

// A replayed removal that finds nothing succeeded before.
auto removeReplay() {
  return [](size_t, const Result<Empty>& r) -> Task<std::optional<Result<Empty>>> {
    if (r.errnum() != ENOENT) co_return std::nullopt;
    co_return Result<Empty>(Empty{});
  };
}

}  // namespace

const OptionTable<HaXlator::Config>& HaXlator::optionTable() {
  static const auto table =
      OptionTable<Config>().xlator("preferred-subvolume", &Config::preferred,
                                   "Child to use while it is up (default: the first).");
  return table;
}

HaXlator::HaXlator(const XlatorArgs& args, Config config)
    : Xlator(args), config_(std::move(config)) {
  up_.assign(children().size(), false);
}

Status HaXlator::init() {
  if (config_.preferred.empty()) return {};
  for (size_t i = 0; i < childCount(); ++i)
    if (child(i).name() == config_.preferred) preferred_ = static_cast<int>(i);
  if (child(preferred_).name() != config_.preferred) {
    GF_LOG_ERROR(name(), "preferred-subvolume '%s' is not a child", config_.preferred.c_str());
    return fail(EINVAL);
  }
  return {};
}

void HaXlator::notify(const Event& ev) {
  if (ev.type == EventType::kClientDisconnect) return notifyChildren(ev);
  int idx = -1;
  for (size_t i = 0; i < childCount(); ++i)
    if (&child(i) == ev.from) idx = static_cast<int>(i);
  if (idx < 0) return;
  bool sendUp = false, sendDown = false;
  {
    std::lock_guard lock(mutex_);
    up_[idx] = ev.type == EventType::kChildUp;
    size_t count = 0;
    for (bool b : up_) count += b;
    if (count && !announcedUp_) announcedUp_ = sendUp = true;
    if (!count && announcedUp_) {
      announcedUp_ = false;
      sendDown = true;
    }
  }
  if (sendUp) notifyParents(EventType::kChildUp);
  if (sendDown) notifyParents(EventType::kChildDown, "every path to the volume is down");
}

std::vector<size_t> HaXlator::order() const {
  std::lock_guard lock(mutex_);
  std::vector<size_t> out;
  for (size_t k = 0; k < up_.size(); ++k) {
    size_t i = (preferred_ + k) % up_.size();
    if (up_[i]) out.push_back(i);
  }
  return out;
}

#define GF_HA_PLAIN(Rep, call) \
  return failover<Rep>(        \
      *this, [this, &ctx, &req](size_t i) { return child(i).call; }, noReplay<Rep>())

#define GF_HA_ON_FD(Rep, call)                               \
  return failover<Rep>(                                      \
      *this,                                                 \
      [this, &ctx, &req](size_t i) -> Task<Result<Rep>> {    \
        Status open = co_await ensureOpen(*this, i, req.fd); \
        if (!open) co_return fail(open.error());             \
        co_return co_await child(i).call;                    \
      },                                                     \
      noReplay<Rep>())

Task<Result<EntryReply>> HaXlator::lookup(const CallCtx& ctx, const LookupReq& req) {
  GF_HA_PLAIN(EntryReply, lookup(ctx, req));
}
Task<Result<AttrReply>> HaXlator::stat(const CallCtx& ctx, const StatReq& req) {
  GF_HA_PLAIN(AttrReply, stat(ctx, req));
}
Task<Result<AttrReply>> HaXlator::setattr(const CallCtx& ctx, const SetattrReq& req) {
  GF_HA_PLAIN(AttrReply, setattr(ctx, req));
}
Task<Result<AttrReply>> HaXlator::truncate(const CallCtx& ctx, const TruncateReq& req) {
  GF_HA_PLAIN(AttrReply, truncate(ctx, req));
}
Task<Result<Empty>> HaXlator::access(const CallCtx& ctx, const AccessReq& req) {
  GF_HA_PLAIN(Empty, access(ctx, req));
}
Task<Result<ReadlinkReply>> HaXlator::readlink(const CallCtx& ctx, const ReadlinkReq& req) {
  GF_HA_PLAIN(ReadlinkReply, readlink(ctx, req));
}
Task<Result<StatfsReply>> HaXlator::statfs(const CallCtx& ctx, const StatfsReq& req) {
  GF_HA_PLAIN(StatfsReply, statfs(ctx, req));
}
Task<Result<Empty>> HaXlator::setxattr(const CallCtx& ctx, const SetxattrReq& req) {
  GF_HA_PLAIN(Empty, setxattr(ctx, req));
}
Task<Result<XattrReply>> HaXlator::getxattr(const CallCtx& ctx, const GetxattrReq& req) {
  GF_HA_PLAIN(XattrReply, getxattr(ctx, req));
}
Task<Result<ListxattrReply>> HaXlator::listxattr(const CallCtx& ctx, const ListxattrReq& req) {
  GF_HA_PLAIN(ListxattrReply, listxattr(ctx, req));
}
Task<Result<Empty>> HaXlator::removexattr(const CallCtx& ctx, const RemovexattrReq& req) {
  GF_HA_PLAIN(Empty, removexattr(ctx, req));
}
Task<Result<XattrReply>> HaXlator::xattrop(const CallCtx& ctx, const XattropReq& req) {
  GF_HA_PLAIN(XattrReply, xattrop(ctx, req));
}
Task<Result<Empty>> HaXlator::inodelk(const CallCtx& ctx, const InodelkReq& req) {
  GF_HA_PLAIN(Empty, inodelk(ctx, req));
}
Task<Result<Empty>> HaXlator::entrylk(const CallCtx& ctx, const EntrylkReq& req) {
  GF_HA_PLAIN(Empty, entrylk(ctx, req));
}

Task<Result<EntryReply>> HaXlator::mknod(const CallCtx& ctx, const MknodReq& req) {
  return createOnce(*this, ctx, req,
                    [&ctx](Xlator& x, const MknodReq& r) { return x.mknod(ctx, r); });
}
Task<Result<EntryReply>> HaXlator::mkdir(const CallCtx& ctx, const MkdirReq& req) {
  return createOnce(*this, ctx, req,
                    [&ctx](Xlator& x, const MkdirReq& r) { return x.mkdir(ctx, r); });
}
Task<Result<EntryReply>> HaXlator::symlink(const CallCtx& ctx, const SymlinkReq& req) {
  return createOnce(*this, ctx, req,
                    [&ctx](Xlator& x, const SymlinkReq& r) { return x.symlink(ctx, r); });
}
Task<Result<EntryReply>> HaXlator::link(const CallCtx& ctx, const LinkReq& req) {
  GF_HA_PLAIN(EntryReply, link(ctx, req));
}
Task<Result<Empty>> HaXlator::unlink(const CallCtx& ctx, const UnlinkReq& req) {
  return failover<Empty>(
      *this, [this, &ctx, &req](size_t i) { return child(i).unlink(ctx, req); }, removeReplay());
}
Task<Result<Empty>> HaXlator::rmdir(const CallCtx& ctx, const RmdirReq& req) {
  return failover<Empty>(
      *this, [this, &ctx, &req](size_t i) { return child(i).rmdir(ctx, req); }, removeReplay());
}
// A replayed rename whose source is gone, with the source's file now under the new name,
// happened the first time.
Task<Result<AttrReply>> HaXlator::rename(const CallCtx& ctx, const RenameReq& req) {
  auto replay = [this, &ctx, &req](
                    size_t i,
                    const Result<AttrReply>& r) -> Task<std::optional<Result<AttrReply>>> {
    if (r.errnum() != ENOENT || !req.oldLoc.inode) co_return std::nullopt;
    LookupReq probe{req.newLoc, {}};
    auto found = co_await child(i).lookup(ctx, probe);
    if (!found || found->stat.gfid != req.oldLoc.inode->gfid()) co_return std::nullopt;
    co_return Result<AttrReply>(AttrReply{found->stat});
  };
  return failover<AttrReply>(
      *this, [this, &ctx, &req](size_t i) { return child(i).rename(ctx, req); }, replay);
}

Task<Result<EntryReply>> HaXlator::create(const CallCtx& ctx, const CreateReq& given) {
  // As in createOnce(): a gfid of our own makes a replay recognisable.
  CreateReq req = given;
  if (req.gfid.isNull()) req.gfid = Gfid::random();
  auto r = co_await failover<EntryReply>(
      *this,
      [this, &ctx, &req](size_t i) -> Task<Result<EntryReply>> {
        auto c = co_await child(i).create(ctx, req);
        if (c) recordOpen(this, req.fd, req.loc, req.flags, false, i);
        co_return c;
      },
      [this, &ctx, &req](size_t i,
                         const Result<EntryReply>& r) -> Task<std::optional<Result<EntryReply>>> {
        // Our create went through on the first path: open what we made.
        if (r.errnum() != EEXIST) co_return std::nullopt;
        LookupReq probe{req.loc, {}};
        auto found = co_await child(i).lookup(ctx, probe);
        if (!found || found->stat.gfid != req.gfid) co_return std::nullopt;
        OpenReq open{req.loc, req.flags & ~(O_CREAT | O_EXCL | O_TRUNC), req.fd};
        auto o = co_await child(i).open(ctx, open);
        if (!o) co_return std::nullopt;
        recordOpen(this, req.fd, req.loc, req.flags, false, i);
        co_return Result<EntryReply>(std::move(*found));
      });
  co_return r;
}

Task<Result<Empty>> HaXlator::open(const CallCtx& ctx, const OpenReq& req) {
  return failover<Empty>(
      *this,
      [this, &ctx, &req](size_t i) -> Task<Result<Empty>> {
        auto r = co_await child(i).open(ctx, req);
        if (r) recordOpen(this, req.fd, req.loc, req.flags, false, i);
        co_return r;
      },
      noReplay<Empty>());
}

Task<Result<Empty>> HaXlator::opendir(const CallCtx& ctx, const OpendirReq& req) {
  return failover<Empty>(
      *this,
      [this, &ctx, &req](size_t i) -> Task<Result<Empty>> {
        auto r = co_await child(i).opendir(ctx, req);
        if (r) recordOpen(this, req.fd, req.loc, O_RDONLY, true, i);
        co_return r;
      },
      noReplay<Empty>());
}

Task<Result<AttrReply>> HaXlator::fstat(const CallCtx& ctx, const FstatReq& req) {
  GF_HA_ON_FD(AttrReply, fstat(ctx, req));
}
Task<Result<AttrReply>> HaXlator::fsetattr(const CallCtx& ctx, const FsetattrReq& req) {
  GF_HA_ON_FD(AttrReply, fsetattr(ctx, req));
}
Task<Result<AttrReply>> HaXlator::ftruncate(const CallCtx& ctx, const FtruncateReq& req) {
  GF_HA_ON_FD(AttrReply, ftruncate(ctx, req));
}
Task<Result<ReadvReply>> HaXlator::readv(const CallCtx& ctx, const ReadvReq& req) {
  GF_HA_ON_FD(ReadvReply, readv(ctx, req));
}
Task<Result<WriteReply>> HaXlator::writev(const CallCtx& ctx, const WritevReq& req) {
  GF_HA_ON_FD(WriteReply, writev(ctx, req));
}
Task<Result<Empty>> HaXlator::flush(const CallCtx& ctx, const FlushReq& req) {
  GF_HA_ON_FD(Empty, flush(ctx, req));
}
Task<Result<Empty>> HaXlator::fsync(const CallCtx& ctx, const FsyncReq& req) {
  GF_HA_ON_FD(Empty, fsync(ctx, req));
}
Task<Result<ReaddirReply>> HaXlator::readdir(const CallCtx& ctx, const ReaddirReq& req) {
  GF_HA_ON_FD(ReaddirReply, readdir(ctx, req));
}
Task<Result<ReaddirReply>> HaXlator::readdirp(const CallCtx& ctx, const ReaddirpReq& req) {
  GF_HA_ON_FD(ReaddirReply, readdirp(ctx, req));
}
Task<Result<Empty>> HaXlator::fsyncdir(const CallCtx& ctx, const FsyncdirReq& req) {
  GF_HA_ON_FD(Empty, fsyncdir(ctx, req));
}
Task<Result<Empty>> HaXlator::fsetxattr(const CallCtx& ctx, const FsetxattrReq& req) {
  GF_HA_ON_FD(Empty, fsetxattr(ctx, req));
}
Task<Result<XattrReply>> HaXlator::fgetxattr(const CallCtx& ctx, const FgetxattrReq& req) {
  GF_HA_ON_FD(XattrReply, fgetxattr(ctx, req));
}
Task<Result<Empty>> HaXlator::fremovexattr(const CallCtx& ctx, const FremovexattrReq& req) {
  GF_HA_ON_FD(Empty, fremovexattr(ctx, req));
}
Task<Result<XattrReply>> HaXlator::fxattrop(const CallCtx& ctx, const FxattropReq& req) {
  GF_HA_ON_FD(XattrReply, fxattrop(ctx, req));
}
Task<Result<Empty>> HaXlator::finodelk(const CallCtx& ctx, const FinodelkReq& req) {
  GF_HA_ON_FD(Empty, finodelk(ctx, req));
}
Task<Result<Empty>> HaXlator::fentrylk(const CallCtx& ctx, const FentrylkReq& req) {
  GF_HA_ON_FD(Empty, fentrylk(ctx, req));
}
Task<Result<Empty>> HaXlator::fallocate(const CallCtx& ctx, const FallocateReq& req) {
  GF_HA_ON_FD(Empty, fallocate(ctx, req));
}
Task<Result<LseekReply>> HaXlator::lseek(const CallCtx& ctx, const LseekReq& req) {
  GF_HA_ON_FD(LseekReply, lseek(ctx, req));
}
Task<Result<RchecksumReply>> HaXlator::rchecksum(const CallCtx& ctx, const RchecksumReq& req) {
  GF_HA_ON_FD(RchecksumReply, rchecksum(ctx, req));
}

// Record locks follow the fd to another path: remember what was granted.
Task<Result<LkReply>> HaXlator::lk(const CallCtx& ctx, const LkReq& req) {
  auto r = co_await failover<LkReply>(
      *this,
      [this, &ctx, &req](size_t i) -> Task<Result<LkReply>> {
        Status open = co_await ensureOpen(*this, i, req.fd);
        if (!open) co_return fail(open.error());
        co_return co_await child(i).lk(ctx, req);
      },
      noReplay<LkReply>());
  if (r && req.cmd != LockCmd::kGet) {
    auto c = fdCtx(this, req.fd);
    LkReq kept = req;
    kept.fd = nullptr;
    std::lock_guard lock(c->mutex);
    c->locks.emplace_back(kept, ctx.lkOwner);
  }
  co_return r;
}

}  // namespace gf
