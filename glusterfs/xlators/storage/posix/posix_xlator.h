// SPDX-License-Identifier: GPL-3.0-or-later
// storage/posix: the brick leaf, storing files in a local directory.
//
// Every request is resolved beneath the brick root by file handles, never by joining paths:
// each known inode holds an O_PATH|O_NOFOLLOW descriptor; names are looked up with openat()
// relative to the parent's descriptor; symlinks are never followed (O_NOFOLLOW,
// AT_SYMLINK_NOFOLLOW, and /proc/self/fd/N, which lands on the inode itself); names containing
// '/' or equal to "." or ".." are refused. Each file carries its gfid in `trusted.gfid`
// (assigned on first sight for pre-existing data). Hard links share one gfid and so one inode
// number.
//
// Implements every fop except the lock family (lk, inodelk, entrylk), which belongs to
// features/locks loaded above it; those return ENOLCK here. Calls are synchronous system
// calls on the calling thread; servers put performance/io-threads above the brick.
#pragma once

#include <memory>
#include <string>

#include "glusterfs/core/options.h"
#include "glusterfs/core/sync_leaf.h"

namespace gf {

class PosixHandles;
struct PosixInodeCtx;


class PosixXlator : public Xlator {
 public:
  struct Config {
    std::string directory;
    bool oDirect = false;
    bool exportStatfs = true;
    bool mandateAttribute = true;
  };
  static const OptionTable<Config>& optionTable();
  PosixXlator(const XlatorArgs& args, Config config);
  ~PosixXlator() override;

  Status init() override;
  void start() override;

  GF_SYNC_LEAF_FOPS

  PosixHandles& handles() { return *handles_; }

 private:
  template <class Req>
  Result<ReaddirReply> readDirectory(const Req& r, bool plus);
  static void addSmallFileContent(const PosixInodeCtx& h, const Iatt& st,
                                  const std::vector<std::string>& wanted, Dict& out);

  Config config_;
  std::unique_ptr<PosixHandles> handles_;
};

}  // namespace gf
