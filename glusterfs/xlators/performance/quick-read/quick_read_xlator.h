// SPDX-License-Identifier: GPL-3.0-or-later
// performance/quick-read: small files read in one round trip. Lookups ask storage for the
// contents of files up to max-file-size; opening such a file for reading then costs nothing
// below, and its reads are served from that copy while it is younger than cache-timeout (and
// the file's attributes, as lookups see them, unchanged). Anything else done with such an fd
// opens it below first. Any change made through this client drops the copy; changes made
// elsewhere are seen after cache-timeout, as with the kernel's attribute cache.
#pragma once

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>

#include "glusterfs/core/hook_xlator.h"
#include "glusterfs/core/options.h"

namespace gf {

class QuickReadXlator : public HookXlator {
 public:
  struct Config {
    int64_t maxFileSize = 64 * 1024;
    std::chrono::milliseconds cacheTimeout{1000};
    int64_t cacheSize = 64 << 20;
  };
  static const OptionTable<Config>& optionTable();
  QuickReadXlator(const XlatorArgs& args, Config config);

  Task<Result<EntryReply>> lookup(const CallCtx& ctx, const LookupReq& req) override;
  Task<Result<Empty>> open(const CallCtx& ctx, const OpenReq& req) override;
  Task<Result<ReadvReply>> readv(const CallCtx& ctx, const ReadvReq& req) override;
  Task<Result<Empty>> flush(const CallCtx& ctx, const FlushReq& req) override;

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override;
  void after(const CallCtx& ctx, const FopCall& call, FopOutcome& outcome) override;

 private:
  struct Cached;
  std::shared_ptr<Cached> fresh(const InodePtr& inode);
  void store(const std::shared_ptr<Cached>& c, uint64_t generation, std::string content,
             const Iatt& st);
  void drop(const InodePtr& inode);
  void dropChanged(const FopCall& call);
  Task<Status> openBelow(const FdPtr& fd);

  Config config_;
  std::string contentKey_;
  std::mutex mutex_;
  std::list<std::weak_ptr<Cached>> lru_;  // to bound the memory the copies take
  std::shared_ptr<std::atomic<int64_t>> cachedBytes_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace gf
