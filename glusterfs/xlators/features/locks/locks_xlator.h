// SPDX-License-Identifier: GPL-3.0-or-later
// features/locks (alias features/posix-locks): the lock manager of a brick.
//
// Serves lk (fcntl record locks and flock), inodelk/finodelk (byte-range locks in named
// domains, used by cluster/replicate) and entrylk/fentrylk (name locks in a directory) from a
// LockService; none of these go further down. Everything else passes through, except that
// flush also drops the caller's fcntl locks on the file (the kernel sends FLUSH with the lock
// owner on every close) and a kClientDisconnect event drops everything that client held.
// Waiting requests suspend; no thread blocks. Option `mandatory-locks` exists for 2.0
// volfiles and may only be off.
#pragma once

#include "glusterfs/core/options.h"
#include "glusterfs/core/xlator.h"
#include "glusterfs/xlators/features/locks/lock_service.h"

namespace gf {

class LocksXlator : public Xlator {
 public:
  struct Config {
    bool mandatoryLocks = false;
  };
  static const OptionTable<Config>& optionTable();
  LocksXlator(const XlatorArgs& args, Config config);

  Status init() override;
  void notify(const Event& ev) override;

  Task<Result<LkReply>> lk(const CallCtx& ctx, const LkReq& req) override;
  Task<Result<Empty>> inodelk(const CallCtx& ctx, const InodelkReq& req) override;
  Task<Result<Empty>> finodelk(const CallCtx& ctx, const FinodelkReq& req) override;
  Task<Result<Empty>> entrylk(const CallCtx& ctx, const EntrylkReq& req) override;
  Task<Result<Empty>> fentrylk(const CallCtx& ctx, const FentrylkReq& req) override;
  Task<Result<Empty>> flush(const CallCtx& ctx, const FlushReq& req) override;

  locks::LockService& service() { return service_; }

 private:
  Task<Result<LkReply>> lkAtEnd(const CallCtx& ctx, const LkReq& req);

  Config config_;
  locks::LockService service_;
};

}  // namespace gf
