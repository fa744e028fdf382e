// SPDX-License-Identifier: GPL-3.0-or-later
// features/locks: the translator around the LockService.
#include "glusterfs/xlators/features/locks/locks_xlator.h"

#include <unistd.h>

#include "glusterfs/core/log.h"

namespace gf {

namespace {
// The gfid a lock request names, or null when the caller has not resolved the file yet.
Gfid gfidOf(const InodePtr& inode) { return inode ? inode->gfid() : Gfid{}; }
Gfid gfidOf(const FdPtr& fd) { return fd ? gfidOf(fd->inode()) : Gfid{}; }
}  // namespace

const OptionTable<LocksXlator::Config>& LocksXlator::optionTable() {
  static const auto table = OptionTable<Config>().boolean(
      "mandatory-locks", &Config::mandatoryLocks, false,
      "Mandatory locking (enforcing locks on reads and writes); not supported, must be off.");
  return table;
}

LocksXlator::LocksXlator(const XlatorArgs& args, Config config) : Xlator(args), config_(config) {}

Status LocksXlator::init() {
  if (config_.mandatoryLocks) {
    GF_LOG_ERROR(name(), "option mandatory-locks: mandatory locking is not supported");
    return fail(EINVAL);
  }
  return {};
}

void LocksXlator::notify(const Event& ev) {
  if (ev.type == EventType::kClientDisconnect) {
    GF_LOG_DEBUG(name(), "client %llu disconnected: releasing its locks",
                 static_cast<unsigned long long>(ev.clientId));
    service_.disconnect(ev.clientId);
  }
  Xlator::notify(ev);
}

Task<Result<LkReply>> LocksXlator::lk(const CallCtx& ctx, const LkReq& req) {
  if (!req.fd) return fail(EBADF);
  if (req.kind == LockKind::kPosix && req.lock.whence == SEEK_END) return lkAtEnd(ctx, req);
  return service_.lk(ctx, gfidOf(req.fd), req, 0);
}

// SEEK_END ranges are relative to the current size, which only the child knows.
Task<Result<LkReply>> LocksXlator::lkAtEnd(const CallCtx& ctx, const LkReq& req) {
  FstatReq st{req.fd};
  GF_CO_TRY(AttrReply attr, co_await child().fstat(ctx, st));
  Gfid gfid = gfidOf(req.fd);
  co_return co_await service_.lk(ctx, gfid, req, attr.stat.size);
}

Task<Result<Empty>> LocksXlator::inodelk(const CallCtx& ctx, const InodelkReq& req) {
  return service_.inodelk(ctx, gfidOf(req.loc.inode), req.domain, req.cmd, req.lock);
}

Task<Result<Empty>> LocksXlator::finodelk(const CallCtx& ctx, const FinodelkReq& req) {
  if (!req.fd) return fail(EBADF);
  return service_.inodelk(ctx, gfidOf(req.fd), req.domain, req.cmd, req.lock);
}

Task<Result<Empty>> LocksXlator::entrylk(const CallCtx& ctx, const EntrylkReq& req) {
  return service_.entrylk(ctx, gfidOf(req.loc.inode), req.domain, req.basename, req.cmd, req.type);
}

Task<Result<Empty>> LocksXlator::fentrylk(const CallCtx& ctx, const FentrylkReq& req) {
  if (!req.fd) return fail(EBADF);
  return service_.entrylk(ctx, gfidOf(req.fd), req.domain, req.basename, req.cmd, req.type);
}

Task<Result<Empty>> LocksXlator::flush(const CallCtx& ctx, const FlushReq& req) {
  service_.flush(ctx, gfidOf(req.fd));
  return child().flush(ctx, req);
}

}  // namespace gf
