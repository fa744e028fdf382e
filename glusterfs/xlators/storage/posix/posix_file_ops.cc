// SPDX-License-Identifier: GPL-3.0-or-later
// storage/posix: open files and their data (read, write, sync, allocate, seek, checksum).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "glusterfs/core/checksum.h"
#include "glusterfs/core/fd.h"
#include "glusterfs/xlators/storage/posix/posix_handles.h"
#include "glusterfs/xlators/storage/posix/posix_xlator.h"

namespace gf {
namespace {

constexpr size_t kDirectAlign = 4096;

// Buffers for O_DIRECT bricks must be aligned; others need not be.
Payload allocateBuffer(size_t size, bool aligned) {
  if (!aligned) return Payload::allocate(size);
  size_t rounded = (size + kDirectAlign - 1) & ~(kDirectAlign - 1);
  void* mem = std::aligned_alloc(kDirectAlign, rounded ? rounded : kDirectAlign);
  if (!mem) throw std::bad_alloc();
  std::shared_ptr<char> owner(static_cast<char*>(mem), [](char* p) { std::free(p); });
  Payload p;
  p.append(Payload::Slice{std::shared_ptr<const void>(owner, owner.get()), owner.get(), size});
  return p;
}

}  // namespace

Result<Empty> PosixXlator::openSync(const CallCtx&, const OpenReq& r) {
  GF_TRY(auto h, handles_->resolve(r.loc));
  if (h->type == S_IFLNK) return fail(ELOOP);
  int acc = r.flags & O_ACCMODE;
  if (h->type == S_IFDIR && acc != O_RDONLY) return fail(EISDIR);
  // The handle's /proc entry reopens exactly the pinned inode; O_NOFOLLOW would refuse the
  // magic link itself, and creation flags make no sense on an existing inode.
  int flags = r.flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW | O_DIRECT);
  if (config_.oDirect && h->type == S_IFREG) flags |= O_DIRECT;
  int fd = ::open(PosixHandles::procPath(h->fd).c_str(), flags | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  auto ctx = std::make_shared<PosixFdCtx>();
  ctx->fd = fd;
  PosixHandles::keepHandle(*ctx, h);
  r.fd->ctx().set(this, ctx);
  handles_->attach(r.loc.inode, h);
  return Empty{};
}

Result<ReadvReply> PosixXlator::readvSync(const CallCtx&, const ReadvReq& r) {
  auto* f = handles_->fdCtx(r.fd);
  if (!f) return fail(EBADF);
  if (r.size > (1ull << 31)) return fail(EINVAL);
  Payload buf = allocateBuffer(r.size, config_.oDirect);
  size_t got = 0;
  while (got < r.size) {
    ssize_t n = pread(f->fd, buf.mutableData() + got, r.size - got,
                      static_cast<off_t>(r.offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  buf.truncate(got);
  return ReadvReply{std::move(buf)};
}

Result<WriteReply> PosixXlator::writevSync(const CallCtx&, const WritevReq& r) {
  auto* f = handles_->fdCtx(r.fd);
  if (!f) return fail(EBADF);
  std::vector<iovec> iov = r.data.iovecs();
  size_t total = r.data.size(), done = 0;
  size_t first = 0;
  while (done < total) {
    int cnt = static_cast<int>(std::min<size_t>(iov.size() - first, IOV_MAX));
    ssize_t n = pwritev(f->fd, iov.data() + first, cnt, static_cast<off_t>(r.offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (done > 0) break;  // report the short write; the caller retries the rest
      return fail(errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
    // Skip the iovecs this call consumed.
    size_t left = static_cast<size_t>(n);
    while (left > 0 && first < iov.size()) {
      if (left >= iov[first].iov_len) {
        left -= iov[first].iov_len;
        ++first;
      } else {
        iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
        iov[first].iov_len -= left;
        left = 0;
      }
    }
  }
  return WriteReply{done};
}

Result<Empty> PosixXlator::flushSync(const CallCtx&, const FlushReq& r) {
  if (!handles_->fdCtx(r.fd)) return fail(EBADF);
  return Empty{};
}

Result<Empty> PosixXlator::fsyncSync(const CallCtx&, const FsyncReq& r) {
  auto* f = handles_->fdCtx(r.fd);
  if (!f) return fail(EBADF);
  if ((r.datasync ? fdatasync(f->fd) : ::fsync(f->fd)) < 0) return fail(errno);
  return Empty{};
}

Result<Empty> PosixXlator::fallocateSync(const CallCtx&, const FallocateReq& r) {
  auto* f = handles_->fdCtx(r.fd);
  if (!f) return fail(EBADF);
  // Whatever mode the brick filesystem cannot do fails with its own error (EOPNOTSUPP),
  // never a success that changed nothing.
  if (::fallocate(f->fd, r.mode, static_cast<off_t>(r.offset), static_cast<off_t>(r.len)) < 0)
    return fail(errno);
  return Empty{};
}

Result<LseekReply> PosixXlator::lseekSync(const CallCtx&, const LseekReq& r) {
  auto* f = handles_->fdCtx(r.fd);
  if (!f) return fail(EBADF);
  if (r.whence != SEEK_DATA && r.whence != SEEK_HOLE && r.whence != SEEK_SET &&
      r.whence != SEEK_END && r.whence != SEEK_CUR)
    return fail(EINVAL);
  off_t off = ::lseek(f->fd, static_cast<off_t>(r.offset), r.whence);
  if (off < 0) return fail(errno);
  return LseekReply{static_cast<uint64_t>(off)};
}

Result<RchecksumReply> PosixXlator::rchecksumSync(const CallCtx& c, const RchecksumReq& r) {
  GF_TRY(auto data, readvSync(c, ReadvReq{r.fd, r.len, r.offset, 0}));
  std::string bytes = data.data.str();
  return RchecksumReply{adler32(bytes.data(), bytes.size()),
                        strongHash128(bytes.data(), bytes.size())};
}

}  // namespace gf
