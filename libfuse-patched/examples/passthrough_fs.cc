// SPDX-License-Identifier: GPL-3.0-or-later
// Passthrough: the node table, lookups, attributes, the namespace operations and extended
// attributes, each done with *at() calls relative to O_PATH handles (no source symlink followed).
#include "libfuse-patched/examples/passthrough_fs.h"

#include <fcntl.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace passthrough {
namespace {

int statFd(int fd, struct stat& st) {
  return fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
}

// Every inode the kernel knows holds an O_PATH descriptor here, so a listing of a few thousand
// entries outgrows the usual soft limit of 1024; the hard limit is ours to take.
void raiseFileLimit() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
}

}  // namespace

void killSuidgid(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return;
  mode_t m = st.st_mode & ~S_ISUID;
  if (st.st_mode & S_IXGRP) m &= ~S_ISGID;
  if (m != st.st_mode) fchmod(fd, m & 07777);
}

std::string Fs::procPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Fs::Fs(int rootFd, Options opts) : opts_(opts) {
  root_.fd = rootFd;
  struct stat st;
  if (statFd(rootFd, st) == 0) {
    root_.dev = st.st_dev;
    root_.ino = st.st_ino;
  }
  root_.nlookup = 2;  // never forgotten
  raiseFileLimit();
}

Fs::~Fs() {
  for (auto& [key, n] : nodes_) {
    close(n->fd);
    delete n;
  }
  for (auto& [key, fd] : ownerFds_) close(fd);
  close(root_.fd);
}

void Fs::init(lfp::ConnectionInfo& conn) {
  // The kernel's own (local) locking is right for a single mount; -o locks holds them in the
  // source tree instead so other users of the source directory see them.
  if (opts_.locks) conn.want |= lfp::kCapPosixLocks | lfp::kCapFlockLocks;
  if (opts_.readdirplus) conn.want |= lfp::kCapReaddirplus | lfp::kCapReaddirplusAuto;
  // Killing set-id bits ourselves spares the kernel a security.capability lookup per write.
  conn.want |= lfp::kCapCacheSymlinks | lfp::kCapHandleKillprivV2;
  conn.want &= conn.capable;
  if (!(conn.want & lfp::kCapPassthrough)) opts_.kernelPassthrough = false;
  writeback_ = (conn.want & lfp::kCapWritebackCache) && !opts_.kernelPassthrough;
}

void Fs::fillEntry(Node* n, const struct stat& st, lfp::Entry& e) const {
  e.ino = reinterpret_cast<lfp::Ino>(n);
  e.attr = st;
  e.attr.st_blksize = blksize();
  e.attrTimeout = opts_.attrTimeout;
  e.entryTimeout = opts_.entryTimeout;
}

int Fs::entryForFd(int fd, lfp::Entry& e) {
  struct stat st;
  if (int err = statFd(fd, st)) {
    close(fd);
    return err;
  }
  Node* n;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = nodes_.find({st.st_dev, st.st_ino});
    if (it != nodes_.end()) {
      n = it->second;
      ++n->nlookup;
      close(fd);
    } else {
      n = new Node{fd, st.st_dev, st.st_ino, 1};
      nodes_.emplace(std::make_pair(st.st_dev, st.st_ino), n);
    }
  }
  fillEntry(n, st, e);
  return 0;
}

