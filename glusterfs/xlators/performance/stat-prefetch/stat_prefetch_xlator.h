// SPDX-License-Identifier: GPL-3.0-or-later
// performance/stat-prefetch: the attributes a directory listing (readdirp) brings back answer
// the lookups of those names that follow (as `ls -l` or a mail client's scan makes them), for
// cache-timeout. Any change of a name in the directory, or of a file's attributes or data,
// through this client drops what it knew. Lookups that ask for extended attributes go below.
#pragma once

#include <chrono>

#include "glusterfs/core/hook_xlator.h"
#include "glusterfs/core/options.h"

namespace gf {

class StatPrefetchXlator : public HookXlator {
 public:
  struct Config {
    std::chrono::milliseconds cacheTimeout{1000};
  };
  static const OptionTable<Config>& optionTable();
  StatPrefetchXlator(const XlatorArgs& args, Config config);

  Task<Result<EntryReply>> lookup(const CallCtx& ctx, const LookupReq& req) override;
  Task<Result<ReaddirReply>> readdirp(const CallCtx& ctx, const ReaddirpReq& req) override;

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override;
  void after(const CallCtx& ctx, const FopCall& call, FopOutcome& outcome) override;

 private:
  void forget(const InodePtr& dir);
  void forgetChanged(const FopCall& call);
  Config config_;
};

}  // namespace gf
