// SPDX-License-Identifier: GPL-3.0-or-later
// FuseBridge: open files — open/create, read/write, flush/release/fsync, locks, allocation.
#include <sys/file.h>

#include "glusterfs/core/log.h"
#include "glusterfs/mount/fuse_bridge.h"
#include "glusterfs/mount/fuse_call.h"

namespace gf {
namespace {
bool writesData(int flags) {
  return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_APPEND | O_CREAT));
}
}  // namespace

Task<void> FuseBridge::doOpen(lfp::Request r, lfp::Ino ino, int flags, bool dir) {
  Target t;
  if (!target(ino, t)) {
    r.replyErr(ESTALE);
    co_return;
  }
  if (opts_.readOnly && writesData(flags)) {
    r.replyErr(EROFS);
    co_return;
  }
  CallCtx c = callCtx(r);
  FdPtr fd = makeFd(t.inode, flags, c.pid);
  Result<Empty> res = fail(EIO);
  if (dir) {
    OpendirReq req{t.loc, fd};
    res = co_await top().opendir(c, req);
  } else {
    OpenReq req{t.loc, flags, fd};
    res = co_await top().open(c, req);
  }
  if (!res) {
    r.replyErr(res.errnum());
    co_return;
  }
  lfp::FileInfo fi;
  fi.flags = flags;
  fi.fh = fds_.add(std::move(fd));
  if (!dir) {
    fi.directIo = opts_.directIo;
    fi.parallelDirectWrites = opts_.directIo;
  }
  r.replyOpen(fi);
}

void FuseBridge::open(lfp::Request r, lfp::Ino ino, lfp::FileInfo& fi) {
  spawn(doOpen(std::move(r), ino, fi.flags, false), "fuse-open");
}

void FuseBridge::opendir(lfp::Request r, lfp::Ino ino, lfp::FileInfo& fi) {
  spawn(doOpen(std::move(r), ino, fi.flags, true), "fuse-opendir");
}

Task<void> FuseBridge::doCreate(lfp::Request r, lfp::Ino parentIno, std::string name, mode_t mode,
                                int flags) {
  InodePtr parent = nodes_.get(parentIno);
  if (!parent) {
    r.replyErr(ESTALE);
    co_return;
  }
  if (opts_.readOnly) {
    r.replyErr(EROFS);
    co_return;
  }
  CallCtx c = callCtx(r);
  CreateReq req;
  req.loc = Loc{parent, name, table_.create()};
  req.flags = flags;
  req.mode = mode;
  req.umask = r.ctx().umask;
  req.fd = makeFd(req.loc.inode, flags, c.pid);
  req.gfid = Gfid::random();
  auto res = co_await top().create(c, req);
  if (!res) {
    r.replyErr(res.errnum());
    co_return;
  }
  InodePtr inode = table_.link(req.loc.inode, parent, name, res->stat);
  lfp::FileInfo fi;
  fi.flags = flags;
  // The fd must name the inode the table kept (an existing one wins over ours).
  if (inode != req.loc.inode) req.fd->rebind(inode);
  fi.fh = fds_.add(req.fd);
  fi.directIo = opts_.directIo;
  fi.parallelDirectWrites = opts_.directIo;
  lfp::Entry entry = entryFor(inode, res->stat);
  // A file this call made (it carries our gfid, not an existing file's) has no capabilities:
  // the kernel asks for them before the first write, which then costs no trip through the graph.
  if (res->stat.gfid == req.gfid) xattrMisses_.remember(entry.ino, "security.capability");
  r.replyCreate(entry, fi);
}

void FuseBridge::create(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode,
                        lfp::FileInfo& fi) {
  spawn(doCreate(std::move(r), parent, name, mode, fi.flags), "fuse-create");
}

void FuseBridge::read(lfp::Request r, lfp::Ino, size_t size, off_t off, const lfp::FileInfo& fi) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  CallCtx c = callCtx(r, fi.lockOwner);
  ReadvReq req{fd, size, static_cast<uint64_t>(off), 0};
  fuseCall(
      std::move(r), [this, c, req] { return top().readv(c, req); },
      [](lfp::Request& r, const ReadvReply& rep) {
        auto iov = rep.data.iovecs();
        r.replyIov(iov.data(), static_cast<int>(iov.size()));
      });
}

void FuseBridge::write(lfp::Request r, lfp::Ino, const lfp::WriteData& data, off_t off,
                       const lfp::FileInfo& fi) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  WritevReq req{fd, {}, static_cast<uint64_t>(off), 0};
  if (data.owner && data.mem) {
    // The library lends us its receive buffer: no copy.
    req.data.append(Payload::Slice{data.owner, data.mem, data.size});
  } else {
    req.data = Payload::allocate(data.size);
    ssize_t n = data.copyTo(req.data.mutableData());
    if (n < 0) return r.replyErr(static_cast<int>(-n));
    req.data.truncate(static_cast<size_t>(n));
  }
  CallCtx c = callCtx(r, fi.lockOwner);
  fuseCall(
      std::move(r), [this, c, req = std::move(req)] { return top().writev(c, req); },
      [](lfp::Request& r, const WriteReply& w) { r.replyWrite(w.size); });
}

