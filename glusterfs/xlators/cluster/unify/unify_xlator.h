// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/unify: one namespace over many children, each file on exactly one child chosen by a
// scheduler (rr, random, alu, nufa, switch), plus a `namespace` volume (itself replicable)
// holding an empty entry for every file and every directory. The namespace answers "does it
// exist" and lists directories; the children hold the data. Directories exist everywhere.
// Namespace entries have the file's type (symlinks their target), since listings come from
// them. Changes go to the namespace first; a rename the data side refuses is undone in the
// namespace (the replaced entry included) and on directory copies already renamed.
// Self-heal (on directory lookup, once per directory per client) creates missing directory
// copies and namespace entries for files found on a child.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "glusterfs/core/inode.h"
#include "glusterfs/core/options.h"
#include "glusterfs/core/xlator.h"
#include "glusterfs/xlators/cluster/unify/unify_sched.h"

namespace gf {

class UnifyXlator : public Xlator {
 public:
  struct Config {
    std::string nsName;
    std::string scheduler = "rr";
    bool selfHeal = true;
    std::map<std::string, int64_t> minFree;  // scheduler -> percent
    std::string aluOrder = "disk-usage:write-usage:read-usage:open-files-usage:disk-speed-usage";
    std::map<std::string, double> aluEntry, aluExit;
    int64_t aluMaxOpenFiles = 0;
    std::chrono::milliseconds refreshInterval{std::chrono::seconds(10)};
    std::string nufaLocal;
    std::string switchCase;
  };
  static const OptionTable<Config>& optionTable();
  UnifyXlator(const XlatorArgs& args, Config config);
  ~UnifyXlator() override;

  Status init() override;
  void notify(const Event& ev) override;

#define GF_UNIFY_FOP_(name, Req, Rep, flags) \
  Task<Result<Rep>> name(const CallCtx& ctx, const Req& req) override;
  GF_FOP_LIST(GF_UNIFY_FOP_)
#undef GF_UNIFY_FOP_

  Xlator& ns() { return *ns_; }
  size_t childCount() const { return children().size(); }
  std::vector<bool> upChildren() const;
  int cachedChild(const InodePtr& inode) const;
  void setCached(const InodePtr& inode, int child);
  bool dirHealed(const InodePtr& inode);  // true the first time only, for one directory
  int fdChild(const FdPtr& fd) const;
  void setFdChild(const FdPtr& fd, int child);
  Task<int> schedule(std::string_view name);
  void noteIo(int child, uint64_t read, uint64_t written);
  void noteOpen(int child, int delta);
  InodeTable& ownTable() { return ownTable_; }
  // Self-heal of one directory: a namespace entry for every file found on a child.
  Task<void> healNamespace(const CallCtx& ctx, const Loc& dir);
  const Config& config() const { return config_; }

 private:
  Config config_;
  Xlator* ns_ = nullptr;
  std::unique_ptr<unify::Scheduler> scheduler_;
  mutable std::mutex mutex_;
  std::vector<bool> up_;
  bool nsUp_ = false, announcedUp_ = false;
  std::vector<unify::ChildUsage> usage_;
  std::chrono::steady_clock::time_point refreshedAt_{};
  InodeTable ownTable_;
};

}  // namespace gf
