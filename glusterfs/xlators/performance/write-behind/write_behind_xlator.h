// SPDX-License-Identifier: GPL-3.0-or-later
// performance/write-behind: acknowledges writes at once and sends them below in the
// background, joining contiguous small writes into larger ones (aggregate-size).
//
// Ordering is kept per file: writes go down in the order they were made, and any other fop
// naming the file (read, stat, truncate, locks, fsync, lookup ...) first waits until its
// pending writes are down, so nothing ever sees the file without them. At most cache-size bytes
// wait per file; a writer beyond that waits. An error of a write sent behind is returned by the
// next write, flush or fsync of that file (other fops wait but leave it for them). fsync, and
// flush unless flush-behind is on, return only once everything is down; with flush-behind the
// flush returns at once and goes down after the writes made before it. O_SYNC/O_DSYNC/O_DIRECT
// writes pass straight through.
#pragma once

#include "glusterfs/core/hook_xlator.h"
#include "glusterfs/core/options.h"

namespace gf {

class WriteBehindXlator : public HookXlator {
 public:
  struct Config {
    int64_t cacheSize = 1 << 20;
    int64_t aggregateSize = 128 << 10;
    bool flushBehind = false;
    bool enableOSync = false;
  };
  static const OptionTable<Config>& optionTable();
  WriteBehindXlator(const XlatorArgs& args, Config config);

  Task<Result<WriteReply>> writev(const CallCtx& ctx, const WritevReq& req) override;
  Task<Result<Empty>> flush(const CallCtx& ctx, const FlushReq& req) override;

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override;

 private:
  Config config_;
};

}  // namespace gf
