// SPDX-License-Identifier: GPL-3.0-or-later
// lfp::Request over a libfuse3 fuse_req_t: every reply maps to its fuse_reply_* call.
#include <linux/fuse.h>

#include <cerrno>
#include <cstring>

#include "libfuse-patched/common/log.h"
#include "libfuse-patched/stock/stock_session.h"

namespace lfp {

namespace detail {

void toFileInfo(const fuse_file_info* in, FileInfo& out) {
  out = FileInfo{};
  if (!in) return;
  out.flags = in->flags;
  out.fh = in->fh;
  out.lockOwner = in->lock_owner;
  out.directIo = in->direct_io;
  out.keepCache = in->keep_cache;
  out.nonSeekable = in->nonseekable;
  out.cacheDir = in->cache_readdir;
  out.noFlush = in->noflush;
  out.flush = in->flush;
  out.flockRelease = in->flock_release;
}

void toFuseFileInfo(const FileInfo& in, fuse_file_info& out) {
  out.fh = in.fh;
  out.direct_io = in.directIo;
  out.keep_cache = in.keepCache;
  out.nonseekable = in.nonSeekable;
  out.cache_readdir = in.cacheDir;
  out.noflush = in.noFlush;
  // libfuse 3.14 has no FOPEN_PARALLEL_DIRECT_WRITES and no passthrough: those stay off.
}

namespace {

void toEntryParam(const Entry& e, fuse_entry_param& p) {
  std::memset(&p, 0, sizeof p);
  p.ino = e.ino;
  p.generation = e.generation;
  p.attr = e.attr;
  p.attr_timeout = e.attrTimeout;
  p.entry_timeout = e.entryTimeout;
}

}  // namespace
}  // namespace detail

Request::Request(std::unique_ptr<detail::RequestState> s) : state_(std::move(s)) {}
Request::Request(Request&&) noexcept = default;
Request& Request::operator=(Request&& o) noexcept {
  if (this != &o) {
    if (state_) replyErr(EIO);  // overwriting an unanswered request drops it
    state_ = std::move(o.state_);
  }
  return *this;
}

Request::~Request() {
  if (!state_) return;
  state_->session->dropped.fetch_add(1, std::memory_order_relaxed);
  detail::log(kLogError, "request %s (unique %llu) dropped without a reply; answering EIO",
              opcodeName(state_->opcode), static_cast<unsigned long long>(unique()));
  fuse_reply_err(state_->req, EIO);
}

static const Context kNoContext{};

const Context& Request::ctx() const { return state_ ? state_->ctx : kNoContext; }
uint64_t Request::unique() const { return 0; }  // libfuse 3.14 does not expose it
uint32_t Request::opcode() const { return state_ ? state_->opcode : 0; }
bool Request::interrupted() const { return state_ && fuse_req_interrupted(state_->req); }

// Each reply consumes the state; a second reply on the same Request is a no-op (logged).
#define LFP_TAKE_REQ()                                                       \
  if (!state_) {                                                             \
    detail::log(kLogError, "reply on an already answered or empty request"); \
    return;                                                                  \
  }                                                                          \
  fuse_req_t req = state_->req;                                              \
  state_.reset()

void Request::replyErr(int err) {
  LFP_TAKE_REQ();
  fuse_reply_err(req, err < 0 ? -err : err);
}

void Request::replyEntry(const Entry& e) {
  LFP_TAKE_REQ();
  fuse_entry_param p;
  detail::toEntryParam(e, p);
  fuse_reply_entry(req, &p);
}

void Request::replyCreate(const Entry& e, const FileInfo& fi) {
  LFP_TAKE_REQ();
  fuse_entry_param p;
  detail::toEntryParam(e, p);
  fuse_file_info ffi;
  std::memset(&ffi, 0, sizeof ffi);
  ffi.flags = fi.flags;
  detail::toFuseFileInfo(fi, ffi);
  fuse_reply_create(req, &p, &ffi);
}

void Request::replyAttr(const struct stat& attr, double timeout) {
  LFP_TAKE_REQ();
  fuse_reply_attr(req, &attr, timeout);
}

void Request::replyReadlink(std::string_view target) {
  LFP_TAKE_REQ();
  std::string t(target);
  fuse_reply_readlink(req, t.c_str());
}

void Request::replyOpen(const FileInfo& fi) {
  LFP_TAKE_REQ();
  fuse_file_info ffi;
  std::memset(&ffi, 0, sizeof ffi);
  ffi.flags = fi.flags;
  detail::toFuseFileInfo(fi, ffi);
  fuse_reply_open(req, &ffi);
}

void Request::replyWrite(size_t count) {
  LFP_TAKE_REQ();
  fuse_reply_write(req, count);
}

void Request::replyBuf(const void* data, size_t size) {
  LFP_TAKE_REQ();
  fuse_reply_buf(req, static_cast<const char*>(data), size);
}

void Request::replyIov(const struct iovec* iov, int count) {
  LFP_TAKE_REQ();
  fuse_reply_iov(req, iov, count);
}

void Request::replyFd(int fd, off_t offset, size_t size) {
  LFP_TAKE_REQ();
  fuse_bufvec bv = FUSE_BUFVEC_INIT(size);
  bv.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  bv.buf[0].fd = fd;
  bv.buf[0].pos = offset;
  fuse_reply_data(req, &bv, FUSE_BUF_SPLICE_MOVE);
}

void Request::replyStatfs(const struct statvfs& st) {
  LFP_TAKE_REQ();
  fuse_reply_statfs(req, &st);
}

void Request::replyXattrSize(size_t size) {
  LFP_TAKE_REQ();
  fuse_reply_xattr(req, size);
}

void Request::replyLock(const struct flock& lock) {
  LFP_TAKE_REQ();
  fuse_reply_lock(req, &lock);
}

void Request::replyBmap(uint64_t block) {
  LFP_TAKE_REQ();
  fuse_reply_bmap(req, block);
}

void Request::replyLseek(off_t off) {
  LFP_TAKE_REQ();
  fuse_reply_lseek(req, off);
}

void Request::replyPoll(uint32_t revents) {
  LFP_TAKE_REQ();
  fuse_reply_poll(req, revents);
}

void Request::replyIoctl(int result, const void* data, size_t size) {
  LFP_TAKE_REQ();
  fuse_reply_ioctl(req, result, data, size);
}

void Request::replyNone() {
  uint32_t op = opcode();
  LFP_TAKE_REQ();
  if (op == FUSE_FORGET || op == FUSE_BATCH_FORGET || op == FUSE_NOTIFY_REPLY) {
    fuse_reply_none(req);
    return;
  }
  // Any other request would leave the calling process waiting forever.
  detail::log(kLogError, "replyNone on %s: answering EIO instead", opcodeName(op));
  fuse_reply_err(req, EIO);
}

#undef LFP_TAKE_REQ

}  // namespace lfp
