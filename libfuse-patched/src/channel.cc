// SPDX-License-Identifier: GPL-3.0-or-later
// Replies over a /dev/fuse descriptor: one writev per reply; data from files by pread, or by
// splice through per-thread pipes for large replies when splice is on.
#include "libfuse-patched/src/channel.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "libfuse-patched/common/log.h"
#include "libfuse-patched/src/kernel_abi.h"

namespace lfp::detail {
namespace {

int writevAll(int fd, const fuse_out_header& h, const iovec* iov, int count) {
  if (count + 1 > IOV_MAX) return -EINVAL;
  iovec v[IOV_MAX];
  v[0] = {const_cast<fuse_out_header*>(&h), sizeof h};
  for (int i = 0; i < count; ++i) v[i + 1] = iov[i];
  for (;;) {
    ssize_t n = ::writev(fd, v, count + 1);
    if (n >= 0) return n == static_cast<ssize_t>(h.len) ? 0 : -EIO;
    if (errno != EINTR) return -errno;
  }
}

// Per-thread pipes for spliced data replies: data goes file -> data pipe, then the header is
// written into the reply pipe followed by the data, and the reply pipe is spliced to /dev/fuse
// (the header must precede the data, and its length is known only after the first splice).
struct SplicePipes {
  int data[2] = {-1, -1};
  int reply[2] = {-1, -1};
  size_t capacity = 0;
  bool failed = false;
  ~SplicePipes() {
    for (int fd : {data[0], data[1], reply[0], reply[1]})
      if (fd >= 0) ::close(fd);
  }
  bool ensure(size_t bytes) {
    if (failed) return false;
    if (data[0] < 0 && (pipe2(data, O_CLOEXEC) != 0 || pipe2(reply, O_CLOEXEC) != 0)) {
      failed = true;
      return false;
    }
    if (capacity >= bytes) return true;
    int want = static_cast<int>(bytes + 4096);
    int a = fcntl(data[1], F_SETPIPE_SZ, want);
    int b = fcntl(reply[1], F_SETPIPE_SZ, want);
    if (a < 0 || b < 0) {
      log(kLogWarning, "splice disabled on a thread: pipe of %d bytes refused (%s)", want,
          std::strerror(errno));
      failed = true;
      return false;
    }
    capacity = static_cast<size_t>(a < b ? a : b);
    return capacity >= bytes;
  }
  void drain(int fd) {
    int left = 0;
    char scratch[65536];
    while (ioctl(fd, FIONREAD, &left) == 0 && left > 0)
      if (::read(fd, scratch, sizeof scratch) <= 0) break;
  }
};

thread_local SplicePipes tPipes;

// Page-aligned per-thread buffer for pread replies (O_DIRECT files need the alignment).
struct ReadBuf {
  char* p = nullptr;
  size_t size = 0;
  ~ReadBuf() { std::free(p); }
  char* get(size_t want) {
    if (want <= size) return p;
    size_t n = (want + 4095) & ~size_t{4095};
    char* q = static_cast<char*>(std::aligned_alloc(4096, n));
    if (!q) return nullptr;
    std::free(p);
    p = q;
    size = n;
    return p;
  }
};
thread_local ReadBuf tReadBuf;

}  // namespace

Channel::~Channel() {
  if (owned_ && fd_ >= 0) ::close(fd_);
}

std::unique_ptr<Channel> Channel::cloneOf(int master, std::string* error) {
  int fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = std::string("open /dev/fuse: ") + std::strerror(errno);
    return nullptr;
  }
  uint32_t m = static_cast<uint32_t>(master);
  if (ioctl(fd, abi::kIocClone, &m) != 0) {
    if (error) *error = std::string("FUSE_DEV_IOC_CLONE: ") + std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<Channel>(fd, true);
}

int Channel::send(uint64_t unique, int error, const iovec* iov, int count) {
  fuse_out_header h{};
  h.unique = unique;
  h.error = error;
  size_t len = sizeof h;
  for (int i = 0; i < count; ++i) len += iov[i].iov_len;
  h.len = static_cast<uint32_t>(len);
  return writevAll(fd_, h, iov, count);
}

int Channel::sendFd(uint64_t unique, int fd, off_t offset, size_t size) {
  if (spliceThreshold_ && size >= spliceThreshold_) {
    int rc = spliceFd(unique, fd, offset, size);
    if (rc != -EAGAIN) return rc;  // -EAGAIN: splice unusable here, nothing sent yet
  }
  char* buf = tReadBuf.get(size ? size : 1);
  if (!buf) return send(unique, -ENOMEM, nullptr, 0);
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::pread(fd, buf + got, size - got, offset + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return send(unique, -errno, nullptr, 0);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  iovec iov{buf, got};
  return send(unique, 0, &iov, got ? 1 : 0);
}

int Channel::spliceFd(uint64_t unique, int fd, off_t offset, size_t size) {
  SplicePipes& p = tPipes;
  if (!p.ensure(size + sizeof(fuse_out_header))) return -EAGAIN;
  loff_t off = offset;
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::splice(fd, &off, p.data[1], nullptr, size - got, SPLICE_F_MOVE);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      p.drain(p.data[0]);
      if (got == 0 && (e == EINVAL || e == ESPIPE)) return -EAGAIN;  // fd cannot splice
      return send(unique, -e, nullptr, 0);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  fuse_out_header h{};
  h.len = static_cast<uint32_t>(sizeof h + got);
  h.unique = unique;
  if (::write(p.reply[1], &h, sizeof h) != static_cast<ssize_t>(sizeof h)) {
    p.drain(p.data[0]);
    p.drain(p.reply[0]);
    return -EAGAIN;
  }
  size_t moved = 0;
  while (moved < got) {
    ssize_t n = ::splice(p.data[0], nullptr, p.reply[1], nullptr, got - moved, SPLICE_F_MOVE);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    moved += static_cast<size_t>(n);
  }
  size_t total = sizeof h + got;
  size_t sent = 0;
  int err = 0;
  while (moved == got && sent < total) {
    ssize_t n = ::splice(p.reply[0], nullptr, fd_, nullptr, total - sent, SPLICE_F_MOVE);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    sent += static_cast<size_t>(n);
  }
  if (sent != total) {
    p.drain(p.data[0]);
    p.drain(p.reply[0]);
    if (moved != got) return send(unique, -EIO, nullptr, 0);
    return -err;
  }
  return 0;
}

int writeNotify(int fd, int code, const iovec* iov, int count) {
  fuse_out_header h{};
  h.error = code;
  size_t len = sizeof h;
  for (int i = 0; i < count; ++i) len += iov[i].iov_len;
  h.len = static_cast<uint32_t>(len);
  return writevAll(fd, h, iov, count);
}

}  // namespace lfp::detail