void FuseBridge::flush(lfp::Request r, lfp::Ino, const lfp::FileInfo& fi) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  // The lock owner lets features/locks drop this process's record locks (close semantics).
  CallCtx c = callCtx(r, fi.lockOwner);
  fuseCall(
      std::move(r), [this, c, req = FlushReq{fd}] { return top().flush(c, req); },
      [](lfp::Request& r, const Empty&) { r.replyOk(); });
}

void FuseBridge::release(lfp::Request r, lfp::Ino, const lfp::FileInfo& fi) {
  // Dropping our reference releases every layer's state once in-flight fops are done with it.
  fds_.remove(fi.fh);
  r.replyOk();
}

void FuseBridge::releasedir(lfp::Request r, lfp::Ino, const lfp::FileInfo& fi) {
  fds_.remove(fi.fh);
  r.replyOk();
}

void FuseBridge::fsync(lfp::Request r, lfp::Ino, bool datasync, const lfp::FileInfo& fi) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  CallCtx c = callCtx(r);
  fuseCall(
      std::move(r), [this, c, req = FsyncReq{fd, datasync}] { return top().fsync(c, req); },
      [](lfp::Request& r, const Empty&) { r.replyOk(); });
}

namespace {
Flock toFlock(const struct flock& l, uint64_t owner) {
  Flock f;
  f.type = l.l_type;
  f.whence = SEEK_SET;
  f.start = l.l_start;
  f.len = l.l_len;
  f.pid = l.l_pid;
  f.owner = owner;
  return f;
}
}  // namespace

void FuseBridge::getlk(lfp::Request r, lfp::Ino, const lfp::FileInfo& fi,
                       const struct flock& lock) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  CallCtx c = callCtx(r, fi.lockOwner);
  LkReq req{fd, LockCmd::kGet, LockKind::kPosix, toFlock(lock, fi.lockOwner)};
  fuseCall(
      std::move(r), [this, c, req] { return top().lk(c, req); },
      [](lfp::Request& r, const LkReply& rep) {
        struct flock out {};
        out.l_type = static_cast<short>(rep.lock.type);
        out.l_whence = SEEK_SET;
        out.l_start = rep.lock.start;
        out.l_len = rep.lock.len;
        out.l_pid = rep.lock.pid;
        r.replyLock(out);
      });
}

void FuseBridge::setlk(lfp::Request r, lfp::Ino, const lfp::FileInfo& fi, const struct flock& lock,
                       bool sleep) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  CallCtx c = callCtx(r, fi.lockOwner);
  LkReq req{fd, sleep ? LockCmd::kSetWait : LockCmd::kSet, LockKind::kPosix,
            toFlock(lock, fi.lockOwner)};
  fuseCall(
      std::move(r), [this, c, req] { return top().lk(c, req); },
      [](lfp::Request& r, const LkReply&) { r.replyOk(); });
}

void FuseBridge::flock(lfp::Request r, lfp::Ino, const lfp::FileInfo& fi, int op) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  CallCtx c = callCtx(r, fi.lockOwner);
  Flock l;
  int kind = op & ~LOCK_NB;
  l.type = kind == LOCK_SH ? F_RDLCK : kind == LOCK_EX ? F_WRLCK : F_UNLCK;
  l.whence = SEEK_SET;
  l.owner = fi.lockOwner;
  l.pid = static_cast<int32_t>(c.pid);
  LkReq req{fd, (op & LOCK_NB) || l.type == F_UNLCK ? LockCmd::kSet : LockCmd::kSetWait,
            LockKind::kFlock, l};
  fuseCall(
      std::move(r), [this, c, req] { return top().lk(c, req); },
      [](lfp::Request& r, const LkReply&) { r.replyOk(); });
}

void FuseBridge::fallocate(lfp::Request r, lfp::Ino, int mode, off_t offset, off_t length,
                           const lfp::FileInfo& fi) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  if (opts_.readOnly) return r.replyErr(EROFS);
  CallCtx c = callCtx(r);
  FallocateReq req{fd, mode, static_cast<uint64_t>(offset), static_cast<uint64_t>(length)};
  fuseCall(
      std::move(r), [this, c, req] { return top().fallocate(c, req); },
      [](lfp::Request& r, const Empty&) { r.replyOk(); });
}

void FuseBridge::lseek(lfp::Request r, lfp::Ino, off_t off, int whence, const lfp::FileInfo& fi) {
  FdPtr fd = fdOf(fi);
  if (!fd) return r.replyErr(EBADF);
  CallCtx c = callCtx(r);
  LseekReq req{fd, static_cast<uint64_t>(off), whence};
  fuseCall(
      std::move(r), [this, c, req] { return top().lseek(c, req); },
      [](lfp::Request& r, const LseekReply& rep) { r.replyLseek(static_cast<off_t>(rep.offset)); });
}

}  // namespace gf
