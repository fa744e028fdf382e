// SPDX-License-Identifier: GPL-3.0-or-later
// FuseBridge: directory listing (readdir, readdirplus with inode linking) and fsyncdir.
#include "glusterfs/mount/fuse_bridge.h"
#include "glusterfs/mount/fuse_call.h"

namespace gf {

Task<void> FuseBridge::doReaddir(lfp::Request r, lfp::Ino ino, size_t size, off_t off, FdPtr fd,
                                 bool plus) {
  CallCtx c = callCtx(r);
  Result<ReaddirReply> res = fail(EIO);
  if (plus) {
    ReaddirpReq req{fd, size, static_cast<uint64_t>(off), listingXattrs_};
    res = co_await top().readdirp(c, req);
  } else {
    ReaddirReq req{fd, size, static_cast<uint64_t>(off)};
    res = co_await top().readdir(c, req);
  }
  if (!res) {
    r.replyErr(res.errnum());
    co_return;
  }
  lfp::DirBuffer buf(size);
  const InodePtr& dir = fd->inode();
  for (const auto& e : res->entries) {
    bool dot = e.name == "." || e.name == "..";
    if (!plus || dot || e.stat.gfid.isNull()) {
      // The kernel takes no reference for "." and ".." even in READDIRPLUS.
      bool fits = plus ? buf.addPlus(e.name, lfp::Entry{0, 0, toStat(e.stat), 0, 0}, e.offset)
                       : buf.add(e.name, e.stat.ino, e.stat.type(), e.offset);
      if (!fits) break;
      continue;
    }
    InodePtr inode = table_.link(table_.child(*dir, e.name), dir, e.name, e.stat);
    lfp::Entry entry;
    entry.ino = nodes_.idOf(inode);
    entry.attr = toStat(e.stat);
    entry.attrTimeout = opts_.attributeTimeout;
    entry.entryTimeout = opts_.entryTimeout;
    if (!buf.addPlus(e.name, entry, e.offset)) break;
    nodes_.ref(inode);  // counted only once the entry is in the reply
    if (e.xattrsRead)
      for (const auto& name : listingXattrs_)
        if (!e.xattrs.contains(name)) xattrMisses_.remember(entry.ino, name);
  }
  (void)ino;
  r.replyBuf(buf.data(), buf.size());
}

void FuseBridge::readdir(lfp::Request r, lfp::Ino ino, size_t size, off_t off,
                         const lfp::FileInfo& fi) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  spawn(doReaddir(std::move(r), ino, size, off, std::move(fd), false), "fuse-readdir");
}

void FuseBridge::readdirplus(lfp::Request r, lfp::Ino ino, size_t size, off_t off,
                             const lfp::FileInfo& fi) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  spawn(doReaddir(std::move(r), ino, size, off, std::move(fd), true), "fuse-readdirplus");
}

void FuseBridge::fsyncdir(lfp::Request r, lfp::Ino, bool datasync, const lfp::FileInfo& fi) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r), [this, c, req = FsyncdirReq{fd, datasync}] { return top().fsyncdir(c, req); },
      [](lfp::Request& r, const Empty&) { r.replyOk(); });
}

}  // namespace gf
