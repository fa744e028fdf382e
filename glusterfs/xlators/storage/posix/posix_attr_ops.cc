// SPDX-License-Identifier: GPL-3.0-or-later
// storage/posix: attribute fops (stat, setattr, truncate, readlink), by handle or by open fd.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "glusterfs/core/fd.h"
#include "glusterfs/xlators/storage/posix/posix_handles.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

namespace gf {
namespace {

timespec toTimespec(const Timespec& t) { return {static_cast<time_t>(t.sec), static_cast<long>(t.nsec)}; }

// Applies setattr to the object pinned by `handleFd` (O_PATH) or, when >= 0, the open `openFd`.
Status applySetattr(int handleFd, int openFd, uint32_t type, const Iatt& attr, uint32_t valid) {
  int fd = openFd >= 0 ? openFd : handleFd;
  if (valid & (kSetUid | kSetGid)) {
    uid_t uid = (valid & kSetUid) ? attr.uid : static_cast<uid_t>(-1);
    gid_t gid = (valid & kSetGid) ? attr.gid : static_cast<gid_t>(-1);
    if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) return fail(errno);
  }
  if (valid & kSetMode) {
    if (type == S_IFLNK) return fail(EOPNOTSUPP);  // Linux symlinks have no mode of their own
    int rc = openFd >= 0 ? fchmod(openFd, attr.mode & 07777)
                         : chmod(PosixHandles::procPath(handleFd).c_str(), attr.mode & 07777);
    if (rc < 0) return fail(errno);
  }
  if (valid & (kSetAtime | kSetMtime | kSetAtimeNow | kSetMtimeNow)) {
    timespec ts[2];
    ts[0] = (valid & kSetAtimeNow) ? timespec{0, UTIME_NOW}
            : (valid & kSetAtime)  ? toTimespec(attr.atime)
                                   : timespec{0, UTIME_OMIT};
    ts[1] = (valid & kSetMtimeNow) ? timespec{0, UTIME_NOW}
            : (valid & kSetMtime)  ? toTimespec(attr.mtime)
                                   : timespec{0, UTIME_OMIT};
    int rc;
    if (openFd >= 0) {
      rc = futimens(openFd, ts);
    } else {
      rc = utimensat(handleFd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
      // Kernels without AT_EMPTY_PATH in utimensat: go through the handle's /proc entry.
      if (rc < 0 && errno == EINVAL && type != S_IFLNK)
        rc = utimensat(AT_FDCWD, PosixHandles::procPath(handleFd).c_str(), ts, 0);
    }
    if (rc < 0) return fail(errno);
  }
  return {};
}

}  // namespace

Result<AttrReply> PosixXlator::statSync(const CallCtx&, const StatReq& r) {
  GF_TRY(auto h, handles_->resolve(r.loc));
  GF_TRY(Iatt ia, handles_->statHandle(*h));
  return AttrReply{ia};
}

Result<AttrReply> PosixXlator::fstatSync(const CallCtx&, const FstatReq& r) {
  auto* f = handles_->fdCtx(r.fd);
  if (!f) return fail(EBADF);
  GF_TRY(Iatt ia, handles_->statFd(f->fd, r.fd->inode()->gfid()));
  return AttrReply{ia};
}

Result<AttrReply> PosixXlator::setattrSync(const CallCtx&, const SetattrReq& r) {
  GF_TRY(auto h, handles_->resolve(r.loc));
  GF_CHECK(applySetattr(h->fd, -1, h->type, r.attr, r.valid));
  GF_TRY(Iatt ia, handles_->statHandle(*h));
  return AttrReply{ia};
}

Result<AttrReply> PosixXlator::fsetattrSync(const CallCtx&, const FsetattrReq& r) {
  auto* f = handles_->fdCtx(r.fd);
  if (!f) return fail(EBADF);
  uint32_t type = r.fd->inode()->type();
  GF_CHECK(applySetattr(-1, f->fd, type, r.attr, r.valid));
  GF_TRY(Iatt ia, handles_->statFd(f->fd, r.fd->inode()->gfid()));
  return AttrReply{ia};
}

Result<AttrReply> PosixXlator::truncateSync(const CallCtx&, const TruncateReq& r) {
  GF_TRY(auto h, handles_->resolve(r.loc));
  if (h->type == S_IFDIR) return fail(EISDIR);
  if (h->type != S_IFREG) return fail(EINVAL);
  if (::truncate(PosixHandles::procPath(h->fd).c_str(), static_cast<off_t>(r.size)) < 0)
    return fail(errno);
  GF_TRY(Iatt ia, handles_->statHandle(*h));
  return AttrReply{ia};
}

Result<AttrReply> PosixXlator::ftruncateSync(const CallCtx&, const FtruncateReq& r) {
  auto* f = handles_->fdCtx(r.fd);
  if (!f) return fail(EBADF);
  if (::ftruncate(f->fd, static_cast<off_t>(r.size)) < 0) return fail(errno);
  GF_TRY(Iatt ia, handles_->statFd(f->fd, r.fd->inode()->gfid()));
  return AttrReply{ia};
}

Result<ReadlinkReply> PosixXlator::readlinkSync(const CallCtx&, const ReadlinkReq& r) {
  GF_TRY(auto h, handles_->resolve(r.loc));
  if (h->type != S_IFLNK) return fail(EINVAL);
  std::string buf(PATH_MAX, '\0');
  ssize_t n = readlinkat(h->fd, "", buf.data(), buf.size());
  if (n < 0) return fail(errno);
  buf.resize(static_cast<size_t>(n));
  return ReadlinkReply{std::move(buf)};
}

}  // namespace gf
