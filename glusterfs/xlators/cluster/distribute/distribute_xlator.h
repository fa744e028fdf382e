// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/distribute (DHT): one namespace over many children; each file lives on one child.
//
// A file's place is the child owning the hash of its name in its directory's layout. Every
// directory exists on every child, each copy carrying its child's slice of the hash space
// (trusted.glusterfs.dht); missing copies and layouts with holes or overlaps are healed on
// lookup; a directory's attributes are its first copy's with the newest times of all copies
// (readdirplus lists directories without attributes). A file that is not on its hashed child
// (renamed to a name that hashes elsewhere, created elsewhere because its hashed child was
// full) is found through a linkfile there: a zero-byte file of mode ---------T whose
// trusted.glusterfs.dht.linkto names the child holding the data. With the same layout for every
// directory and the naming rules of dht_hash.h, a maildir's tmp/ -> new/ -> cur/ renames never
// leave the child a mail was written to, so they make no linkfiles.
//
// cluster/nufa is distribute that creates new files on `local-volume-name` while it has room.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "glusterfs/core/inode.h"
#include "glusterfs/core/options.h"
#include "glusterfs/core/xlator.h"
#include "glusterfs/xlators/cluster/distribute/dht_hash.h"
#include "glusterfs/xlators/cluster/distribute/dht_layout.h"

namespace gf {

class DistributeXlator : public Xlator {
 public:
  struct Config {
    bool lookupUnhashed = true;
    int64_t minFreeDiskPercent = 10;
    bool rsyncHash = true;
    bool maildirHash = true;
    std::string localVolumeName;  // cluster/nufa
  };
  static const OptionTable<Config>& optionTable();
  DistributeXlator(const XlatorArgs& args, Config config);
  ~DistributeXlator() override;

  Status init() override;
  void notify(const Event& ev) override;

#define GF_DHT_FOP_(name, Req, Rep, flags) \
  Task<Result<Rep>> name(const CallCtx& ctx, const Req& req) override;
  GF_FOP_LIST(GF_DHT_FOP_)
#undef GF_DHT_FOP_

  // --- shared by the distribute source files ---
  size_t childCount() const { return children().size(); }
  int childIndex(std::string_view name) const;
  // The child a new or looked-up name hashes to in directory `dir` (-1: unknown layout).
  int hashedChild(const InodePtr& dir, std::string_view name) const;
  // The child holding a file's data, or -1 when not known yet.
  int cachedChild(const InodePtr& inode) const;
  void setCached(const InodePtr& inode, int child);
  void setLayout(const InodePtr& dir, const dht::Layout& layout);
  std::optional<dht::Layout> layoutOf(const InodePtr& dir) const;
  // Where to create a new file that hashes to `hashed`: itself, unless it is short of space
  // (min-free-disk) or nufa prefers the local child.
  Task<int> placementFor(int hashed);
  const Config& config() const { return config_; }
  dht::HashRules hashRules() const { return {config_.rsyncHash, config_.maildirHash}; }
  std::vector<bool> upChildren() const;
  // Inodes distribute makes for its own calls (statfs of children, linkfiles, healing).
  InodeTable& ownTable() { return ownTable_; }

 protected:
  int localChild_ = -1;  // nufa

 private:
  Config config_;
  mutable std::mutex mutex_;
  std::vector<bool> up_;
  bool announcedUp_ = false;
  InodeTable ownTable_;
  // Free space share of each child, refreshed at most once a second (placement asks often).
  std::vector<double> freeShare_;
  std::chrono::steady_clock::time_point freeCheckedAt_{};
};

class NufaXlator : public DistributeXlator {
 public:
  using DistributeXlator::DistributeXlator;
  static const OptionTable<Config>& optionTable();
  Status init() override;
};

namespace dht {
bool isLinkfile(const Iatt& st, const Dict& xdata);
// An empty ---------T file without its linkto yet: a linkfile being made, or a migration's
// destination between its mknod and its linkto. Never served while a real copy exists.
bool mayBeLinkfileInTheMaking(const Iatt& st, const Dict& xdata);
}

}  // namespace gf
