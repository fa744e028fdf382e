// SPDX-License-Identifier: GPL-3.0-or-later
// LockService: request validation, owners, and release rules around the LockTable.
#include "glusterfs/xlators/features/locks/lock_service.h"

#include <fcntl.h>
#include <unistd.h>

namespace gf::locks {

namespace {

// The flock identity of one open file; releasing the Fd releases its flock locks.
struct FlockFdCtx {
  std::weak_ptr<LockTable> table;
  SpaceKey key;
  LockOwner owner;
  ~FlockFdCtx() {
    if (auto t = table.lock()) t->releaseOwner(key, owner);
  }
};

bool validType(int32_t t) { return t == F_RDLCK || t == F_WRLCK || t == F_UNLCK; }

bool readable(const Fd& fd) { return (fd.flags() & O_ACCMODE) != O_WRONLY; }
bool writable(const Fd& fd) { return (fd.flags() & O_ACCMODE) != O_RDONLY; }

}  // namespace

LockService::LockService() : table_(std::make_shared<LockTable>()) {}
LockService::~LockService() = default;

Task<Result<LkReply>> LockService::lk(const CallCtx& ctx, Gfid gfid, const LkReq& req,
                                      uint64_t fileSize) {
  if (!req.fd) return fail(EBADF);
  if (gfid.isNull()) return fail(EINVAL);
  if (!validType(req.lock.type)) return fail(EINVAL);
  if (req.kind == LockKind::kFlock) return flockLk(ctx, gfid, req);
  return posixLk(ctx, gfid, req, fileSize);
}

Task<Result<LkReply>> LockService::posixLk(const CallCtx& ctx, Gfid gfid, const LkReq& req,
                                           uint64_t fileSize) {
  GF_CO_TRY(RangeLock range, rangeFromFlock(req.lock, fileSize));
  range.owner = LockOwner{ctx.clientId, ctx.lkOwner};
  if (range.pid == 0) range.pid = static_cast<int32_t>(ctx.pid);
  SpaceKey key{gfid, SpaceKind::kPosix, {}};
  LkReply reply{req.lock};
  if (req.cmd == LockCmd::kGet) {
    if (range.type == F_UNLCK) co_return fail(EINVAL);
    if (auto c = table_->testRange(key, range)) {
      reply.lock = flockFromRange(*c);
    } else {
      reply.lock.type = F_UNLCK;
    }
    co_return reply;
  }
  if (range.type == F_UNLCK) {
    table_->unlockRange(key, range);
    co_return reply;
  }
  // As fcntl: a read lock needs an fd open for reading, a write lock one open for writing.
  if ((range.type == F_RDLCK && !readable(*req.fd)) ||
      (range.type == F_WRLCK && !writable(*req.fd)))
    co_return fail(EBADF);
  GF_CO_CHECK(co_await table_->lockRange(key, range, req.cmd == LockCmd::kSetWait));
  co_return reply;
}

LockOwner LockService::flockOwner(const CallCtx& ctx, const Gfid& gfid, Fd& fd) {
  auto fctx = fd.ctx().getOrCreate<FlockFdCtx>(this, [&] {
    auto c = std::make_shared<FlockFdCtx>();
    c->table = table_;
    c->key = SpaceKey{gfid, SpaceKind::kFlock, {}};
    c->owner = LockOwner{ctx.clientId, nextFdToken_.fetch_add(1)};
    return c;
  });
  return fctx->owner;
}

Task<Result<LkReply>> LockService::flockLk(const CallCtx& ctx, Gfid gfid, const LkReq& req) {
  RangeLock range;
  range.owner = flockOwner(ctx, gfid, *req.fd);
  range.type = req.lock.type;
  range.start = 0;
  range.end = kLockEof;
  range.pid = req.lock.pid ? req.lock.pid : static_cast<int32_t>(ctx.pid);
  SpaceKey key{gfid, SpaceKind::kFlock, {}};
  LkReply reply{req.lock};
  if (req.cmd == LockCmd::kGet) {
    if (range.type == F_UNLCK) co_return fail(EINVAL);
    if (auto c = table_->testRange(key, range)) {
      reply.lock = flockFromRange(*c);
    } else {
      reply.lock.type = F_UNLCK;
    }
    co_return reply;
  }
  if (range.type == F_UNLCK) {
    table_->releaseOwner(key, range.owner);
    co_return reply;
  }
  GF_CO_CHECK(co_await table_->lockRange(key, range, req.cmd == LockCmd::kSetWait));
  co_return reply;
}

Task<Result<Empty>> LockService::inodelk(const CallCtx& ctx, const Gfid& gfid,
                                         const std::string& domain, LockCmd cmd,
                                         const Flock& lock) {
  if (gfid.isNull() || !validType(lock.type) || lock.whence == SEEK_END) return fail(EINVAL);
  auto parsed = rangeFromFlock(lock, 0);
  if (!parsed) return fail(parsed.error());
  RangeLock range = *parsed;
  range.owner = LockOwner{ctx.clientId, ctx.lkOwner};
  if (range.pid == 0) range.pid = static_cast<int32_t>(ctx.pid);
  SpaceKey key{gfid, SpaceKind::kInodelk, domain};
  if (cmd == LockCmd::kGet) {
    if (range.type == F_UNLCK) return fail(EINVAL);
    if (table_->testRange(key, range)) return fail(EAGAIN);
    return Task<Result<Empty>>::ready(Empty{});
  }
  if (range.type == F_UNLCK) {
    table_->unlockRange(key, range);
    return Task<Result<Empty>>::ready(Empty{});
  }
  return [](LockTable& t, SpaceKey k, RangeLock r, bool wait) -> Task<Result<Empty>> {
    GF_CO_CHECK(co_await t.lockRange(std::move(k), std::move(r), wait));
    co_return Empty{};
  }(*table_, std::move(key), range, cmd == LockCmd::kSetWait);
}

Task<Result<Empty>> LockService::entrylk(const CallCtx& ctx, const Gfid& dir,
                                         const std::string& domain, const std::string& basename,
                                         EntrylkCmd cmd, EntrylkType type) {
  if (dir.isNull() || basename.find('/') != std::string::npos) return fail(EINVAL);
  EntryLock lock{LockOwner{ctx.clientId, ctx.lkOwner}, basename, type};
  SpaceKey key{dir, SpaceKind::kEntrylk, domain};
  if (cmd == EntrylkCmd::kUnlock) {
    Status st = table_->unlockEntry(key, lock);
    if (!st) return fail(st.error());
    return Task<Result<Empty>>::ready(Empty{});
  }
  return [](LockTable& t, SpaceKey k, EntryLock l, bool wait) -> Task<Result<Empty>> {
    GF_CO_CHECK(co_await t.lockEntry(std::move(k), std::move(l), wait));
    co_return Empty{};
  }(*table_, std::move(key), std::move(lock), cmd == EntrylkCmd::kLock);
}

void LockService::flush(const CallCtx& ctx, const Gfid& gfid) {
  if (gfid.isNull()) return;
  table_->releaseOwner(SpaceKey{gfid, SpaceKind::kPosix, {}}, LockOwner{ctx.clientId, ctx.lkOwner});
}

void LockService::disconnect(uint64_t clientId) { table_->releaseClient(clientId); }

}  // namespace gf::locks
