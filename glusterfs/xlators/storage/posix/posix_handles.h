// SPDX-License-Identifier: GPL-3.0-or-later
// PosixHandles: resolves inodes and names to O_PATH descriptors beneath the brick root, and
// keeps each file's gfid (trusted.gfid).
//
// An inode's handle (PosixInodeCtx) pins the file: while it is open the file's (dev, ino)
// cannot be reused, so an index from (dev, ino) to handle lets a repeated lookup finish with a
// single fstatat(). Handles are stored in the inode's ctx slot and closed with the inode, or
// earlier: a brick keeps at most a budget of them (a share of RLIMIT_NOFILE), because a client
// may hold far more inodes than the process may hold descriptors (a mail spool lists tens of
// thousands of files). The oldest attached handle of a named inode goes first; the inode finds
// its file again through its dentry when next used.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "glusterfs/core/call_ctx.h"
#include "glusterfs/core/fd.h"
#include "glusterfs/core/inode.h"
#include "glusterfs/core/result.h"
#include "glusterfs/core/types.h"

namespace gf {

inline constexpr const char* kGfidXattr = "trusted.gfid";

struct HandleIndex;

struct PosixInodeCtx {
  int fd = -1;  // O_PATH | O_NOFOLLOW
  Gfid gfid;
  dev_t dev = 0;
  ino_t ino = 0;
  uint32_t type = 0;
  std::shared_ptr<HandleIndex> index;
  bool counted = false;  // in index->live
  std::atomic<int> opens{0};  // open fds of this file: its handle is never trimmed
  PosixInodeCtx() = default;
  PosixInodeCtx(const PosixInodeCtx&) = delete;
  PosixInodeCtx& operator=(const PosixInodeCtx&) = delete;
  ~PosixInodeCtx();
};
using PosixInodePtr = std::shared_ptr<PosixInodeCtx>;

// Per-open state: the real descriptor (and directory read position).
struct PosixFdCtx {
  int fd = -1;
  PosixInodePtr handle;  // counted in handle->opens (see keepHandle)
  bool directory = false;
  std::mutex dirMutex;  // readdir on one fd is serialised
  std::string dirBuf;   // raw getdents64 records not yet returned
  size_t dirPos = 0;    // first unreturned record in dirBuf
  uint64_t nextOffset = 0;  // directory offset at which dirBuf continues
  PosixFdCtx() = default;
  PosixFdCtx(const PosixFdCtx&) = delete;
  PosixFdCtx& operator=(const PosixFdCtx&) = delete;
  ~PosixFdCtx();
};

class PosixHandles {
 public:
  explicit PosixHandles(const void* slotKey);
  ~PosixHandles();

  // Opens the brick root, checks trusted xattr support, gives the root its gfid.
  Status openRoot(const std::string& dir, std::string* why);
  const PosixInodePtr& root() const { return root_; }

  // Handle of the existing object `loc` names.
  Result<PosixInodePtr> resolve(const Loc& loc);
  // Handle of an inode (its ctx, or found again through its dentries and checked by gfid).
  Result<PosixInodePtr> resolveInode(const InodePtr& inode);
  // Handle of the directory loc.name lives in; also checks the name.
  Result<PosixInodePtr> resolveParent(const Loc& loc);
  // Looks `name` up in `parent`: fills `out` and returns the (possibly shared) handle.
  Result<PosixInodePtr> lookupAt(const PosixInodeCtx& parent, std::string_view name, Iatt& out);
  // Finishes a creating fop: sets owner (honouring set-gid parents), gfid (create-only) and
  // returns attributes. `openFd` >= 0 is an already open descriptor of the new file.
  Result<Iatt> adoptNew(const PosixInodeCtx& parent, std::string_view name, const CallCtx& c,
                        const Gfid& wanted, uint32_t requestedMode, int openFd = -1);

  // A handle for a file we just created and hold open (its gfid known): later fops on the
  // inode (even after an unlink) find it without a name.
  Result<PosixInodePtr> handleOfOpenFile(int openFd, const Gfid& gfid);
  Result<Iatt> statHandle(const PosixInodeCtx& h);
  Result<Iatt> statFd(int fd, const Gfid& gfid);
  void attach(const InodePtr& inode, const PosixInodePtr& h);
  PosixFdCtx* fdCtx(const FdPtr& fd) const;
  // An open file keeps its handle attached: once unlinked, nothing else leads back to it.
  static void keepHandle(PosixFdCtx& ctx, const PosixInodePtr& h) {
    ctx.handle = h;
    ++h->opens;
  }
  const void* slotKey() const { return key_; }
  // After an unlink: a file with no name and no open descriptor left loses its handle now
  // (a cached inode must not keep a deleted message's blocks in use).
  void dropIfDeleted(const InodePtr& inode);
  // Handles open now, and the most this brick keeps attached to inodes.
  size_t liveHandles() const;
  size_t handleBudget() const { return budget_; }
  void setHandleBudget(size_t n) { budget_ = n; }

  // The gfid of a file we hold a handle for, without touching the disk.
  std::optional<Gfid> knownGfid(dev_t dev, ino_t ino) const;

  static std::string procPath(int fd);
  static Status checkName(std::string_view name);
  Result<Gfid> readGfid(int fd);

 private:
  Result<PosixInodePtr> handleFor(int fd, const struct stat& st);
  PosixInodePtr remember(PosixInodePtr h, const struct stat& st);
  void trimHandles();
  static bool deleted(const PosixInodeCtx& h);  // no name left on disk
  const void* key_;
  size_t budget_;
  std::mutex attachedMutex_;
  std::deque<std::weak_ptr<Inode>> attached_;  // oldest first; may hold stale entries
  std::shared_ptr<HandleIndex> index_;
  PosixInodePtr root_;
};

}  // namespace gf
