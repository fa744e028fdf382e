// SPDX-License-Identifier: GPL-3.0-or-later
// Passthrough: open files (kernel passthrough via backing ids when enabled), reads and writes,
// directories, locks held as open-file-description locks per lock owner, and the other
// file-handle operations.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "libfuse-patched/examples/passthrough_fs.h"

namespace passthrough {
namespace {

struct DirHandle {
  DIR* dp = nullptr;
  off_t offset = 0;                  // where dp stands
  struct dirent* pending = nullptr;  // read but not yet returned (did not fit)
};

DirHandle* dirOf(const lfp::FileInfo& fi) { return reinterpret_cast<DirHandle*>(fi.fh); }

bool isDot(const char* n) { return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])); }

}  // namespace

// Flags for the file's own open: the kernel handles O_CREAT/O_EXCL/O_NOCTTY itself, and with
// the writeback cache it may read pages of a file opened write-only and does O_APPEND itself.
static int openFlags(int flags, bool writeback) {
  flags &= ~(O_CREAT | O_EXCL | O_NOCTTY);
  if (writeback) {
    if ((flags & O_ACCMODE) == O_WRONLY) flags = (flags & ~O_ACCMODE) | O_RDWR;
    flags &= ~O_APPEND;
  }
  return flags | O_CLOEXEC;
}

// Kernel passthrough needs one backing file per inode: the kernel refuses a second open of an
// inode with a different backing file. So the first open registers a read-write handle of the
// node and later opens share its id until the last of them is released.
int Fs::acquireBacking(Node* n, int fd) {
  std::lock_guard<std::mutex> g(backingMu_);
  auto it = backing_.find(n);
  if (it == backing_.end()) {
    int bfd = ::open(procPath(n->fd).c_str(), O_RDWR | O_CLOEXEC);
    if (bfd < 0) bfd = ::open(procPath(n->fd).c_str(), O_RDONLY | O_CLOEXEC);
    if (bfd < 0) return 0;
    int id = session_->registerBacking(bfd);
    if (id <= 0) {
      close(bfd);
      return 0;
    }
    it = backing_.emplace(n, Backing{id, bfd, 0}).first;
  }
  ++it->second.opens;
  backingFds_.insert(fd);
  return it->second.id;
}

void Fs::releaseBacking(Node* n, int fd) {
  std::lock_guard<std::mutex> g(backingMu_);
  if (!backingFds_.erase(fd)) return;
  auto it = backing_.find(n);
  if (it == backing_.end() || --it->second.opens > 0) return;
  session_->unregisterBacking(it->second.id);
  close(it->second.fd);
  backing_.erase(it);
}

void Fs::finishOpen(Node* n, int fd, lfp::FileInfo& fi) {
  if (fi.killSuidgid) killSuidgid(fd);
  fi.fh = static_cast<uint64_t>(fd);
  fi.directIo = opts_.directIo;
  fi.parallelDirectWrites = opts_.directIo;
  fi.keepCache = opts_.keepCache;
  if (opts_.kernelPassthrough && session_) {
    if (int id = acquireBacking(n, fd); id > 0) {
      fi.backingId = id;
      fi.directIo = false;
    }
  }
}

void Fs::open(lfp::Request r, lfp::Ino ino, lfp::FileInfo& fi) {
  int fd = ::open(procPath(node(ino)->fd).c_str(), openFlags(fi.flags, writeback_) & ~O_NOFOLLOW);
  if (fd < 0) return r.replyErr(errno);
  // Kernel-passthrough writes never come here, so set-id bits cannot be cleared on write as
  // the kernel asks with killpriv v2: clear them when an unprivileged user opens for writing.
  if (opts_.kernelPassthrough && (fi.flags & O_ACCMODE) != O_RDONLY && r.ctx().uid != 0)
    fi.killSuidgid = true;
  finishOpen(node(ino), fd, fi);
  r.replyOpen(fi);
}

void Fs::create(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode, lfp::FileInfo& fi) {
  int fd;
  {
    AsCaller as(r.ctx());
    fd = openat(node(parent)->fd, name, openFlags(fi.flags, writeback_) | O_CREAT | O_NOFOLLOW,
                mode);
  }
  if (fd < 0) return r.replyErr(errno);
  lfp::Entry e;
  if (int err = entryForFd(openat(node(parent)->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), e);
      err || e.ino == 0) {
    close(fd);
    return r.replyErr(err ? err : EIO);
  }
  finishOpen(node(e.ino), fd, fi);
  r.replyCreate(e, fi);
}

