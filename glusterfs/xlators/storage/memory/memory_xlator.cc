// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory: options, resolution of requests to nodes, statfs, access and the lock fops.
#include "glusterfs/xlators/storage/memory/memory_xlator.h"

#include <unistd.h>

#include "glusterfs/core/log.h"
#include "glusterfs/core/permission.h"
#include "glusterfs/xlators/storage/memory/memory_rules.h"

namespace gf {

const OptionTable<MemoryXlator::Config>& MemoryXlator::optionTable() {
  static const auto table = OptionTable<Config>().size(
      "max-size", &Config::maxSize, "0", 0, INT64_MAX,
      "Most file data the volume holds (writes past it fail with ENOSPC); 0: no limit but "
      "memory.");
  return table;
}

MemoryXlator::MemoryXlator(const XlatorArgs& args, Config config)
    : Xlator(args), config_(config), usage_(std::make_shared<MemUsage>()) {
  root_ = std::make_shared<MemNode>(usage_);
  root_->gfid = Gfid::root();
  root_->mode = S_IFDIR | 0755;
  root_->nlink = 2;
  root_->atime = root_->mtime = root_->ctime = nowTimespec();
}

MemoryXlator::~MemoryXlator() = default;

void MemoryXlator::start() { notifyParents(EventType::kChildUp); }

void MemoryXlator::notify(const Event& ev) {
  if (ev.type == EventType::kClientDisconnect) locks_.disconnect(ev.clientId);
  Xlator::notify(ev);
}

Result<NodePtr> MemoryXlator::byGfid(const Gfid& gfid) const {
  if (gfid.isRoot()) return root_;
  auto it = byGfid_.find(gfid);
  if (it == byGfid_.end()) return fail(ESTALE);
  NodePtr n = it->second.lock();
  if (!n) return fail(ESTALE);
  return n;
}

Result<NodePtr> MemoryXlator::resolveChild(const NodePtr& dir, const std::string& name) const {
  if (!dir->isDir()) return fail(ENOTDIR);
  if (name.empty()) return fail(EINVAL);
  if (name.size() > memrules::kNameMax) return fail(ENAMETOOLONG);
  if (name == ".") return dir;
  if (name == "..") {
    if (dir == root_) return dir;
    NodePtr up = dir->parent.lock();
    if (!up) return fail(ENOENT);
    return up;
  }
  NodePtr n = dir->entries.find(name);
  if (!n) return fail(ENOENT);
  return n;
}

Result<NodePtr> MemoryXlator::resolve(const Loc& loc) const {
  if (loc.inode && loc.inode->linked()) return byGfid(loc.inode->gfid());
  if (loc.parent) {
    GF_TRY(NodePtr dir, byGfid(loc.parent->gfid()));
    return resolveChild(dir, loc.name);
  }
  return fail(EINVAL);
}

Result<NodePtr> MemoryXlator::entryParent(const CallCtx& ctx, const Loc& loc) const {
  if (!loc.parent) return fail(EINVAL);
  GF_TRY(NodePtr dir, byGfid(loc.parent->gfid()));
  GF_CHECK(memrules::maySearch(ctx, *dir));
  if (loc.name.size() > memrules::kNameMax) return fail(ENAMETOOLONG);
  if (loc.name.empty() || loc.name.find('/') != std::string::npos) return fail(EINVAL);
  return dir;
}

Result<MemoryXlator::OpenNode> MemoryXlator::openNode(const FdPtr& fd) const {
  if (!fd) return fail(EBADF);
  if (auto on = fd->ctx().get<OpenNode>(this)) return *on;
  // An fd opened elsewhere (a reopen after reconnect): find its file by gfid.
  if (!fd->inode() || !fd->inode()->linked()) return fail(EBADF);
  GF_TRY(NodePtr n, byGfid(fd->inode()->gfid()));
  return OpenNode{std::move(n), fd->flags()};
}

void MemoryXlator::attach(const FdPtr& fd, const NodePtr& node, int32_t flags) {
  fd->ctx().set(this, std::make_shared<OpenNode>(OpenNode{node, flags}));
}

Result<NodePtr> MemoryXlator::makeNode(const CallCtx& ctx, MemNode& parent, uint32_t mode,
                                       const Gfid& requested) {
  Gfid gfid = requested.isNull() ? Gfid::random() : requested;
  if (gfid.isRoot()) return fail(EEXIST);
  if (auto it = byGfid_.find(gfid); it != byGfid_.end() && !it->second.expired()) {
    GF_LOG_WARNING(name(), "create with gfid %s, which another file already has",
                   gfid.str().c_str());
    return fail(EEXIST);
  }
  auto n = std::make_shared<MemNode>(usage_);
  n->gfid = gfid;
  n->uid = ctx.uid;
  n->gid = (parent.mode & S_ISGID) ? parent.gid : ctx.gid;
  // Set-group-ID directories pass their group on, and their set-gid bit to subdirectories.
  if (S_ISDIR(mode) && (parent.mode & S_ISGID)) mode |= S_ISGID;
  if (!S_ISDIR(mode) && (mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && ctx.uid != 0 &&
      !ctx.inGroup(n->gid))
    mode &= ~S_ISGID;
  n->mode = mode;
  n->atime = n->mtime = n->ctime = nowTimespec();
  byGfid_[gfid] = n;
  return n;
}

void MemoryXlator::forgetIfUnlinked(const NodePtr& node) {
  if (node->nlink > 0 && !node->removed) return;
  auto it = byGfid_.find(node->gfid);
  if (it != byGfid_.end() && it->second.lock() == node) byGfid_.erase(it);
}

uint64_t MemoryXlator::maxBlocks() const { return config_.maxSize / SparseData::kBlockSize; }

uint64_t MemoryXlator::freeBlocks() const {
  uint64_t total = maxBlocks();
  if (total == 0) return UINT64_MAX;
  int64_t used = usage_->blocks.load(std::memory_order_relaxed);
  return used >= static_cast<int64_t>(total) ? 0 : total - static_cast<uint64_t>(used);
}

Result<Empty> MemoryXlator::accessSync(const CallCtx& c, const AccessReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  GF_CHECK(checkAccess(n->iatt(), c, r.mask));
  return Empty{};
}

Result<StatfsReply> MemoryXlator::statfsSync(const CallCtx&, const StatfsReq&) {
  constexpr uint64_t kBlock = SparseData::kBlockSize;
  uint64_t total = maxBlocks();
  if (total == 0) {
    long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    total = pages > 0 && pageSize > 0 ? static_cast<uint64_t>(pages) * pageSize / kBlock : 1u << 20;
  }
  uint64_t used = static_cast<uint64_t>(std::max<int64_t>(0, usage_->blocks.load()));
  uint64_t inodes = static_cast<uint64_t>(std::max<int64_t>(0, usage_->inodes.load()));
  StatfsReply out;
  auto& s = out.stat;
  s.bsize = s.frsize = kBlock;
  s.blocks = total;
  s.bfree = s.bavail = total > used ? total - used : 0;
  s.files = std::max(total, inodes);
  s.ffree = s.favail = s.files - inodes;
  s.fsid = reinterpret_cast<uintptr_t>(this);
  s.namemax = memrules::kNameMax;
  return out;
}

// ---- locks: resolved here, served by the same LockService as features/locks ----

Task<Result<LkReply>> MemoryXlator::lk(const CallCtx& ctx, const LkReq& req) {
  Gfid gfid;
  uint64_t size = 0;
  {
    std::lock_guard guard(mutex_);
    auto on = openNode(req.fd);
    if (!on) return fail(on.error());
    gfid = on->node->gfid;
    size = on->node->data.size();
  }
  return locks_.lk(ctx, gfid, req, size);
}

Task<Result<Empty>> MemoryXlator::inodelk(const CallCtx& ctx, const InodelkReq& req) {
  Gfid gfid;
  {
    std::lock_guard guard(mutex_);
    auto n = resolve(req.loc);
    if (!n) return fail(n.error());
    gfid = (*n)->gfid;
  }
  return locks_.inodelk(ctx, gfid, req.domain, req.cmd, req.lock);
}

Task<Result<Empty>> MemoryXlator::finodelk(const CallCtx& ctx, const FinodelkReq& req) {
  Gfid gfid;
  {
    std::lock_guard guard(mutex_);
    auto on = openNode(req.fd);
    if (!on) return fail(on.error());
    gfid = on->node->gfid;
  }
  return locks_.inodelk(ctx, gfid, req.domain, req.cmd, req.lock);
}

Task<Result<Empty>> MemoryXlator::entrylk(const CallCtx& ctx, const EntrylkReq& req) {
  Gfid gfid;
  {
    std::lock_guard guard(mutex_);
    auto n = resolve(req.loc);
    if (!n) return fail(n.error());
    if (!(*n)->isDir()) return fail(ENOTDIR);
    gfid = (*n)->gfid;
  }
  return locks_.entrylk(ctx, gfid, req.domain, req.basename, req.cmd, req.type);
}

Task<Result<Empty>> MemoryXlator::fentrylk(const CallCtx& ctx, const FentrylkReq& req) {
  Gfid gfid;
  {
    std::lock_guard guard(mutex_);
    auto on = openNode(req.fd);
    if (!on) return fail(on.error());
    if (!on->node->isDir()) return fail(ENOTDIR);
    gfid = on->node->gfid;
  }
  return locks_.entrylk(ctx, gfid, req.domain, req.basename, req.cmd, req.type);
}

}  // namespace gf
