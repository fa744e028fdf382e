// SPDX-License-Identifier: GPL-3.0-or-later
// LockService: the lock fops (lk, inodelk, entrylk and their fd forms) over a LockTable, plus
// the release rules. Used by features/locks and by storage leaves that manage locks
// themselves (storage/memory), so both behave identically.
//
// Owners: fcntl, inodelk and entrylk locks belong to (CallCtx.clientId, CallCtx.lkOwner); a
// flock lock belongs to the open Fd it was taken through (and the client that sent it).
// inodelk ranges behave like fcntl ranges of their owner (locking again merges, one unlock of
// the range frees it); entrylk locks are counted (each lock needs its own unlock, and an
// unlock of a name the owner does not hold is EINVAL).
// Release: flush() drops the caller's fcntl locks on the file, as close(2) does; an Fd's flock
// locks go when the Fd is released (its context is destroyed); disconnect() drops everything
// a client held and fails its queued requests with ENOTCONN.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "glusterfs/core/call_ctx.h"
#include "glusterfs/core/fops.h"
#include "glusterfs/core/task.h"
#include "glusterfs/xlators/features/locks/lock_table.h"

namespace gf::locks {

class LockService {
 public:
  LockService();
  ~LockService();
  LockService(const LockService&) = delete;
  LockService& operator=(const LockService&) = delete;

  // `gfid` is the file's; `fileSize` resolves SEEK_END requests. Like every fop, the returned
  // task must be awaited while `ctx` and `req` are alive.
  Task<Result<LkReply>> lk(const CallCtx& ctx, Gfid gfid, const LkReq& req, uint64_t fileSize);
  Task<Result<Empty>> inodelk(const CallCtx& ctx, const Gfid& gfid, const std::string& domain,
                              LockCmd cmd, const Flock& lock);
  // `dir` is the directory's gfid; an empty basename locks the whole directory.
  Task<Result<Empty>> entrylk(const CallCtx& ctx, const Gfid& dir, const std::string& domain,
                              const std::string& basename, EntrylkCmd cmd, EntrylkType type);

  void flush(const CallCtx& ctx, const Gfid& gfid);
  void disconnect(uint64_t clientId);

  LockTable& table() { return *table_; }

 private:
  Task<Result<LkReply>> posixLk(const CallCtx& ctx, Gfid gfid, const LkReq& req, uint64_t fileSize);
  Task<Result<LkReply>> flockLk(const CallCtx& ctx, Gfid gfid, const LkReq& req);
  LockOwner flockOwner(const CallCtx& ctx, const Gfid& gfid, Fd& fd);

  std::shared_ptr<LockTable> table_;
  std::atomic<uint64_t> nextFdToken_{1};
};

}  // namespace gf::locks
