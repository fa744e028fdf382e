// SPDX-License-Identifier: GPL-3.0-or-later
// storage/memory: directory streams (opendir, readdir, readdirp, fsyncdir).
#include <fcntl.h>
#include <unistd.h>

#include "glusterfs/core/permission.h"
#include "glusterfs/xlators/storage/memory/memory_xlator.h"

namespace gf {

Result<Empty> MemoryXlator::opendirSync(const CallCtx& c, const OpendirReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(NodePtr n, resolve(r.loc));
  if (!n->isDir()) return fail(ENOTDIR);
  GF_CHECK(checkAccess(n->iatt(), c, R_OK));
  if (r.fd) attach(r.fd, n, O_RDONLY | O_DIRECTORY);
  return Empty{};
}

// Entries come in offset order: "." (1), ".." (2), then names by the offset they were given
// when added. The reply holds what fits in `size` bytes as the kernel counts them.
Result<ReaddirReply> MemoryXlator::doReaddir(const FdPtr& fd, uint64_t size, uint64_t offset,
                                             bool plus, const std::vector<std::string>* xattrs) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(fd));
  const MemNode& dir = *on.node;
  if (!dir.isDir()) return fail(ENOTDIR);
  if (dir.removed) return fail(ENOENT);  // as getdents on a removed directory
  ReaddirReply out;
  uint64_t used = 0;
  bool full = false;
  auto emit = [&](const std::string& name, uint64_t off, const MemNode& n) {
    size_t cost = dirEntryCost(name.size(), plus);
    if (used + cost > size) {
      full = true;
      return false;
    }
    used += cost;
    DirEntry e;
    e.name = name;
    e.offset = off;
    if (plus) {
      e.stat = n.iatt();
      if (xattrs && !xattrs->empty() && name != "." && name != "..") {
        pickXattrs(n.xattrs, *xattrs, e.xattrs);
        e.xattrsRead = true;
      }
    } else {
      e.stat.gfid = n.gfid;
      e.stat.ino = n.gfid.ino();
      e.stat.mode = n.mode & S_IFMT;
    }
    out.entries.push_back(std::move(e));
    return true;
  };
  bool room = true;
  if (offset < DirEntries::kDotOffset) room = emit(".", DirEntries::kDotOffset, dir);
  if (room && offset < DirEntries::kDotDotOffset) {
    NodePtr up = dir.parent.lock();
    room = emit("..", DirEntries::kDotDotOffset, up ? *up : dir);
  }
  if (room)
    dir.entries.forEachAfter(std::max(offset, DirEntries::kDotDotOffset),
                             [&](const std::string& name, uint64_t off, const NodePtr& n) {
                               return emit(name, off, *n);
                             });
  if (full && out.entries.empty()) return fail(EINVAL);  // not even one entry fits
  return out;
}

Result<ReaddirReply> MemoryXlator::readdirSync(const CallCtx&, const ReaddirReq& r) {
  return doReaddir(r.fd, r.size, r.offset, false, nullptr);
}

Result<ReaddirReply> MemoryXlator::readdirpSync(const CallCtx&, const ReaddirpReq& r) {
  return doReaddir(r.fd, r.size, r.offset, true, &r.xattrs);
}

Result<Empty> MemoryXlator::fsyncdirSync(const CallCtx&, const FsyncdirReq& r) {
  std::lock_guard guard(mutex_);
  GF_TRY(OpenNode on, openNode(r.fd));
  if (!on.node->isDir()) return fail(ENOTDIR);
  return Empty{};
}

}  // namespace gf