void Fs::tmpfile(lfp::Request r, lfp::Ino parent, mode_t mode, lfp::FileInfo& fi) {
  int fd;
  {
    AsCaller as(r.ctx());
    fd = openat(node(parent)->fd, ".", (openFlags(fi.flags, writeback_) & ~O_NOFOLLOW) | O_TMPFILE,
                mode);
  }
  if (fd < 0) return r.replyErr(errno);
  lfp::Entry e;
  if (int err = entryForFd(::open(procPath(fd).c_str(), O_PATH | O_CLOEXEC), e)) {
    close(fd);
    return r.replyErr(err);
  }
  finishOpen(node(e.ino), fd, fi);
  r.replyCreate(e, fi);
}

void Fs::read(lfp::Request r, lfp::Ino, size_t size, off_t off, const lfp::FileInfo& fi) {
  r.replyFd(static_cast<int>(fi.fh), off, size);
}

void Fs::write(lfp::Request r, lfp::Ino, const lfp::WriteData& data, off_t off,
               const lfp::FileInfo& fi) {
  ssize_t n = data.writeTo(static_cast<int>(fi.fh), off);
  if (n < 0) return r.replyErr(static_cast<int>(-n));
  if (fi.killSuidgid) killSuidgid(static_cast<int>(fi.fh));
  r.replyWrite(static_cast<size_t>(n));
}

// close() of a duplicate is what a local close would do: NFS-style flush and the release of
// the caller's POSIX locks on the source file.
void Fs::flush(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi) {
  int fd = dup(static_cast<int>(fi.fh));
  if (fd < 0) return r.replyErr(errno);
  int rc = close(fd);
  if (opts_.locks) {
    std::lock_guard<std::mutex> g(lockMu_);
    auto it = ownerFds_.find({ino, fi.lockOwner});
    if (it != ownerFds_.end()) {
      close(it->second);  // drops this owner's locks
      ownerFds_.erase(it);
    }
  }
  r.replyErr(rc == 0 ? 0 : errno);
}

void Fs::release(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi) {
  int fd = static_cast<int>(fi.fh);
  if (opts_.kernelPassthrough && session_) releaseBacking(node(ino), fd);
  close(fd);
  r.replyOk();
}

void Fs::fsync(lfp::Request r, lfp::Ino, bool datasync, const lfp::FileInfo& fi) {
  int fd = static_cast<int>(fi.fh);
  int rc = datasync ? fdatasync(fd) : ::fsync(fd);
  r.replyErr(rc == 0 ? 0 : errno);
}

