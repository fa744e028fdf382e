// SPDX-License-Identifier: GPL-3.0-or-later
// performance/io-cache: a client-side cache of file pages shared by every open of a file.
// Pages are trusted for cache-timeout after the file's attributes were last checked; then the
// next read looks at the file's mtime and size again and drops the pages if either changed.
// Writes and truncates through this client drop the file's pages. The whole cache holds at
// most cache-size bytes; when full, pages of files with the lowest `priority` (by name
// pattern, "*.html:2,*:1") and then the least recently used go first.
#pragma once

#include <atomic>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "glusterfs/core/hook_xlator.h"
#include "glusterfs/core/options.h"

namespace gf {

class IoCacheXlator : public HookXlator {
 public:
  struct Config {
    int64_t cacheSize = 32 << 20;
    std::chrono::milliseconds cacheTimeout{1000};
    int64_t pageSize = 128 * 1024;
    std::vector<std::pair<std::string, int>> priorities;
  };
  static const OptionTable<Config>& optionTable();
  IoCacheXlator(const XlatorArgs& args, Config config);

  Task<Result<ReadvReply>> readv(const CallCtx& ctx, const ReadvReq& req) override;

 protected:
  Task<Status> before(CallCtx& ctx, const FopCall& call) override;
  void after(const CallCtx& ctx, const FopCall& call, FopOutcome& outcome) override;

 public:
  struct File;

 private:
  void account(const std::shared_ptr<File>& f, int64_t delta);
  void drop(const std::shared_ptr<File>& f);
  void dropChanged(const FopCall& call);
  int priorityOf(const InodePtr& inode) const;
  Config config_;
  std::mutex mutex_;
  std::list<std::weak_ptr<File>> files_;  // least recently used first
  std::shared_ptr<std::atomic<int64_t>> bytes_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace gf
