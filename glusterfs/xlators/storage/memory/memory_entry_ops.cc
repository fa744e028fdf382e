// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory: lookup and the fops that add or remove one name (rename has its own file).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "glusterfs/core/permission.h"
#include "glusterfs/xlators/storage/memory/memory_rules.h"
#include "glusterfs/xlators/storage/memory/memory_xlator.h"

namespace gf {

using namespace memrules;

namespace {
uint32_t maskedMode(uint32_t mode, uint32_t umask, uint32_t allowed) {
  return mode & allowed & ~(umask & 0777);
}
}  // namespace

Result<EntryReply> MemoryXlator::lookupSync(const CallCtx& c, const LookupReq& r) {
  std::lock_guard guard(mutex_);
  NodePtr n;
  if (r.loc.parent && !r.loc.name.empty()) {
    GF_TRY(NodePtr dir, byGfid(r.loc.parent->gfid()));
    GF_CHECK(maySearch(c, *dir));
    GF_TRY(n, resolveChild(dir, r.loc.name));
  } else if (r.loc.inode && r.loc.inode->linked()) {
    GF_TRY(n, byGfid(r.loc.inode->gfid()));  // a nameless lookup by gfid
  } else {
    return fail(EINVAL);
  }
  // Requested xattrs ("name" or "prefix*") come with the entry, as storage/posix returns them.
  // This is the cluster translators' channel (replicate reads its changelogs this way), not a
  // user's getxattr: like xattrop it is not limited by the caller's xattr permissions.
  EntryReply out{n->iatt(), {}};
  pickXattrs(n->xattrs, r.xattrs, out.xdata);
  // "glusterfs.content:MAX" (performance/quick-read): a small file's contents come with its
  // entry, as storage/posix gives them, but only to a caller who may read them.
  for (const auto& want : r.xattrs) {
    if (want.rfind(kLookupContentPrefix, 0) != 0 || !n->isReg()) continue;
    uint64_t max = std::strtoull(want.c_str() + std::strlen(kLookupContentPrefix), nullptr, 10);
    uint64_t size = n->data.size();
    if (size > max || max > (1u << 20) || !checkAccess(n->iatt(), c, R_OK)) continue;
    std::string data(size, '\0');
    n->data.read(0, size, data.data());
    out.xdata[want] = std::move(data);
  }
  return out;
}

Result<EntryReply> MemoryXlator::mkdirSync(const CallCtx& c, const MkdirReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr dir, entryParent(c, r.loc));
  GF_CHECK(checkNewName(r.loc.name));
  if (dir->entries.find(r.loc.name)) return fail(EEXIST);
  GF_CHECK(mayModifyDir(c, *dir));
  uint32_t mode = S_IFDIR | maskedMode(r.mode, r.umask, 0777 | S_ISVTX);
  GF_TRY(NodePtr n, makeNode(c, *dir, mode, r.gfid));
  n->nlink = 2;
  n->parent = dir;
  dir->entries.add(r.loc.name, n);
  dir->nlink++;
  dir->touchModified(n->ctime);
  return EntryReply{n->iatt(), {}};
}

Result<EntryReply> MemoryXlator::mknodSync(const CallCtx& c, const MknodReq& r) {
  uint32_t type = r.mode & S_IFMT;
  if (type == 0) type = S_IFREG;
  switch (type) {
    case S_IFREG:
    case S_IFIFO:
    case S_IFSOCK:
    case S_IFCHR:
    case S_IFBLK:
      break;
    case S_IFDIR:
      return fail(EPERM);
    default:
      return fail(EINVAL);
  }
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr dir, entryParent(c, r.loc));
  GF_CHECK(checkNewName(r.loc.name));
  if (dir->entries.find(r.loc.name)) return fail(EEXIST);
  GF_CHECK(mayModifyDir(c, *dir));
  bool device = type == S_IFCHR || type == S_IFBLK;
  if (device && c.uid != 0) return fail(EPERM);  // CAP_MKNOD
  GF_TRY(NodePtr n, makeNode(c, *dir, type | maskedMode(r.mode, r.umask, 07777), r.gfid));
  n->nlink = 1;
  n->rdev = device ? r.rdev : 0;
  dir->entries.add(r.loc.name, n);
  dir->touchModified(n->ctime);
  return EntryReply{n->iatt(), {}};
}

