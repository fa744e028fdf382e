// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory: rename, with replacement rules, RENAME_NOREPLACE and RENAME_EXCHANGE.
#include <stdio.h>  // RENAME_NOREPLACE, RENAME_EXCHANGE

#include "glusterfs/core/permission.h"
#include "glusterfs/xlators/storage/memory/memory_rules.h"
#include "glusterfs/xlators/storage/memory/memory_xlator.h"

namespace gf {

using namespace memrules;

namespace {

// True when `dir` is `node` or lies beneath it (a directory cannot move into itself).
bool within(const NodePtr& dir, const NodePtr& node) {
  for (NodePtr p = dir; p; p = p->parent.lock())
    if (p == node) return true;
  return false;
}

// Moving a directory to another parent rewrites its "..": that needs write access to it.
Status mayReparent(const CallCtx& ctx, const NodePtr& node, const NodePtr& from,
                   const NodePtr& to) {
  if (!node->isDir() || from == to) return {};
  if (within(to, node)) return fail(EINVAL);
  return checkAccess(node->iatt(), ctx, W_OK);
}

void reparent(const NodePtr& node, const NodePtr& from, const NodePtr& to) {
  if (!node->isDir() || from == to) return;
  from->nlink--;
  to->nlink++;
  node->parent = to;
}

}  // namespace

Result<AttrReply> MemoryXlator::renameSync(const CallCtx& c, const RenameReq& r) {
  if (r.flags & ~static_cast<uint32_t>(RENAME_NOREPLACE | RENAME_EXCHANGE)) return fail(EINVAL);
  if ((r.flags & RENAME_NOREPLACE) && (r.flags & RENAME_EXCHANGE)) return fail(EINVAL);
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr oldDir, entryParent(c, r.oldLoc));
  GF_TRY(NodePtr newDir, entryParent(c, r.newLoc));
  const std::string& oldName = r.oldLoc.name;
  const std::string& newName = r.newLoc.name;
  for (const auto* n : {&oldName, &newName})
    if (*n == "." || *n == "..") return fail(EBUSY);
  NodePtr src = oldDir->entries.find(oldName);
  if (!src) return fail(ENOENT);
  NodePtr dst = newDir->entries.find(newName);
  if (r.flags & RENAME_EXCHANGE) {
    if (!dst) return fail(ENOENT);
    GF_CHECK(renameExchange(c, oldDir, oldName, newDir, newName));
    return AttrReply{src->iatt()};
  }
  if (dst && (r.flags & RENAME_NOREPLACE)) return fail(EEXIST);
  GF_CHECK(mayModifyDir(c, *oldDir));
  GF_CHECK(mayModifyDir(c, *newDir));
  GF_CHECK(mayDeleteFrom(c, *oldDir, *src));
  if (dst) GF_CHECK(mayDeleteFrom(c, *newDir, *dst));
  // Two names of one inode: POSIX says rename does nothing and succeeds.
  if (src == dst) return AttrReply{src->iatt()};
  if (src->isDir()) {
    if (dst && !dst->isDir()) return fail(ENOTDIR);
    if (dst && !dst->entries.empty()) return fail(ENOTEMPTY);
    GF_CHECK(mayReparent(c, src, oldDir, newDir));
  } else if (dst && dst->isDir()) {
    return fail(EISDIR);
  }

  Timespec now = nowTimespec();
  oldDir->entries.remove(oldName);
  if (dst) {
    newDir->entries.remove(newName);
    if (dst->isDir()) {
      dst->removed = true;
      dst->nlink = 0;
      dst->parent.reset();
      newDir->nlink--;
    } else {
      dst->nlink--;
    }
    dst->ctime = now;
    forgetIfUnlinked(dst);
  }
  newDir->entries.add(newName, src);
  reparent(src, oldDir, newDir);
  src->ctime = now;
  oldDir->touchModified(now);
  newDir->touchModified(now);
  return AttrReply{src->iatt()};
}

Status MemoryXlator::renameExchange(const CallCtx& c, const NodePtr& oldDir,
                                    const std::string& oldName, const NodePtr& newDir,
                                    const std::string& newName) {
  NodePtr a = oldDir->entries.find(oldName);
  NodePtr b = newDir->entries.find(newName);
  GF_CHECK(mayModifyDir(c, *oldDir));
  GF_CHECK(mayModifyDir(c, *newDir));
  GF_CHECK(mayDeleteFrom(c, *oldDir, *a));
  GF_CHECK(mayDeleteFrom(c, *newDir, *b));
  if (a == b) return {};
  GF_CHECK(mayReparent(c, a, oldDir, newDir));
  GF_CHECK(mayReparent(c, b, newDir, oldDir));
  Timespec now = nowTimespec();
  oldDir->entries.add(oldName, b);
  newDir->entries.add(newName, a);
  reparent(a, oldDir, newDir);
  reparent(b, newDir, oldDir);
  a->ctime = b->ctime = now;
  oldDir->touchModified(now);
  newDir->touchModified(now);
  return {};
}

}  // namespace gf
