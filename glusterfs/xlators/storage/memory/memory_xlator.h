// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory: a leaf translator keeping the whole volume in memory.
//
// Implements every fop with Linux semantics: regular files (sparse, with every fallocate
// mode, SEEK_DATA/SEEK_HOLE), directories with stable readdir offsets, symlinks, hard links
// sharing one inode, special files, xattrs (user/trusted/security namespaces) and xattrop,
// rename with RENAME_NOREPLACE/RENAME_EXCHANGE, nanosecond times, statfs, rchecksum, and the
// lock fops through the same LockService as features/locks. Permissions are enforced for the
// caller in CallCtx as the Linux VFS does (search/write on directories, sticky bit, owner-only
// chmod/utimes, root-only chown), so it can serve as an unprivileged brick.
//
// Requests are resolved by gfid when the Loc's inode is linked, else by parent gfid and name;
// fd fops use the node attached to the fd at open/create/opendir. New files get the request's
// gfid (or a random one); Iatt.ino = gfid.ino().
//
// Option `max-size` bounds the data stored (ENOSPC past it); 0 = only memory bounds it.
// Thread-safe: one mutex serialises the namespace and data; lock waits suspend, never block.
#pragma once

#include <memory>
#include <mutex>
#include <unordered_map>

#include "glusterfs/core/options.h"
#include "glusterfs/core/sync_leaf.h"
#include "glusterfs/xlators/features/locks/lock_service.h"
#include "glusterfs/xlators/storage/memory/mem_node.h"

namespace gf {

class MemoryXlator : public Xlator {
 public:
  struct Config {
    uint64_t maxSize = 0;
  };
  static const OptionTable<Config>& optionTable();
  MemoryXlator(const XlatorArgs& args, Config config);
  ~MemoryXlator() override;