void Fs::opendir(lfp::Request r, lfp::Ino ino, lfp::FileInfo& fi) {
  int fd = openat(node(ino)->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return r.replyErr(errno);
  DIR* dp = fdopendir(fd);
  if (!dp) {
    int e = errno;
    close(fd);
    return r.replyErr(e);
  }
  auto* dh = new DirHandle{dp, 0, nullptr};
  fi.fh = reinterpret_cast<uint64_t>(dh);
  r.replyOpen(fi);
}

void Fs::dirList(lfp::Request r, lfp::Ino ino, size_t size, off_t off, const lfp::FileInfo& fi,
                 bool plus) {
  DirHandle* dh = dirOf(fi);
  if (off != dh->offset) {
    seekdir(dh->dp, off);
    dh->pending = nullptr;
    dh->offset = off;
  }
  lfp::DirBuffer buf(size);
  for (;;) {
    struct dirent* d = dh->pending;
    if (!d) {
      errno = 0;
      d = ::readdir(dh->dp);
      if (!d) {
        if (errno && buf.empty()) return r.replyErr(errno);
        break;
      }
    }
    dh->pending = nullptr;
    bool fits;
    if (plus) {
      lfp::Entry e;
      bool counted = false;
      if (!isDot(d->d_name) && doLookup(ino, d->d_name, e) == 0) {
        counted = true;
      } else {
        e = lfp::Entry{};
        e.attr.st_ino = d->d_ino;
        e.attr.st_mode = static_cast<mode_t>(d->d_type) << 12;
      }
      fits = buf.addPlus(d->d_name, e, static_cast<uint64_t>(d->d_off));
      if (!fits && counted) forget(e.ino, 1);  // the kernel never saw this lookup
    } else {
      fits = buf.add(d->d_name, d->d_ino, static_cast<uint32_t>(d->d_type) << 12,
                     static_cast<uint64_t>(d->d_off));
    }
    if (!fits) {
      dh->pending = d;
      break;
    }
    dh->offset = d->d_off;
  }
  r.replyBuf(buf.data(), buf.size());
}

void Fs::readdir(lfp::Request r, lfp::Ino ino, size_t size, off_t off, const lfp::FileInfo& fi) {
  dirList(std::move(r), ino, size, off, fi, false);
}

void Fs::readdirplus(lfp::Request r, lfp::Ino ino, size_t size, off_t off,
                     const lfp::FileInfo& fi) {
  dirList(std::move(r), ino, size, off, fi, true);
}

void Fs::releasedir(lfp::Request r, lfp::Ino, const lfp::FileInfo& fi) {
  DirHandle* dh = dirOf(fi);
  closedir(dh->dp);
  delete dh;
  r.replyOk();
}

void Fs::fsyncdir(lfp::Request r, lfp::Ino, bool datasync, const lfp::FileInfo& fi) {
  int fd = dirfd(dirOf(fi)->dp);
  int rc = datasync ? fdatasync(fd) : ::fsync(fd);
  r.replyErr(rc == 0 ? 0 : errno);
}

// POSIX locks: one open file description per (file, lock owner), so owners conflict with each
// other exactly as processes would (F_OFD_* locks belong to the description, not the process).
int Fs::ownerFd(lfp::Ino ino, const lfp::FileInfo& fi) {
  std::lock_guard<std::mutex> g(lockMu_);
  auto key = std::make_pair(ino, fi.lockOwner);
  auto it = ownerFds_.find(key);
  if (it != ownerFds_.end()) return it->second;
  int fd = ::open(procPath(node(ino)->fd).c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) fd = ::open(procPath(node(ino)->fd).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fd = ::open(procPath(node(ino)->fd).c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ownerFds_[key] = fd;
  return fd;
}

void Fs::getlk(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi, const struct flock& lock) {
  int fd = ownerFd(ino, fi);
  if (fd < 0) return r.replyErr(-fd);
  struct flock l = lock;
  l.l_pid = 0;
  if (fcntl(fd, F_OFD_GETLK, &l) != 0) return r.replyErr(errno);
  r.replyLock(l);
}

void Fs::setlk(lfp::Request r, lfp::Ino ino, const lfp::FileInfo& fi, const struct flock& lock,
               bool sleep) {
  int fd = ownerFd(ino, fi);
  if (fd < 0) return r.replyErr(-fd);
  struct flock l = lock;
  l.l_pid = 0;
  if (!sleep) return r.replyErr(fcntl(fd, F_OFD_SETLK, &l) == 0 ? 0 : errno);
  // A waiting lock must not hold a request thread: the holder's unlock needs one.
  std::thread([r = std::move(r), fd, l]() mutable {
    int rc = fcntl(fd, F_OFD_SETLKW, &l);
    r.replyErr(rc == 0 ? 0 : errno);
  }).detach();
}

void Fs::flock(lfp::Request r, lfp::Ino, const lfp::FileInfo& fi, int op) {
  int fd = static_cast<int>(fi.fh);
  if (op & LOCK_NB) return r.replyErr(::flock(fd, op) == 0 ? 0 : errno);
  std::thread([r = std::move(r), fd, op]() mutable {
    r.replyErr(::flock(fd, op) == 0 ? 0 : errno);
  }).detach();
}

// Arbitrary ioctls cannot be forwarded safely (their arguments are opaque pointers).
void Fs::ioctl(lfp::Request r, lfp::Ino, unsigned int, void*, const lfp::FileInfo&, unsigned,
               const void*, size_t, size_t) {
  r.replyErr(ENOTTY);
}

void Fs::poll(lfp::Request r, lfp::Ino, const lfp::FileInfo& fi, uint64_t, uint32_t events) {
  struct pollfd p {
    static_cast<int>(fi.fh), static_cast<short>(events), 0
  };
  if (::poll(&p, 1, 0) < 0) return r.replyErr(errno);
  r.replyPoll(static_cast<uint32_t>(p.revents));
}

void Fs::fallocate(lfp::Request r, lfp::Ino, int mode, off_t offset, off_t length,
                   const lfp::FileInfo& fi) {
  int rc = ::fallocate(static_cast<int>(fi.fh), mode, offset, length);
  r.replyErr(rc == 0 ? 0 : errno);
}

void Fs::copyFileRange(lfp::Request r, lfp::Ino, off_t inOff, const lfp::FileInfo& inFi, lfp::Ino,
                       off_t outOff, const lfp::FileInfo& outFi, size_t len, int flags) {
  loff_t in = inOff, out = outOff;
  ssize_t n = copy_file_range(static_cast<int>(inFi.fh), &in, static_cast<int>(outFi.fh), &out, len,
                              static_cast<unsigned>(flags));
  if (n < 0) return r.replyErr(errno);
  r.replyWrite(static_cast<size_t>(n));
}

void Fs::lseek(lfp::Request r, lfp::Ino, off_t off, int whence, const lfp::FileInfo& fi) {
  off_t res = ::lseek(static_cast<int>(fi.fh), off, whence);
  if (res < 0) return r.replyErr(errno);
  r.replyLseek(res);
}

}  // namespace passthrough
