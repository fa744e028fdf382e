// SPDX-License-Identifier: GPL-3.0-or-later
// storage/posix: directory reading with stable offsets (getdents64 cookies) and readdirp.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>

#include "glusterfs/core/fd.h"
#include "glusterfs/xlators/storage/posix/posix_handles.h"
#include "glusterfs/xlators/storage/posix/posix_xattr.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

namespace gf {
namespace {

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

constexpr size_t kGetdentsBuf = 64 * 1024;

// The gfid of `name` inside the directory `dirFd`, assigning one to files that have none.
Result<Gfid> gfidOfEntry(int dirFd, const char* name) {
  std::string path = PosixHandles::procPath(dirFd) + "/" + name;
  char raw[16];
  ssize_t n = lgetxattr(path.c_str(), kGfidXattr, raw, sizeof raw);
  if (n == 16) return Gfid::fromBytes(std::string_view(raw, 16));
  if (n >= 0 || errno == ENODATA) {
    Gfid fresh = Gfid::random();
    std::string v(fresh.raw());
    if (lsetxattr(path.c_str(), kGfidXattr, v.data(), v.size(), XATTR_CREATE) == 0) return fresh;
    if (errno != EEXIST) return fail(errno);
    n = lgetxattr(path.c_str(), kGfidXattr, raw, sizeof raw);
    if (n == 16) return Gfid::fromBytes(std::string_view(raw, 16));
  }
  return fail(errno ? errno : EIO);
}

}  // namespace

Result<Empty> PosixXlator::opendirSync(const CallCtx&, const OpendirReq& r) {
  GF_TRY(auto h, handles_->resolve(r.loc));
  if (h->type != S_IFDIR) return fail(ENOTDIR);
  int fd = ::open(PosixHandles::procPath(h->fd).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  auto ctx = std::make_shared<PosixFdCtx>();
  ctx->fd = fd;
  ctx->directory = true;
  PosixHandles::keepHandle(*ctx, h);
  r.fd->ctx().set(this, ctx);
  handles_->attach(r.loc.inode, h);
  return Empty{};
}

template <class Req>
Result<ReaddirReply> PosixXlator::readDirectory(const Req& r, bool plus) {
  auto* f = handles_->fdCtx(r.fd);
  if (!f || !f->directory) return fail(EBADF);
  std::lock_guard lock(f->dirMutex);
  // Continue from the buffered records when the caller resumes where we stopped; otherwise
  // position the directory at the cookie it gave.
  if (r.offset != f->nextOffset || f->dirPos >= f->dirBuf.size()) {
    if (r.offset != f->nextOffset || f->dirBuf.empty()) {
      if (::lseek(f->fd, static_cast<off_t>(r.offset), SEEK_SET) < 0) return fail(errno);
    }
    f->dirBuf.clear();
    f->dirPos = 0;
    f->nextOffset = r.offset;
  }
  const Gfid selfGfid = r.fd->inode()->gfid();
  ReaddirReply out;
  size_t budget = r.size ? r.size : 4096;
  size_t used = 0;
  while (true) {
    if (f->dirPos >= f->dirBuf.size()) {
      f->dirBuf.resize(kGetdentsBuf);
      long n = syscall(SYS_getdents64, f->fd, f->dirBuf.data(), f->dirBuf.size());
      if (n < 0) {
        int e = errno;
        f->dirBuf.clear();
        f->dirPos = 0;
        if (!out.entries.empty()) break;
        return fail(e);
      }
      f->dirBuf.resize(static_cast<size_t>(n));
      f->dirPos = 0;
      if (n == 0) break;  // end of directory
    }
    const auto* d = reinterpret_cast<const LinuxDirent64*>(f->dirBuf.data() + f->dirPos);
    size_t nameLen = std::strlen(d->d_name);
    size_t cost = dirEntryCost(nameLen, plus);
    if (used + cost > budget && !out.entries.empty()) break;
    DirEntry e;
    e.name.assign(d->d_name, nameLen);
    e.offset = static_cast<uint64_t>(d->d_off);
    bool dot = e.name == "." || e.name == "..";
    if (dot) {
      e.stat.mode = S_IFDIR;
      e.stat.gfid = selfGfid;
      if (e.name == "..") {
        InodePtr parent;
        std::string ignored;
        if (r.fd->inode()->firstDentry(parent, ignored) && parent) e.stat.gfid = parent->gfid();
      }
      e.stat.ino = e.stat.gfid.ino();
    } else if (plus) {
      struct stat st;
      if (fstatat(f->fd, e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
        f->dirPos += d->d_reclen;  // vanished since getdents: skip it
        f->nextOffset = e.offset;
        continue;
      }
      auto known = handles_->knownGfid(st.st_dev, st.st_ino);
      auto g = known ? Result<Gfid>(*known) : gfidOfEntry(f->fd, e.name.c_str());
      if (!g) {
        f->dirPos += d->d_reclen;
        f->nextOffset = e.offset;
        continue;
      }
      e.stat = iattFromStat(st, *g);
      // Symlinks are skipped: getxattr through a path would read their targets'.
      if constexpr (requires { r.xattrs; })
        if (!r.xattrs.empty() && !S_ISLNK(st.st_mode))
          e.xattrsRead = collectXattrs(
              XattrTarget{PosixHandles::procPath(f->fd) + "/" + e.name, -1}, r.xattrs, e.xattrs);
    } else {
      auto g = gfidOfEntry(f->fd, e.name.c_str());
      if (!g) {
        f->dirPos += d->d_reclen;
        f->nextOffset = e.offset;
        continue;
      }
      e.stat.gfid = *g;
      e.stat.ino = g->ino();
      e.stat.mode = DTTOIF(d->d_type);
    }
    used += cost;
    f->dirPos += d->d_reclen;
    f->nextOffset = e.offset;
    out.entries.push_back(std::move(e));
  }
  return out;
}

Result<ReaddirReply> PosixXlator::readdirSync(const CallCtx&, const ReaddirReq& r) {
  return readDirectory(r, false);
}

Result<ReaddirReply> PosixXlator::readdirpSync(const CallCtx&, const ReaddirpReq& r) {
  return readDirectory(r, true);
}

Result<Empty> PosixXlator::fsyncdirSync(const CallCtx&, const FsyncdirReq& r) {
  auto* f = handles_->fdCtx(r.fd);
  if (!f) return fail(EBADF);
  if ((r.datasync ? fdatasync(f->fd) : ::fsync(f->fd)) < 0) return fail(errno);
  return Empty{};
}

}  // namespace gf