  void start() override;
  void notify(const Event& ev) override;

#define GF_MEMORY_SYNC_FOP_(name, Req, Rep, flags) GF_SYNC_LEAF_FOP_(name, Req, Rep, flags)
  // Everything but the lock family completes without suspending.
  GF_MEMORY_SYNC_FOP_(lookup, LookupReq, EntryReply, 0)
  GF_MEMORY_SYNC_FOP_(stat, StatReq, AttrReply, 0)
  GF_MEMORY_SYNC_FOP_(fstat, FstatReq, AttrReply, 0)
  GF_MEMORY_SYNC_FOP_(setattr, SetattrReq, AttrReply, 0)
  GF_MEMORY_SYNC_FOP_(fsetattr, FsetattrReq, AttrReply, 0)
  GF_MEMORY_SYNC_FOP_(truncate, TruncateReq, AttrReply, 0)
  GF_MEMORY_SYNC_FOP_(ftruncate, FtruncateReq, AttrReply, 0)
  GF_MEMORY_SYNC_FOP_(access, AccessReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(readlink, ReadlinkReq, ReadlinkReply, 0)
  GF_MEMORY_SYNC_FOP_(mknod, MknodReq, EntryReply, 0)
  GF_MEMORY_SYNC_FOP_(mkdir, MkdirReq, EntryReply, 0)
  GF_MEMORY_SYNC_FOP_(unlink, UnlinkReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(rmdir, RmdirReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(symlink, SymlinkReq, EntryReply, 0)
  GF_MEMORY_SYNC_FOP_(rename, RenameReq, AttrReply, 0)
  GF_MEMORY_SYNC_FOP_(link, LinkReq, EntryReply, 0)
  GF_MEMORY_SYNC_FOP_(create, CreateReq, EntryReply, 0)
  GF_MEMORY_SYNC_FOP_(open, OpenReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(readv, ReadvReq, ReadvReply, 0)
  GF_MEMORY_SYNC_FOP_(writev, WritevReq, WriteReply, 0)
  GF_MEMORY_SYNC_FOP_(flush, FlushReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(fsync, FsyncReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(opendir, OpendirReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(readdir, ReaddirReq, ReaddirReply, 0)
  GF_MEMORY_SYNC_FOP_(readdirp, ReaddirpReq, ReaddirReply, 0)
  GF_MEMORY_SYNC_FOP_(fsyncdir, FsyncdirReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(statfs, StatfsReq, StatfsReply, 0)
  GF_MEMORY_SYNC_FOP_(setxattr, SetxattrReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(fsetxattr, FsetxattrReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(getxattr, GetxattrReq, XattrReply, 0)
  GF_MEMORY_SYNC_FOP_(fgetxattr, FgetxattrReq, XattrReply, 0)
  GF_MEMORY_SYNC_FOP_(listxattr, ListxattrReq, ListxattrReply, 0)
  GF_MEMORY_SYNC_FOP_(removexattr, RemovexattrReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(fremovexattr, FremovexattrReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(xattrop, XattropReq, XattrReply, 0)
  GF_MEMORY_SYNC_FOP_(fxattrop, FxattropReq, XattrReply, 0)
  GF_MEMORY_SYNC_FOP_(fallocate, FallocateReq, Empty, 0)
  GF_MEMORY_SYNC_FOP_(lseek, LseekReq, LseekReply, 0)
  GF_MEMORY_SYNC_FOP_(rchecksum, RchecksumReq, RchecksumReply, 0)
#undef GF_MEMORY_SYNC_FOP_

  Task<Result<LkReply>> lk(const CallCtx& ctx, const LkReq& req) override;
  Task<Result<Empty>> inodelk(const CallCtx& ctx, const InodelkReq& req) override;
  Task<Result<Empty>> finodelk(const CallCtx& ctx, const FinodelkReq& req) override;
  Task<Result<Empty>> entrylk(const CallCtx& ctx, const EntrylkReq& req) override;
  Task<Result<Empty>> fentrylk(const CallCtx& ctx, const FentrylkReq& req) override;

  locks::LockService& lockService() { return locks_; }

 private:
  struct OpenNode {
    NodePtr node;
    int32_t flags = 0;
  };

  // All helpers below expect mutex_ held.
  Result<NodePtr> byGfid(const Gfid& gfid) const;
  Result<NodePtr> resolve(const Loc& loc) const;
  Result<NodePtr> resolveChild(const NodePtr& dir, const std::string& name) const;
  // The directory a name is created in or removed from, checked for search and write access.
  Result<NodePtr> entryParent(const CallCtx& ctx, const Loc& loc) const;
  Result<OpenNode> openNode(const FdPtr& fd) const;
  Result<NodePtr> makeNode(const CallCtx& ctx, MemNode& parent, uint32_t mode,
                           const Gfid& requested);
  void attach(const FdPtr& fd, const NodePtr& node, int32_t flags);
  void forgetIfUnlinked(const NodePtr& node);
  uint64_t freeBlocks() const;
  uint64_t maxBlocks() const;

  // Shared by the path and fd forms of a fop.
  Result<AttrReply> doSetattr(const CallCtx& ctx, MemNode& n, const Iatt& attr, uint32_t valid);
  Result<AttrReply> doTruncate(const CallCtx& ctx, MemNode& n, uint64_t size);
  Status doSetxattr(const CallCtx& ctx, MemNode& n, const Dict& xattrs, int32_t flags);
  Result<XattrReply> doGetxattr(const CallCtx& ctx, const MemNode& n, const std::string& name);
  Status doRemovexattr(const CallCtx& ctx, MemNode& n, const std::string& name);
  Result<XattrReply> doXattrop(MemNode& n, XattropOp op, const Dict& xattrs);
  // `xattrs`: the names readdirp reports per entry (null for readdir).
  Result<ReaddirReply> doReaddir(const FdPtr& fd, uint64_t size, uint64_t offset, bool plus,
                                 const std::vector<std::string>* xattrs);
  Result<EntryReply> openExisting(const CallCtx& ctx, const NodePtr& node, const FdPtr& fd,
                                  int32_t flags);
  Status renameExchange(const CallCtx& ctx, const NodePtr& oldDir, const std::string& oldName,
                        const NodePtr& newDir, const std::string& newName);

  Config config_;
  mutable std::mutex mutex_;
  std::shared_ptr<MemUsage> usage_;
  NodePtr root_;
  std::unordered_map<Gfid, std::weak_ptr<MemNode>, GfidHash> byGfid_;
  locks::LockService locks_;
};

}  // namespace gf
