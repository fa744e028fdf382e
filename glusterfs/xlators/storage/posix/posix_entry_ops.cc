// SPDX-License-Identifier: GPL-3.0-or-later
// storage/posix: fops that look up, create, link, rename and remove directory entries.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "glusterfs/core/fd.h"
#include "glusterfs/xlators/storage/posix/posix_handles.h"
#include "glusterfs/xlators/storage/posix/posix_xattr.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

namespace gf {

// "glusterfs.content:MAX" asks for the whole file with the entry when it is at most MAX bytes
// (performance/quick-read): one round trip instead of lookup, open, read and close.
void PosixXlator::addSmallFileContent(const PosixInodeCtx& h, const Iatt& st,
                                      const std::vector<std::string>& wanted, Dict& out) {
  for (const auto& w : wanted) {
    if (w.rfind(kLookupContentPrefix, 0) != 0 || !st.isReg()) continue;
    uint64_t max = std::strtoull(w.c_str() + std::strlen(kLookupContentPrefix), nullptr, 10);
    if (st.size > max || max > (1u << 20)) continue;
    int fd = ::open(PosixHandles::procPath(h.fd).c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
    if (fd < 0) fd = ::open(PosixHandles::procPath(h.fd).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    std::string data(st.size, '\0');
    ssize_t n = pread(fd, data.data(), data.size(), 0);
    close(fd);
    if (n == static_cast<ssize_t>(st.size)) out[w] = std::move(data);
  }
}

Result<EntryReply> PosixXlator::lookupSync(const CallCtx&, const LookupReq& r) {
  EntryReply out;
  PosixInodePtr h;
  if (r.loc.inode && r.loc.inode->isRoot()) {
    h = handles_->root();
    GF_TRY(out.stat, handles_->statHandle(*h));
  } else if (!r.loc.parent || r.loc.name.empty()) {
    // A lookup by gfid alone: only inodes we still hold can be found this way.
    GF_TRY(h, handles_->resolve(r.loc));
    GF_TRY(out.stat, handles_->statHandle(*h));
  } else {
    GF_TRY(auto parent, handles_->resolveParent(r.loc));
    GF_TRY(h, handles_->lookupAt(*parent, r.loc.name, out.stat));
    if (r.loc.inode && (!r.loc.inode->linked() || r.loc.inode->gfid() == h->gfid))
      handles_->attach(r.loc.inode, h);
  }
  if (!r.xattrs.empty()) {
    collectXattrs(XattrTarget{PosixHandles::procPath(h->fd), -1}, r.xattrs, out.xdata);
    addSmallFileContent(*h, out.stat, r.xattrs, out.xdata);
  }
  return out;
}

Result<EntryReply> PosixXlator::mknodSync(const CallCtx& c, const MknodReq& r) {
  GF_TRY(auto parent, handles_->resolveParent(r.loc));
  uint32_t mode = r.mode & ~r.umask;
  if (mknodat(parent->fd, r.loc.name.c_str(), mode, r.rdev) < 0) return fail(errno);
  auto ia = handles_->adoptNew(*parent, r.loc.name, c, r.gfid, mode);
  if (!ia) {
    unlinkat(parent->fd, r.loc.name.c_str(), 0);
    return fail(ia.error());
  }
  return EntryReply{*ia, {}};
}

Result<EntryReply> PosixXlator::mkdirSync(const CallCtx& c, const MkdirReq& r) {
  GF_TRY(auto parent, handles_->resolveParent(r.loc));
  uint32_t mode = r.mode & ~r.umask & 07777;
  if (mkdirat(parent->fd, r.loc.name.c_str(), mode) < 0) return fail(errno);
  auto ia = handles_->adoptNew(*parent, r.loc.name, c, r.gfid, mode);
  if (!ia) {
    unlinkat(parent->fd, r.loc.name.c_str(), AT_REMOVEDIR);
    return fail(ia.error());
  }
  return EntryReply{*ia, {}};
}

Result<EntryReply> PosixXlator::symlinkSync(const CallCtx& c, const SymlinkReq& r) {
  GF_TRY(auto parent, handles_->resolveParent(r.loc));
  if (r.target.empty()) return fail(ENOENT);
  if (symlinkat(r.target.c_str(), parent->fd, r.loc.name.c_str()) < 0) return fail(errno);
  auto ia = handles_->adoptNew(*parent, r.loc.name, c, r.gfid, 0777);
  if (!ia) {
    unlinkat(parent->fd, r.loc.name.c_str(), 0);
    return fail(ia.error());
  }
  return EntryReply{*ia, {}};
}

Result<EntryReply> PosixXlator::createSync(const CallCtx& c, const CreateReq& r) {
  GF_TRY(auto parent, handles_->resolveParent(r.loc));
  uint32_t mode = r.mode & ~r.umask & 07777;
  int flags = r.flags & ~(O_NOCTTY | O_CREAT | O_EXCL | O_DIRECT);
  if (config_.oDirect) flags |= O_DIRECT;
  int fd = openat(parent->fd, r.loc.name.c_str(), flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  mode);
  bool created = fd >= 0;
  if (!created && errno == EEXIST && !(r.flags & O_EXCL)) {
    // Another client created it since the kernel's negative lookup: open what is there.
    fd = openat(parent->fd, r.loc.name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) return fail(errno);
  EntryReply out;
  if (created) {
    auto ia = handles_->adoptNew(*parent, r.loc.name, c, r.gfid, mode, fd);
    if (!ia) {
      close(fd);
      unlinkat(parent->fd, r.loc.name.c_str(), 0);
      return fail(ia.error());
    }
    out.stat = *ia;
  } else {
    auto h = handles_->lookupAt(*parent, r.loc.name, out.stat);
    if (!h) {
      close(fd);
      return fail(h.error());
    }
  }
  // The inode gets its handle now: it may be unlinked before anyone looks it up again.
  auto ctx = std::make_shared<PosixFdCtx>();
  ctx->fd = fd;
  if (auto h = handles_->handleOfOpenFile(fd, out.stat.gfid)) {
    PosixHandles::keepHandle(*ctx, *h);
    handles_->attach(r.loc.inode, *h);
  }
  r.fd->ctx().set(this, ctx);
  return out;
}

Result<Empty> PosixXlator::unlinkSync(const CallCtx&, const UnlinkReq& r) {
  GF_TRY(auto parent, handles_->resolveParent(r.loc));
  if (unlinkat(parent->fd, r.loc.name.c_str(), 0) < 0) return fail(errno);
  handles_->dropIfDeleted(r.loc.inode);
  return Empty{};
}

Result<Empty> PosixXlator::rmdirSync(const CallCtx&, const RmdirReq& r) {
  GF_TRY(auto parent, handles_->resolveParent(r.loc));
  if (unlinkat(parent->fd, r.loc.name.c_str(), AT_REMOVEDIR) < 0) return fail(errno);
  return Empty{};
}

Result<AttrReply> PosixXlator::renameSync(const CallCtx&, const RenameReq& r) {
  GF_TRY(auto from, handles_->resolveParent(r.oldLoc));
  GF_TRY(auto to, handles_->resolveParent(r.newLoc));
  if (renameat2(from->fd, r.oldLoc.name.c_str(), to->fd, r.newLoc.name.c_str(), r.flags) < 0)
    return fail(errno);
  AttrReply out;
  GF_TRY(auto h, handles_->lookupAt(*to, r.newLoc.name, out.stat));
  (void)h;
  return out;
}

Result<EntryReply> PosixXlator::linkSync(const CallCtx&, const LinkReq& r) {
  GF_TRY(auto src, handles_->resolve(r.oldLoc));
  GF_TRY(auto to, handles_->resolveParent(r.newLoc));
  if (src->type == S_IFDIR) return fail(EPERM);
  // AT_EMPTY_PATH links the object the handle pins (never a symlink's target).
  if (linkat(src->fd, "", to->fd, r.newLoc.name.c_str(), AT_EMPTY_PATH) < 0) return fail(errno);
  EntryReply out;
  GF_TRY(out.stat, handles_->statHandle(*src));
  return out;
}

}  // namespace gf