int Fs::doLookup(lfp::Ino parent, const char* name, lfp::Entry& e) {
  int fd = openat(node(parent)->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno;
  return entryForFd(fd, e);
}

void Fs::unref(Node* n, uint64_t count) {
  if (n == &root_) return;
  std::lock_guard<std::mutex> g(mu_);
  if (n->nlookup > count) {
    n->nlookup -= count;
    return;
  }
  nodes_.erase({n->dev, n->ino});
  close(n->fd);
  delete n;
}

void Fs::lookup(lfp::Request r, lfp::Ino parent, const char* name) {
  lfp::Entry e;
  int err = doLookup(parent, name, e);
  if (err == ENOENT) {  // a cached negative entry saves the next lookup of a missing name
    e = lfp::Entry{};
    e.entryTimeout = opts_.entryTimeout;
    return r.replyEntry(e);
  }
  if (err) return r.replyErr(err);
  r.replyEntry(e);
}

void Fs::forget(lfp::Ino ino, uint64_t nlookup) { unref(node(ino), nlookup); }

void Fs::getattr(lfp::Request r, lfp::Ino ino, const lfp::FileInfo* fi) {
  struct stat st;
  int err =
      fi ? (fstat(static_cast<int>(fi->fh), &st) == 0 ? 0 : errno) : statFd(node(ino)->fd, st);
  if (err) return r.replyErr(err);
  st.st_blksize = blksize();
  r.replyAttr(st, opts_.attrTimeout);
}

void Fs::setattr(lfp::Request r, lfp::Ino ino, const struct stat& a, uint32_t toSet,
                 const lfp::FileInfo* fi) {
  Node* n = node(ino);
  int ffd = fi ? static_cast<int>(fi->fh) : -1;
  std::string path = procPath(n->fd);
  int rc = 0;
  if (toSet & lfp::kSetMode)
    rc = ffd >= 0 ? fchmod(ffd, a.st_mode) : chmod(path.c_str(), a.st_mode);
  if (!rc && (toSet & (lfp::kSetUid | lfp::kSetGid))) {
    uid_t uid = (toSet & lfp::kSetUid) ? a.st_uid : static_cast<uid_t>(-1);
    gid_t gid = (toSet & lfp::kSetGid) ? a.st_gid : static_cast<gid_t>(-1);
    rc = fchownat(n->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  }
  if (!rc && (toSet & lfp::kSetSize))
    rc = ffd >= 0 ? ftruncate(ffd, a.st_size) : truncate(path.c_str(), a.st_size);
  if (!rc && (toSet & (lfp::kSetAtime | lfp::kSetMtime | lfp::kSetAtimeNow | lfp::kSetMtimeNow))) {
    struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (toSet & lfp::kSetAtimeNow)
      ts[0].tv_nsec = UTIME_NOW;
    else if (toSet & lfp::kSetAtime)
      ts[0] = a.st_atim;
    if (toSet & lfp::kSetMtimeNow)
      ts[1].tv_nsec = UTIME_NOW;
    else if (toSet & lfp::kSetMtime)
      ts[1] = a.st_mtim;
    rc = ffd >= 0 ? futimens(ffd, ts)
                  : utimensat(n->fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  }
  if (rc) return r.replyErr(errno);
  if (toSet & lfp::kSetKillSuidgid) {
    int fd = ffd >= 0 ? ffd : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) killSuidgid(fd);
    if (fd >= 0 && fd != ffd) close(fd);
  }
  getattr(std::move(r), ino, fi);
}

void Fs::readlink(lfp::Request r, lfp::Ino ino) {
  char buf[PATH_MAX + 1];
  ssize_t n = readlinkat(node(ino)->fd, "", buf, sizeof buf);
  if (n < 0) return r.replyErr(errno);
  if (n >= static_cast<ssize_t>(sizeof buf)) return r.replyErr(ENAMETOOLONG);
  r.replyReadlink(std::string_view(buf, static_cast<size_t>(n)));
}

void Fs::mknod(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode, dev_t rdev) {
  int rc;
  {
    AsCaller as(r.ctx());
    rc = mknodat(node(parent)->fd, name, mode, rdev);
  }
  if (rc) return r.replyErr(errno);
  lfp::Entry e;
  int err = doLookup(parent, name, e);
  err ? r.replyErr(err) : r.replyEntry(e);
}

void Fs::mkdir(lfp::Request r, lfp::Ino parent, const char* name, mode_t mode) {
  int rc;
  {
    AsCaller as(r.ctx());
    rc = mkdirat(node(parent)->fd, name, mode);
  }
  if (rc) return r.replyErr(errno);
  lfp::Entry e;
  int err = doLookup(parent, name, e);
  err ? r.replyErr(err) : r.replyEntry(e);
}

void Fs::symlink(lfp::Request r, const char* target, lfp::Ino parent, const char* name) {
  int rc;
  {
    AsCaller as(r.ctx());
    rc = symlinkat(target, node(parent)->fd, name);
  }
  if (rc) return r.replyErr(errno);
  lfp::Entry e;
  int err = doLookup(parent, name, e);
  err ? r.replyErr(err) : r.replyEntry(e);
}

void Fs::link(lfp::Request r, lfp::Ino ino, lfp::Ino newParent, const char* newName) {
  Node* n = node(ino);
  int rc = linkat(n->fd, "", node(newParent)->fd, newName, AT_EMPTY_PATH);
  if (rc && errno == ENOENT)  // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH
    rc = linkat(AT_FDCWD, procPath(n->fd).c_str(), node(newParent)->fd, newName, AT_SYMLINK_FOLLOW);
  if (rc) return r.replyErr(errno);
  lfp::Entry e;
  int err = doLookup(newParent, newName, e);
  err ? r.replyErr(err) : r.replyEntry(e);
}

void Fs::unlink(lfp::Request r, lfp::Ino parent, const char* name) {
  r.replyErr(unlinkat(node(parent)->fd, name, 0) == 0 ? 0 : errno);
}

void Fs::rmdir(lfp::Request r, lfp::Ino parent, const char* name) {
  r.replyErr(unlinkat(node(parent)->fd, name, AT_REMOVEDIR) == 0 ? 0 : errno);
}

void Fs::rename(lfp::Request r, lfp::Ino parent, const char* name, lfp::Ino newParent,
                const char* newName, uint32_t flags) {
  int rc = renameat2(node(parent)->fd, name, node(newParent)->fd, newName, flags);
  r.replyErr(rc == 0 ? 0 : errno);
}

void Fs::statfs(lfp::Request r, lfp::Ino ino) {
  struct statvfs st;
  if (fstatvfs(node(ino)->fd, &st) != 0) return r.replyErr(errno);
  r.replyStatfs(st);
}

// Extended attributes: O_PATH handles cannot carry f*xattr calls, so they go through the
// handle's /proc/self/fd link, which resolves to the node itself (a symlink stays the link).
// The daemon runs as root, so it applies the trusted.* rule for unprivileged callers itself.
namespace {

bool isTrusted(const char* name) { return std::strncmp(name, "trusted.", 8) == 0; }

// Drops trusted.* names from a listxattr buffer.
size_t filterTrusted(char* buf, size_t len) {
  size_t out = 0;
  for (size_t at = 0; at < len;) {
    size_t n = strnlen(buf + at, len - at) + 1;
    if (!isTrusted(buf + at)) {
      std::memmove(buf + out, buf + at, n);
      out += n;
    }
    at += n;
  }
  return out;
}

}  // namespace

void Fs::setxattr(lfp::Request r, lfp::Ino ino, const char* name, const char* value, size_t size,
                  int flags) {
  if (isTrusted(name) && r.ctx().uid != 0) return r.replyErr(EPERM);
  int rc = ::setxattr(procPath(node(ino)->fd).c_str(), name, value, size, flags);
  r.replyErr(rc == 0 ? 0 : errno);
}

void Fs::getxattr(lfp::Request r, lfp::Ino ino, const char* name, size_t size) {
  if (isTrusted(name) && r.ctx().uid != 0) return r.replyErr(ENODATA);
  std::string path = procPath(node(ino)->fd);
  if (size == 0) {
    ssize_t n = ::getxattr(path.c_str(), name, nullptr, 0);
    return n < 0 ? r.replyErr(errno) : r.replyXattrSize(static_cast<size_t>(n));
  }
  std::vector<char> buf(size);
  ssize_t n = ::getxattr(path.c_str(), name, buf.data(), size);
  if (n < 0) return r.replyErr(errno);
  r.replyBuf(buf.data(), static_cast<size_t>(n));
}

void Fs::listxattr(lfp::Request r, lfp::Ino ino, size_t size) {
  std::string path = procPath(node(ino)->fd);
  bool filter = r.ctx().uid != 0;
  ssize_t n = ::listxattr(path.c_str(), nullptr, 0);
  if (n < 0) return r.replyErr(errno);
  std::vector<char> buf(static_cast<size_t>(n) + 1);
  n = ::listxattr(path.c_str(), buf.data(), buf.size());
  if (n < 0) return r.replyErr(errno);
  size_t len = filter ? filterTrusted(buf.data(), static_cast<size_t>(n)) : static_cast<size_t>(n);
  if (size == 0) return r.replyXattrSize(len);
  if (len > size) return r.replyErr(ERANGE);
  r.replyBuf(buf.data(), len);
}

void Fs::removexattr(lfp::Request r, lfp::Ino ino, const char* name) {
  if (isTrusted(name) && r.ctx().uid != 0) return r.replyErr(EPERM);
  int rc = ::removexattr(procPath(node(ino)->fd).c_str(), name);
  r.replyErr(rc == 0 ? 0 : errno);
}

void Fs::access(lfp::Request r, lfp::Ino ino, int mask) {
  AsCaller as(r.ctx());
  int rc = faccessat(AT_FDCWD, procPath(node(ino)->fd).c_str(), mask, AT_EACCESS);
  r.replyErr(rc == 0 ? 0 : errno);
}

void Fs::syncfs(lfp::Request r, lfp::Ino ino) {
  int fd = openat(node(ino)->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fd = ::open(procPath(node(ino)->fd).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return r.replyErr(errno);
  int rc = ::syncfs(fd);
  int err = rc == 0 ? 0 : errno;
  close(fd);
  r.replyErr(err);
}

}  // namespace passthrough
