// SPDX-License-Identifier: GPL-3.0-or-later
// performance/io-threads: runs every fop below it on a pool of worker threads, so blocking
// system calls (storage/posix) never stall the network thread that received the call. Replies
// continue on the worker that finished the fop. Lock fops, which never block, stay where they
// arrived.
#pragma once

#include <memory>

#include "glusterfs/core/executor.h"
#include "glusterfs/core/hook_xlator.h"
#include "glusterfs/core/options.h"

namespace gf {

class IoThreadsXlator : public HookXlator {
 public:
  struct Config {
    int64_t threadCount = 16;
  };
  static const OptionTable<Config>& optionTable();
  IoThreadsXlator(const XlatorArgs& args, Config config);
  ~IoThreadsXlator() override;
  Status init() override;
  void stop() override;

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override;

 private:
  Config config_;
  std::unique_ptr<EventLoop> pool_;
};

}  // namespace gf
