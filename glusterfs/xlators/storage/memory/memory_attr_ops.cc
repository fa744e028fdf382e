// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory: attributes (stat, setattr, truncate) and readlink.
#include <fcntl.h>
#include <unistd.h>

#include "glusterfs/core/permission.h"
#include "glusterfs/xlators/storage/memory/memory_rules.h"
#include "glusterfs/xlators/storage/memory/memory_xlator.h"

namespace gf {

using namespace memrules;

Result<AttrReply> MemoryXlator::statSync(const CallCtx&, const StatReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  return AttrReply{n->iatt()};
}

Result<AttrReply> MemoryXlator::fstatSync(const CallCtx&, const FstatReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  return AttrReply{on.node->iatt()};
}

Result<AttrReply> MemoryXlator::setattrSync(const CallCtx& c, const SetattrReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  return doSetattr(c, *n, r.attr, r.valid);
}

Result<AttrReply> MemoryXlator::fsetattrSync(const CallCtx& c, const FsetattrReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  return doSetattr(c, *on.node, r.attr, r.valid);
}

// chmod, chown and utimens with the VFS's rules; every check passes before anything changes.
Result<AttrReply> MemoryXlator::doSetattr(const CallCtx& c, MemNode& n, const Iatt& attr,
                                          uint32_t valid) {
  bool owner = isOwnerOrRoot(c, n);
  if ((valid & kSetMode) && !owner) return fail(EPERM);
  if ((valid & kSetUid) && attr.uid != n.uid && c.uid != 0) return fail(EPERM);
  if ((valid & kSetGid) && attr.gid != n.gid && c.uid != 0 && !(owner && c.inGroup(attr.gid)))
    return fail(EPERM);
  bool explicitTimes = ((valid & kSetAtime) && !(valid & kSetAtimeNow)) ||
                       ((valid & kSetMtime) && !(valid & kSetMtimeNow)) || (valid & kSetCtime);
  bool nowTimes = (valid & (kSetAtimeNow | kSetMtimeNow)) != 0;
  if (explicitTimes && !owner) return fail(EPERM);
  if (nowTimes && !owner && !checkAccess(n.iatt(), c, W_OK)) return fail(EACCES);

  Timespec now = nowTimespec();
  if (valid & kSetMode) {
    uint32_t mode = attr.mode & 07777;
    // A caller outside the file's group cannot leave it set-group-ID.
    if (c.uid != 0 && !c.inGroup((valid & kSetGid) ? attr.gid : n.gid)) mode &= ~S_ISGID;
    n.mode = (n.mode & S_IFMT) | mode;
  }
  if (valid & (kSetUid | kSetGid)) {
    if (valid & kSetUid) n.uid = attr.uid;
    if (valid & kSetGid) n.gid = attr.gid;
    // chown clears set-user-ID, and set-group-ID where group execution is on (non-dirs).
    if (!n.isDir() && !(valid & kSetMode)) {
      n.mode &= ~S_ISUID;
      if (n.mode & S_IXGRP) n.mode &= ~S_ISGID;
    }
  }
  if (valid & kSetAtimeNow)
    n.atime = now;
  else if (valid & kSetAtime)
    n.atime = attr.atime;
  if (valid & kSetMtimeNow)
    n.mtime = now;
  else if (valid & kSetMtime)
    n.mtime = attr.mtime;
  n.ctime = (valid & kSetCtime) ? attr.ctime : now;
  return AttrReply{n.iatt()};
}

Result<AttrReply> MemoryXlator::doTruncate(const CallCtx& c, MemNode& n, uint64_t size) {
  if (size > SparseData::kMaxSize) return fail(EFBIG);
  uint64_t before = n.data.blockCount();
  n.data.truncate(size);
  n.accountBlocks(before);
  n.touchModified(nowTimespec());
  killSetIdBits(c, n);
  return AttrReply{n.iatt()};
}

Result<AttrReply> MemoryXlator::truncateSync(const CallCtx& c, const TruncateReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  if (n->isDir()) return fail(EISDIR);
  if (!n->isReg()) return fail(EINVAL);
  GF_CHECK(checkAccess(n->iatt(), c, W_OK));
  return doTruncate(c, *n, r.size);
}

Result<AttrReply> MemoryXlator::ftruncateSync(const CallCtx& c, const FtruncateReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  // As ftruncate(2): EINVAL for an fd not open for writing or not on a regular file.
  if (!on.node->isReg() || (on.flags & O_ACCMODE) == O_RDONLY) return fail(EINVAL);
  return doTruncate(c, *on.node, r.size);
}

Result<ReadlinkReply> MemoryXlator::readlinkSync(const CallCtx&, const ReadlinkReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  if (!n->isLink()) return fail(EINVAL);
  return ReadlinkReply{n->target};
}

}  // namespace gf
