// SPDX-License-Identifier: GPL-3.0-or-later
// features/index: the brick's list of files with pending replication changes, so that the
// self-heal daemon heals exactly those (no crawl) and picks up again after a restart.
//
// Watches xattrop/fxattrop replies for replicate's changelog keys (trusted.afr.*): a file
// whose counters become non-zero gets an entry in `index-base` (a symlink named by its gfid,
// pointing at its path as last known); when they are all zero again the entry goes. Answers
// getxattr of `glusterfs.index.pending` (on any inode) with the list: one "GFID\tPATH" line
// per entry. An entry also goes when its file's last name or its directory is removed on this
// brick, follows its file when renamed here, and goes when the self-heal daemon reports it
// stale (setxattr of `glusterfs.index.stale` = gfid) and its path no longer leads to the file.
// Put it between the brick's locks and storage; keep index-base outside the brick directory.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "glusterfs/core/inode.h"
#include "glusterfs/core/options.h"
#include "glusterfs/core/xlator.h"

namespace gf {

inline constexpr const char* kIndexPendingKey = "glusterfs.index.pending";
inline constexpr const char* kIndexStaleKey = "glusterfs.index.stale";

class IndexXlator : public Xlator {
 public:
  struct Config {
    std::string indexBase;
  };
  static const OptionTable<Config>& optionTable();
  IndexXlator(const XlatorArgs& args, Config config);
  ~IndexXlator() override;

  Status init() override;
  Task<Result<XattrReply>> xattrop(const CallCtx& ctx, const XattropReq& req) override;
  Task<Result<XattrReply>> fxattrop(const CallCtx& ctx, const FxattropReq& req) override;
  Task<Result<XattrReply>> getxattr(const CallCtx& ctx, const GetxattrReq& req) override;
  // A file or directory removed here needs no heal here any more: its entry goes with it
  // (the parent directory's own entry carries the removal to the other copies).
  Task<Result<Empty>> unlink(const CallCtx& ctx, const UnlinkReq& req) override;
  Task<Result<Empty>> rmdir(const CallCtx& ctx, const RmdirReq& req) override;
  Task<Result<AttrReply>> rename(const CallCtx& ctx, const RenameReq& req) override;
  Task<Result<Empty>> setxattr(const CallCtx& ctx, const SetxattrReq& req) override;

  size_t pendingCount() const;

 private:
  void observe(const Gfid& gfid, const std::string& path, const Dict& values);
  bool indexed(const Gfid& gfid) const;
  void forget(const Gfid& gfid);
  void repoint(const Gfid& gfid, const std::string& path);
  std::string recordedPath(const Gfid& gfid) const;
  Task<uint32_t> linkCount(const CallCtx& ctx, const Loc& loc);
  Task<void> dropIfStale(const CallCtx& ctx, const Gfid& gfid);
  Result<XattrReply> listing() const;

  Config config_;
  int dirFd_ = -1;
  InodeTable walkTable_{0};  // for checking recorded paths
  mutable std::mutex mutex_;
  // Last known changelog values of files with an index entry (or being tracked).
  std::unordered_map<Gfid, std::map<std::string, bool>, GfidHash> dirty_;
};

}  // namespace gf