Result<EntryReply> MemoryXlator::symlinkSync(const CallCtx& c, const SymlinkReq& r) {
  if (r.target.empty()) return fail(ENOENT);
  if (r.target.size() >= kPathMax) return fail(ENAMETOOLONG);
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr dir, entryParent(c, r.loc));
  GF_CHECK(checkNewName(r.loc.name));
  if (dir->entries.find(r.loc.name)) return fail(EEXIST);
  GF_CHECK(mayModifyDir(c, *dir));
  GF_TRY(NodePtr n, makeNode(c, *dir, S_IFLNK | 0777, r.gfid));
  n->nlink = 1;
  n->target = r.target;
  dir->entries.add(r.loc.name, n);
  dir->touchModified(n->ctime);
  return EntryReply{n->iatt(), {}};
}

Result<EntryReply> MemoryXlator::linkSync(const CallCtx& c, const LinkReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.oldLoc));
  GF_TRY(NodePtr dir, entryParent(c, r.newLoc));
  GF_CHECK(checkNewName(r.newLoc.name));
  if (dir->entries.find(r.newLoc.name)) return fail(EEXIST);
  GF_CHECK(mayModifyDir(c, *dir));
  if (n->isDir()) return fail(EPERM);
  if (n->nlink == 0) return fail(ENOENT);  // unlinked while open: cannot come back
  Timespec now = nowTimespec();
  dir->entries.add(r.newLoc.name, n);
  n->nlink++;
  n->ctime = now;
  dir->touchModified(now);
  return EntryReply{n->iatt(), {}};
}

Result<EntryReply> MemoryXlator::createSync(const CallCtx& c, const CreateReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr dir, entryParent(c, r.loc));
  if (r.loc.name == "." || r.loc.name == "..") return fail(EISDIR);
  if (NodePtr existing = dir->entries.find(r.loc.name)) {
    if (r.flags & O_EXCL) return fail(EEXIST);
    return openExisting(c, existing, r.fd, r.flags);
  }
  GF_CHECK(checkNewName(r.loc.name));
  GF_CHECK(mayModifyDir(c, *dir));
  uint32_t mode = S_IFREG | maskedMode(r.mode, r.umask, 07777);
  GF_TRY(NodePtr n, makeNode(c, *dir, mode, r.gfid));
  n->nlink = 1;
  dir->entries.add(r.loc.name, n);
  dir->touchModified(n->ctime);
  if (r.fd) attach(r.fd, n, r.flags);
  return EntryReply{n->iatt(), {}};
}

Result<Empty> MemoryXlator::unlinkSync(const CallCtx& c, const UnlinkReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr dir, entryParent(c, r.loc));
  if (r.loc.name == "." || r.loc.name == "..") return fail(EISDIR);
  NodePtr n = dir->entries.find(r.loc.name);
  if (!n) return fail(ENOENT);
  GF_CHECK(mayModifyDir(c, *dir));
  GF_CHECK(mayDeleteFrom(c, *dir, *n));
  if (n->isDir()) return fail(EISDIR);
  Timespec now = nowTimespec();
  dir->entries.remove(r.loc.name);
  n->nlink--;
  n->ctime = now;
  dir->touchModified(now);
  forgetIfUnlinked(n);
  return Empty{};
}

Result<Empty> MemoryXlator::rmdirSync(const CallCtx& c, const RmdirReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr dir, entryParent(c, r.loc));
  if (r.loc.name == ".") return fail(EINVAL);
  if (r.loc.name == "..") return fail(ENOTEMPTY);
  NodePtr n = dir->entries.find(r.loc.name);
  if (!n) return fail(ENOENT);
  GF_CHECK(mayModifyDir(c, *dir));
  GF_CHECK(mayDeleteFrom(c, *dir, *n));
  if (!n->isDir()) return fail(ENOTDIR);
  if (!n->entries.empty()) return fail(ENOTEMPTY);
  Timespec now = nowTimespec();
  dir->entries.remove(r.loc.name);
  dir->nlink--;
  dir->touchModified(now);
  n->removed = true;
  n->nlink = 0;
  n->parent.reset();
  n->ctime = now;
  forgetIfUnlinked(n);
  return Empty{};
}

}  // namespace gf
