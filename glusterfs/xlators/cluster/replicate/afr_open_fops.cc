// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/replicate: fops that go to every live copy without a changelog — open, sync, and
// locks (which must hold on all copies, or on none).
#include <fcntl.h>

#include "glusterfs/core/log.h"
#include "glusterfs/xlators/cluster/replicate/afr_txn.h"

namespace gf {

namespace {

// Calls every live child at once; succeeds if one did (fds not open on a copy that was
// down at open time fail there with EBADF, which is fine).
template <class Rep, class Call>
Task<Result<Rep>> onAllLive(ReplicateXlator& afr, Call call) {
  std::vector<Task<Result<Rep>>> calls;
  auto up = afr.upChildren();
  for (size_t i = 0; i < afr.childCount(); ++i)
    if (up[i]) calls.push_back(call(i));
  if (calls.empty()) co_return fail(ENOTCONN);
  auto all = co_await whenAll(std::move(calls));
  std::vector<std::error_code> errors;
  for (auto& r : all)
    if (r) co_return std::move(r);
    else errors.push_back(r.error());
  co_return fail(afr::pickError(errors));
}

// Takes a lock on every live copy: at once when not waiting, else in child order (so two
// waiters cannot deadlock). A refusal anywhere undoes the copies that granted it.
template <class Req, class Fop>
Task<Result<typename FopOf<Req>::Reply>> lockAll(ReplicateXlator& afr, const CallCtx& ctx,
                                                 const Req& req, bool wait, bool unlocking,
                                                 Fop fop, Req undo) {
  using Rep = typename FopOf<Req>::Reply;
  auto up = afr.upChildren();
  const size_t n = afr.childCount();
  std::vector<Result<Rep>> res(n, fail(ENOTCONN));
  if (wait && !unlocking) {
    for (size_t i = 0; i < n; ++i) {
      if (!up[i]) continue;
      res[i] = co_await (afr.child(i).*fop)(ctx, req);
      if (!res[i] && !afr::isTransportError(res[i].errnum())) break;
    }
  } else {
    std::vector<Task<Result<Rep>>> calls;
    std::vector<size_t> who;
    for (size_t i = 0; i < n; ++i)
      if (up[i]) {
        calls.push_back((afr.child(i).*fop)(ctx, req));
        who.push_back(i);
      }
    auto all = co_await whenAll(std::move(calls));
    for (size_t k = 0; k < who.size(); ++k) res[who[k]] = std::move(all[k]);
  }
  std::vector<std::error_code> refusals;
  size_t granted = 0;
  for (size_t i = 0; i < n; ++i) {
    if (res[i]) ++granted;
    else if (up[i] && !afr::isTransportError(res[i].errnum())) refusals.push_back(res[i].error());
  }
  if (unlocking) {
    if (granted) co_return Rep{};
    co_return fail(refusals.empty() ? std::error_code(ENOTCONN, std::generic_category()) : refusals[0]);
  }
  if (!refusals.empty()) {
    for (size_t i = 0; i < n; ++i)
      if (res[i]) (void)co_await (afr.child(i).*fop)(ctx, undo);
    co_return fail(refusals[0]);
  }
  if (!granted) co_return fail(ENOTCONN);
  co_return Rep{};
}

}  // namespace

Task<Result<Empty>> ReplicateXlator::open(const CallCtx& ctx, const OpenReq& req) {
  if (dataSplitBrain(req.loc.inode)) {
    GF_LOG_ERROR(name(), "%s: split-brain in file contents; resolve it before opening",
                 req.loc.path().c_str());
    co_return fail(EIO);
  }
  OpenReq plain = req;
  plain.flags &= ~O_TRUNC;
  auto r = co_await onAllLive<Empty>(*this, [&](size_t i) { return child(i).open(ctx, plain); });
  if (!r || !(req.flags & O_TRUNC)) co_return r;
  // Truncating at open is a data change like any other: a transaction.
  FtruncateReq trunc{req.fd, 0};
  auto t = co_await ftruncate(ctx, trunc);
  if (!t) co_return fail(t.error());
  co_return Empty{};
}

Task<Result<Empty>> ReplicateXlator::opendir(const CallCtx& ctx, const OpendirReq& req) {
  return onAllLive<Empty>(*this, [this, &ctx, &req](size_t i) { return child(i).opendir(ctx, req); });
}
// Below replicate a flush only releases the closing owner's record locks (features/locks);
// replicate's writes are complete when they return. A read-only fd of a file this client never
// locked has nothing to release: reading a file then costs no flush on every copy.
Task<Result<Empty>> ReplicateXlator::flush(const CallCtx& ctx, const FlushReq& req) {
  if ((req.fd->flags() & O_ACCMODE) == O_RDONLY && !locksTaken(req.fd->inode()))
    return Task<Result<Empty>>::ready(Empty{});
  return onAllLive<Empty>(*this, [this, &ctx, &req](size_t i) { return child(i).flush(ctx, req); });
}
Task<Result<Empty>> ReplicateXlator::fsync(const CallCtx& ctx, const FsyncReq& req) {
  return onAllLive<Empty>(*this, [this, &ctx, &req](size_t i) { return child(i).fsync(ctx, req); });
}
Task<Result<Empty>> ReplicateXlator::fsyncdir(const CallCtx& ctx, const FsyncdirReq& req) {
  return onAllLive<Empty>(*this,
                          [this, &ctx, &req](size_t i) { return child(i).fsyncdir(ctx, req); });
}

Task<Result<LkReply>> ReplicateXlator::lk(const CallCtx& ctx, const LkReq& req) {
  if (req.cmd == LockCmd::kGet) {
    for (size_t i : readOrder(req.fd->inode(), true)) {
      auto r = co_await child(i).lk(ctx, req);
      if (r || !afr::isTransportError(r.errnum())) co_return r;
    }
    co_return fail(ENOTCONN);
  }
  noteLocksTaken(req.fd->inode());
  LkReq undo = req;
  undo.cmd = LockCmd::kSet;
  undo.lock.type = F_UNLCK;
  auto r = co_await lockAll(*this, ctx, req, req.cmd == LockCmd::kSetWait,
                            req.lock.type == F_UNLCK, &Xlator::lk, undo);
  if (!r) co_return fail(r.error());
  LkReply out;
  out.lock = req.lock;
  co_return out;
}

Task<Result<Empty>> ReplicateXlator::inodelk(const CallCtx& ctx, const InodelkReq& req) {
  InodelkReq undo = req;
  undo.cmd = LockCmd::kSet;
  undo.lock.type = F_UNLCK;
  return lockAll(*this, ctx, req, req.cmd == LockCmd::kSetWait, req.lock.type == F_UNLCK,
                 &Xlator::inodelk, undo);
}

Task<Result<Empty>> ReplicateXlator::finodelk(const CallCtx& ctx, const FinodelkReq& req) {
  FinodelkReq undo = req;
  undo.cmd = LockCmd::kSet;
  undo.lock.type = F_UNLCK;
  return lockAll(*this, ctx, req, req.cmd == LockCmd::kSetWait, req.lock.type == F_UNLCK,
                 &Xlator::finodelk, undo);
}

Task<Result<Empty>> ReplicateXlator::entrylk(const CallCtx& ctx, const EntrylkReq& req) {
  EntrylkReq undo = req;
  undo.cmd = EntrylkCmd::kUnlock;
  return lockAll(*this, ctx, req, req.cmd == EntrylkCmd::kLock, req.cmd == EntrylkCmd::kUnlock,
                 &Xlator::entrylk, undo);
}

Task<Result<Empty>> ReplicateXlator::fentrylk(const CallCtx& ctx, const FentrylkReq& req) {
  FentrylkReq undo = req;
  undo.cmd = EntrylkCmd::kUnlock;
  return lockAll(*this, ctx, req, req.cmd == EntrylkCmd::kLock, req.cmd == EntrylkCmd::kUnlock,
                 &Xlator::fentrylk, undo);
}

}  // namespace gf
