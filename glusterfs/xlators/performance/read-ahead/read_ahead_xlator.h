// SPDX-License-Identifier: GPL-3.0-or-later
// performance/read-ahead: when an fd reads a file sequentially, the next page-count pages of
// page-size are fetched from below ahead of time, in parallel, and later reads are served from
// them. A write or truncate of the file through this client discards every fd's pages.
#pragma once

#include "glusterfs/core/hook_xlator.h"
#include "glusterfs/core/options.h"

namespace gf {

class ReadAheadXlator : public HookXlator {
 public:
  struct Config {
    int64_t pageSize = 128 * 1024;
    int64_t pageCount = 4;
  };
  static const OptionTable<Config>& optionTable();
  ReadAheadXlator(const XlatorArgs& args, Config config);

  Task<Result<ReadvReply>> readv(const CallCtx& ctx, const ReadvReq& req) override;

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override;
  void after(const CallCtx& ctx, const FopCall& call, FopOutcome& outcome) override;

 private:
  void invalidate(const FopCall& call);
  Config config_;
};

}  // namespace gf
