// SPDX-License-Identifier: GPL-3.0-or-later
// FuseBridge (mount/fuse): turns kernel FUSE requests into fops on the graph's top translator
// and fop results into replies.
//
// Each request becomes a coroutine started on the FUSE worker thread that read it; it finishes
// there when the graph answers inline (a local brick) or on whichever thread completes the fop
// (network replies). Every request is answered exactly once (lfp::Request enforces it). The
// bridge owns the client's inode table (with paths for protocol/client) and open files.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "glusterfs/core/fd.h"
#include "glusterfs/core/graph.h"
#include "glusterfs/core/inode.h"
#include "glusterfs/mount/fuse_nodes.h"
#include "glusterfs/mount/xattr_miss_cache.h"
#include "lfp/lfp.h"

namespace gf {

struct FuseBridgeOptions {
  double attributeTimeout = 1.0;
  double entryTimeout = 1.0;
  double negativeTimeout = 0.0;
  bool directIo = false;        // bypass the page cache (GlusterFS 2.0's direct-io-mode)
  bool readOnly = false;
  bool writebackCache = false;  // kernel write-back caching (opt-in)
  // POSIX ACLs (system.posix_acl_*) and SELinux labels (security.selinux) reach the bricks
  // only when asked for (`-o acl`, `--selinux`), as with GlusterFS: otherwise they are refused
  // with EOPNOTSUPP, which ls, cp and tar take as "not supported here" once per filesystem
  // instead of asking for every file.
  bool acl = false;
  bool selinux = false;
};

class FuseBridge : public lfp::Operations {
 public:
  FuseBridge(Graph& graph, FuseBridgeOptions opts);
  ~FuseBridge() override;

  void setSession(lfp::Session* s) { session_ = s; }
  InodeTable& inodes() { return table_; }
  size_t knownNodes() const { return nodes_.size(); }

  void init(lfp::ConnectionInfo& conn) override;
  void lookup(lfp::Request r, lfp::Ino parent, const char* name) override;
  void forget(lfp::Ino ino, uint64_t nlookup) override;
  void forgetMulti(std::span<const lfp::ForgetOne> items) override;
  void getattr(lfp::Request r, lfp::Ino ino, const lfp::FileInfo* fi) override;
  void setattr(lfp::Request r, lfp::Ino ino, const struct stat& attr, uint32_t toSet,
               const lfp::FileInfo* fi) override;
  void readlink(lfp::Request r, lfp::Ino ino) override;
  void mknod(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode, dev_t rdev) override;
  void mkdir(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode) override;
  void symlink(lfp::Request r, const char* target, lfp::Ino parent, const char* name) override;
  void link(lfp::Request r, lfp::Ino ino, lfp::Ino newParent, const char* newName) override;
  void unlink(lfp::Request r, lfp::Ino parent, const char* name) override;
  void rmdir(lfp::Request r, lfp::Ino parent, const char* name) override;
  void rename(lfp::Request r, lfp::Ino parent, const char* name, lfp::Ino newParent,
              const char* newName, uint32_t flags) override;
  void open(lfp::Request r, lfp::Ino ino, lfp::FileInfo& fi) override;
  void create(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode,
              lfp::FileInfo& fi) override;
  void read(lfp::Request r, lfp::Ino ino, size_t size, off_t off, const lfp::FileInfo& fi) override;
  void write(lfp::Request r, lfp::Ino ino, const lfp::WriteData& data, off_t off,
             const lfp::FileInfo& fi) override;
  void flush(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi) override;
  void release(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi) override;
  void fsync(lfp::Request r, lfp::Ino ino, bool datasync, const lfp::FileInfo& fi) override;
  void opendir(lfp::Request r, lfp::Ino ino, lfp::FileInfo& fi) override;
  void readdir(lfp::Request r, lfp::Ino ino, size_t size, off_t off,
               const lfp::FileInfo& fi) override;
  void readdirplus(lfp::Request r, lfp::Ino ino, size_t size, off_t off,
                   const lfp::FileInfo& fi) override;
  void releasedir(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi) override;
  void fsyncdir(lfp::Request r, lfp::Ino ino, bool datasync, const lfp::FileInfo& fi) override;
  void statfs(lfp::Request r, lfp::Ino ino) override;
  void setxattr(lfp::Request r, lfp::Ino ino, const char* name, const char* value, size_t size,
                int flags) override;
  void getxattr(lfp::Request r, lfp::Ino ino, const char* name, size_t size) override;
  void listxattr(lfp::Request r, lfp::Ino ino, size_t size) override;
  void removexattr(lfp::Request r, lfp::Ino ino, const char* name) override;
  void access(lfp::Request r, lfp::Ino ino, int mask) override;
  void getlk(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi,
             const struct flock& lock) override;
  void setlk(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi, const struct flock& lock,
             bool sleep) override;
  void flock(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi, int op) override;
  void fallocate(lfp::Request r, lfp::Ino ino, int mode, off_t offset, off_t length,
                 const lfp::FileInfo& fi) override;
  void lseek(lfp::Request r, lfp::Ino ino, off_t off, int whence, const lfp::FileInfo& fi) override;

  // Used by the bridge's per-family files.
  struct Target {
    InodePtr inode;
    Loc loc;  // inode plus one of its names, for layers that resolve by name
  };
  bool target(lfp::Ino ino, Target& out) const;
  static CallCtx callCtx(const lfp::Request& r, uint64_t lockOwner = 0);
  Xlator& top() { return graph_.top(); }
  lfp::Entry entryFor(const InodePtr& inode, const Iatt& st);
  void replyEntry(lfp::Request& r, const InodePtr& parent, const std::string& name,
                  const InodePtr& fresh, const Iatt& st);
  void replyAttr(lfp::Request& r, const Iatt& st);
  struct stat toStat(const Iatt& st) const;
  FdPtr fdOf(const lfp::FileInfo& fi) const { return fds_.get(fi.fh); }

 private:
  Task<void> doLookup(lfp::Request r, lfp::Ino parent, std::string name);
  Task<void> doSetattr(lfp::Request r, lfp::Ino ino, struct stat attr, uint32_t toSet, FdPtr fd);
  Task<void> doCreate(lfp::Request r, lfp::Ino parent, std::string name, mode_t mode, int flags);
  Task<void> doOpen(lfp::Request r, lfp::Ino ino, int flags, bool dir);
  Task<void> doReaddir(lfp::Request r, lfp::Ino ino, size_t size, off_t off, FdPtr fd, bool plus);
  Task<Result<XattrReply>> getxattrNoting(CallCtx c, GetxattrReq req, lfp::Ino ino);
  // An xattr this mount does not support (see FuseBridgeOptions::acl, selinux).
  bool refusedXattr(std::string_view name) const;

  Graph& graph_;
  FuseBridgeOptions opts_;
  InodeTable table_;
  FuseNodes nodes_;
  FdTable fds_;
  XattrMissCache xattrMisses_;
  std::vector<std::string> listingXattrs_;  // asked with every listing (see doReaddir)
  lfp::Session* session_ = nullptr;
  uint32_t blksize_ = 131072;
};

}  // namespace gf
