// SPDX-License-Identifier: GPL-3.0-or-later
// WriteData helpers: copy a write payload out of memory or a splice pipe, or write it to a file.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "lfp/lfp.h"

namespace lfp {
namespace {

// Reads exactly `size` bytes from the pipe (the kernel put them there before we saw the request).
ssize_t drainPipe(int fd, char* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(fd, out + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -errno;
    if (n == 0) return -EIO;  // the pipe holds less than the request said
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

ssize_t pwriteAll(int fd, const char* p, size_t size, off_t offset) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pwrite(fd, p + done, size - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return done ? static_cast<ssize_t>(done) : -errno;
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

}  // namespace

ssize_t WriteData::copyTo(char* out) const {
  if (pipeFd >= 0) return drainPipe(pipeFd, out, size);
  if (size) std::memcpy(out, mem, size);
  return static_cast<ssize_t>(size);
}

ssize_t WriteData::writeTo(int fd, off_t offset) const {
  if (pipeFd < 0) return pwriteAll(fd, mem, size, offset);
  size_t done = 0;
  while (done < size) {
    loff_t off = offset + static_cast<off_t>(done);
    ssize_t n = ::splice(pipeFd, nullptr, fd, &off, size - done, SPLICE_F_MOVE);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (done == 0 && (errno == EINVAL || errno == EBADF)) break;  // target cannot splice
      return done ? static_cast<ssize_t>(done) : -errno;
    }
    if (n == 0) return done ? static_cast<ssize_t>(done) : -EIO;
    done += static_cast<size_t>(n);
  }
  if (done == size) return static_cast<ssize_t>(done);
  // Fallback for targets that refuse splice (e.g. O_APPEND files): bounce through memory.
  std::vector<char> tmp(size - done);
  ssize_t got = drainPipe(pipeFd, tmp.data(), tmp.size());
  if (got < 0) return got;
  ssize_t w = pwriteAll(fd, tmp.data(), tmp.size(), offset + static_cast<off_t>(done));
  if (w < 0) return done ? static_cast<ssize_t>(done) : w;
  return static_cast<ssize_t>(done) + w;
}

}  // namespace lfp
