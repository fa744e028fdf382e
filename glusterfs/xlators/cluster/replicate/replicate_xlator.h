// SPDX-License-Identifier: GPL-3.0-or-later
// cluster/replicate (alias cluster/afr): N-way replication with changelogs and self-heal.
//
// Reads go to one child per inode (read-subvolume, else spread by gfid over the copies known
// good), failing over to the next live child. Every modifying fop is a transaction: lock
// (inodelk for data and metadata, entrylk for names, from features/locks on the bricks),
// pre-op (add 1 to every child's pending counter through xattrop), the fop on all live
// children, post-op (subtract 1 for the children where it succeeded), unlock. Nothing is
// reported done unless at least one copy (and the quorum, when set) has it.
//
// Lookups compare the changelogs (trusted.afr.<child>) of all copies and heal what differs:
// names (entry), attributes and xattrs (metadata), contents (data, block by block, copying
// only blocks whose checksums differ). Copies that accuse each other are a split-brain: EIO,
// logged with the path, until favorite-child or an explicit resolution picks a source.
// A background healer works through the bricks' index of files with pending changes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "glusterfs/core/inode.h"
#include "glusterfs/core/options.h"
#include "glusterfs/core/xlator.h"
#include "glusterfs/xlators/cluster/replicate/afr_changelog.h"
#include "glusterfs/xlators/cluster/replicate/afr_source.h"

namespace gf {

class AfrHealer;

class ReplicateXlator : public Xlator {
 public:
  struct Config {
    std::string readSubvolume;
    std::string favoriteChild;
    bool dataSelfHeal = true, metadataSelfHeal = true, entrySelfHeal = true;
    bool dataChangeLog = true, metadataChangeLog = true, entryChangeLog = true;
    int64_t dataLockServerCount = 0, metadataLockServerCount = 0, entryLockServerCount = 0;
    std::string quorum = "auto";
    int64_t healBlockSize = 128 * 1024;
    int64_t healParallelism = 4;
    int64_t healWindow = 8;
    std::chrono::milliseconds healInterval{std::chrono::seconds(60)};
    bool selfHealDaemon = true;
  };
  static const OptionTable<Config>& optionTable();
  ReplicateXlator(const XlatorArgs& args, Config config);
  ~ReplicateXlator() override;

  Status init() override;
  void start() override;
  void stop() override;
  void notify(const Event& ev) override;

#define GF_AFR_FOP_(name, Req, Rep, flags) \
  Task<Result<Rep>> name(const CallCtx& ctx, const Req& req) override;
  GF_FOP_LIST(GF_AFR_FOP_)
#undef GF_AFR_FOP_

  // --- shared by the replicate source files ---
  size_t childCount() const { return children().size(); }
  const std::vector<std::string>& childNames() const { return childNames_; }
  std::vector<bool> upChildren() const;
  size_t quorumCount() const { return quorum_; }
  const Config& config() const { return config_; }
  int favoriteIndex() const { return favorite_; }
  InodeTable& healTable() { return healTable_; }
  std::string lockDomain() const { return name(); }
  // Child order for reading `inode`: good copies (preferred first), then, with
  // `allowStale`, copies known to be behind (fine for attributes, never for data).
  std::vector<size_t> readOrder(const InodePtr& inode, bool allowStale = false) const;
  // The copy whose attributes answer for `gfid` (read-subvolume, else spread by gfid), so
  // that lookup, stat and readdirp all show the same copy's times.
  size_t preferredChild(const Gfid& gfid) const;
  // Marks which copies of `inode` hold good data (after a lookup or a heal).
  void setReadable(const InodePtr& inode, const std::vector<bool>& good, bool dataSplitBrain,
                   bool metadataSplitBrain);
  bool dataSplitBrain(const InodePtr& inode) const;
  // After a change: copies not in `inStep` missed it, so reads must not go there until a
  // lookup or heal says otherwise.
  void markBehind(const InodePtr& inode, const std::vector<bool>& inStep);
  // Whether this client ever took a record lock or flock on `inode`: only then can a close of
  // a read-only fd have something to release on the bricks.
  void noteLocksTaken(const InodePtr& inode);
  bool locksTaken(const InodePtr& inode) const;
  AfrHealer& healer() { return *healer_; }

 private:
  Config config_;
  std::vector<std::string> childNames_;
  mutable std::mutex mutex_;
  std::vector<bool> up_;
  bool announcedUp_ = false;
  int readSubvolume_ = -1;
  int favorite_ = -1;
  size_t quorum_ = 1;
  InodeTable healTable_;
  std::unique_ptr<AfrHealer> healer_;
};

}  // namespace gf
