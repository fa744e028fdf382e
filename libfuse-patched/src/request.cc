// SPDX-License-Identifier: GPL-3.0-or-later
// lfp::Request for the native library: each reply encodes the kernel's reply struct and hands
// it to the request's sink, exactly once; a request dropped unanswered is logged and gets EIO.
#include <linux/fuse.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "libfuse-patched/common/attr.h"
#include "libfuse-patched/common/log.h"
#include "libfuse-patched/src/kernel_abi.h"
#include "libfuse-patched/src/session_impl.h"

namespace lfp {
namespace {

// Errors the kernel accepts are 1..511 (as negative numbers); anything else becomes EIO.
int sanitizeErr(int err) {
  if (err < 0) err = -err;
  if (err >= 512) return EIO;
  return err;
}

uint32_t openFlags(const FileInfo& fi) {
  uint32_t f = 0;
  if (fi.directIo) f |= FOPEN_DIRECT_IO;
  if (fi.keepCache) f |= FOPEN_KEEP_CACHE;
  if (fi.nonSeekable) f |= FOPEN_NONSEEKABLE;
  if (fi.cacheDir) f |= FOPEN_CACHE_DIR;
  if (fi.noFlush) f |= FOPEN_NOFLUSH;
  if (fi.parallelDirectWrites) f |= abi::kFopenParallelDirectWrites;
  if (fi.backingId > 0) f |= abi::kFopenPassthrough;
  return f;
}

abi::OpenOut toOpenOut(const FileInfo& fi) {
  abi::OpenOut o{};
  o.fh = fi.fh;
  o.open_flags = openFlags(fi);
  o.backing_id = fi.backingId > 0 ? fi.backingId : 0;
  return o;
}

static const Context kNoContext{};

}  // namespace

Request::Request(std::unique_ptr<detail::RequestState> s) : state_(std::move(s)) {}
Request::Request(Request&&) noexcept = default;

Request& Request::operator=(Request&& o) noexcept {
  if (this != &o) {
    if (state_) {
      state_->session->dropped.fetch_add(1, std::memory_order_relaxed);
      detail::log(kLogError, "request %s overwritten without a reply; answering EIO",
                  opcodeName(state_->opcode));
      replyErr(EIO);
    }
    state_ = std::move(o.state_);
  }
  return *this;
}

Request::~Request() {
  if (!state_) return;
  state_->session->dropped.fetch_add(1, std::memory_order_relaxed);
  detail::log(kLogError, "request %s (unique %llu) dropped without a reply; answering EIO",
              opcodeName(state_->opcode), static_cast<unsigned long long>(state_->unique));
  replyErr(EIO);
}

const Context& Request::ctx() const { return state_ ? state_->ctx : kNoContext; }
uint64_t Request::unique() const { return state_ ? state_->unique : 0; }
uint32_t Request::opcode() const { return state_ ? state_->opcode : 0; }
bool Request::interrupted() const {
  return state_ && state_->session->inflight.interrupted(state_->unique);
}

// Takes the state (so a second reply is a logged no-op), sends, and retires the request.
#define LFP_SEND(error, iov, count)                                              \
  do {                                                                           \
    if (!state_) {                                                               \
      detail::log(kLogError, "reply on an already answered or empty request");   \
      return;                                                                    \
    }                                                                            \
    std::unique_ptr<detail::RequestState> st = std::move(state_);                \
    st->session->inflight.remove(st->unique);                                    \
    int rc_ = st->sink->send(st->unique, (error), (iov), (count));               \
    if (rc_ < 0 && rc_ != -ENOENT)                                               \
      detail::log(kLogWarning, "reply to %s failed: %s", opcodeName(st->opcode), \
                  std::strerror(-rc_));                                          \
  } while (0)

void Request::replyErr(int err) {
  int e = sanitizeErr(err);
  LFP_SEND(-e, nullptr, 0);
}

void Request::replyEntry(const Entry& e) {
  fuse_entry_out out;
  detail::toEntryOut(e, out);
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyCreate(const Entry& e, const FileInfo& fi) {
  struct {
    fuse_entry_out entry;
    abi::OpenOut open;
  } out;
  detail::toEntryOut(e, out.entry);
  out.open = toOpenOut(fi);
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyAttr(const struct stat& attr, double timeout) {
  fuse_attr_out out;
  std::memset(&out, 0, sizeof out);
  detail::splitTimeout(timeout, out.attr_valid, out.attr_valid_nsec);
  detail::toFuseAttr(attr, out.attr);
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyReadlink(std::string_view target) {
  iovec iov{const_cast<char*>(target.data()), target.size()};
  LFP_SEND(0, &iov, 1);
}

void Request::replyOpen(const FileInfo& fi) {
  abi::OpenOut out = toOpenOut(fi);
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyWrite(size_t count) {
  if (state_ && state_->opcode == abi::kOpCopyFileRange64) {
    abi::CopyFileRangeOut out{count};
    iovec iov{&out, sizeof out};
    LFP_SEND(0, &iov, 1);
    return;
  }
  fuse_write_out out{};
  out.size = count > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(count);
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyBuf(const void* data, size_t size) {
  iovec iov{const_cast<void*>(data), size};
  LFP_SEND(0, size ? &iov : nullptr, size ? 1 : 0);
}

void Request::replyIov(const struct iovec* iov, int count) { LFP_SEND(0, iov, count); }

void Request::replyFd(int fd, off_t offset, size_t size) {
  if (!state_) {
    detail::log(kLogError, "reply on an already answered or empty request");
    return;
  }
  std::unique_ptr<detail::RequestState> st = std::move(state_);
  st->session->inflight.remove(st->unique);
  int rc = st->sink->sendFd(st->unique, fd, offset, size);
  if (rc < 0 && rc != -ENOENT)
    detail::log(kLogWarning, "data reply to %s failed: %s", opcodeName(st->opcode),
                std::strerror(-rc));
}

void Request::replyStatfs(const struct statvfs& st) {
  fuse_statfs_out out;
  detail::toKstatfs(st, out.st);
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyXattrSize(size_t size) {
  fuse_getxattr_out out{};
  out.size = static_cast<uint32_t>(size);
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyLock(const struct flock& lock) {
  fuse_lk_out out{};
  out.lk.type = static_cast<uint32_t>(lock.l_type);
  if (lock.l_type != F_UNLCK) {
    // Unsigned arithmetic: the filesystem's answer may be any range, and a negative l_len
    // (the range ends before l_start, as POSIX allows) must not overflow.
    uint64_t start = static_cast<uint64_t>(lock.l_start);
    uint64_t len = static_cast<uint64_t>(lock.l_len);
    if (lock.l_len < 0) {
      start += len;
      len = 0 - len;
    }
    out.lk.start = start;
    out.lk.end = lock.l_len == 0 ? static_cast<uint64_t>(LLONG_MAX) : start + len - 1;
    out.lk.pid = static_cast<uint32_t>(lock.l_pid);
  }
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyBmap(uint64_t block) {
  fuse_bmap_out out{block};
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyLseek(off_t off) {
  fuse_lseek_out out{static_cast<uint64_t>(off)};
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyPoll(uint32_t revents) {
  fuse_poll_out out{};
  out.revents = revents;
  iovec iov{&out, sizeof out};
  LFP_SEND(0, &iov, 1);
}

void Request::replyIoctl(int result, const void* data, size_t size) {
  fuse_ioctl_out out{};
  out.result = result;
  iovec iov[2] = {{&out, sizeof out}, {const_cast<void*>(data), size}};
  LFP_SEND(0, iov, size ? 2 : 1);
}

// No request that reaches a filesystem as a Request goes unanswered by protocol (forgets and
// NOTIFY_REPLY never become Requests), so this is always a misuse: answer EIO rather than hang.
void Request::replyNone() {
  if (state_)
    detail::log(kLogError, "replyNone on %s: answering EIO instead", opcodeName(state_->opcode));
  replyErr(EIO);
}

#undef LFP_SEND

}  // namespace lfp
