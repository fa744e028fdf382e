// SPDX-License-Identifier: GPL-3.0-or-later
// /dev/fuse worker threads: blocking read (or splice) of one request at a time into a pooled
// buffer, dispatch, and a clean end on unmount (ENODEV) or when the session stops.
#include "libfuse-patched/src/worker.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "libfuse-patched/common/log.h"

namespace lfp::detail {
namespace {

void noopHandler(int) {}

bool readFull(int fd, char* p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

void drainPipe(int fd) {
  int left = 0;
  char scratch[65536];
  while (ioctl(fd, FIONREAD, &left) == 0 && left > 0)
    if (::read(fd, scratch, sizeof scratch) <= 0) break;
}

}  // namespace

int wakeSignal() { return SIGRTMIN + 4; }

void installWakeHandler() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = noopHandler;  // no SA_RESTART: a blocked read returns EINTR
  sigemptyset(&sa.sa_mask);
  sigaction(wakeSignal(), &sa, nullptr);
}

BufferPool::State::~State() {
  for (char* p : free) std::free(p);
}

BufferPool::BufferPool(size_t size) : state_(std::make_shared<State>()) {
  state_->size = (size + 4095) & ~size_t{4095};
}

std::shared_ptr<char> BufferPool::get() {
  char* p = nullptr;
  {
    std::lock_guard<std::mutex> g(state_->mu);
    if (!state_->free.empty()) {
      p = state_->free.back();
      state_->free.pop_back();
    }
  }
  if (!p) p = static_cast<char*>(std::aligned_alloc(4096, state_->size));
  if (!p) throw std::bad_alloc();
  std::shared_ptr<State> st = state_;
  return std::shared_ptr<char>(p, [st](char* q) {
    std::lock_guard<std::mutex> g(st->mu);
    st->free.push_back(q);
  });
}

Worker::Worker(Session::Impl& s, Channel* channel, std::unique_ptr<Channel> owned, BufferPool& pool)
    : s_(s), channel_(owned ? owned.get() : channel), owned_(std::move(owned)), pool_(pool) {}

Worker::~Worker() {
  stopAndJoin();
  for (int fd : pipe_)
    if (fd >= 0) ::close(fd);
}

void Worker::start() {
  running_ = true;
  thread_ = std::thread([this] {
    run();
    done_ = true;
  });
  tid_ = thread_.native_handle();
}

void Worker::stopAndJoin() {
  if (!thread_.joinable()) return;
  while (!done_.load()) {
    pthread_kill(tid_, wakeSignal());
    usleep(2000);
  }
  thread_.join();
}

bool Worker::setupSplice() {
  if (pipe2(pipe_, O_CLOEXEC) != 0) return false;
  // A whole request must fit into the pipe; beyond fs.pipe-max-size this needs CAP_SYS_RESOURCE.
  int want = static_cast<int>(s_.bufSize + 4096);
  if (fcntl(pipe_[1], F_SETPIPE_SZ, want) < want) {
    log(kLogWarning, "splice read disabled: a %d-byte pipe was refused (%s)", want,
        std::strerror(errno));
    ::close(pipe_[0]);
    ::close(pipe_[1]);
    pipe_[0] = pipe_[1] = -1;
    return false;
  }
  return true;
}

void Worker::run() {
  std::shared_ptr<char> buf = pool_.get();
  bool splice = s_.opts.splice && (s_.kernelFlags & FUSE_SPLICE_READ) && setupSplice();
  const int fd = channel_->fd();
  while (!s_.stopping.load(std::memory_order_relaxed)) {
    if (splice) {
      if (!spliceOnce(buf)) break;
      continue;
    }
    char* req = buf.get() + kRequestOffset;
    ssize_t n = ::read(fd, req, s_.bufSize);
    if (n < 0) {
      int e = errno;
      if (e == EINTR || e == EAGAIN || e == ENOENT) continue;  // ENOENT: request was aborted
      if (e != ENODEV && e != ECONNABORTED) {
        error_ = e;
        log(kLogError, "reading /dev/fuse: %s", std::strerror(e));
      }
      break;  // ENODEV: unmounted
    }
    processBuffer(s_, *channel_, req, static_cast<size_t>(n), buf);
    if (buf.use_count() > 1) buf = pool_.get();  // the filesystem kept a WRITE's data
  }
  s_.wake();
}

bool Worker::spliceOnce(std::shared_ptr<char>& buf) {
  const int fd = channel_->fd();
  ssize_t n = ::splice(fd, nullptr, pipe_[1], nullptr, s_.bufSize, SPLICE_F_MOVE);
  if (n < 0) {
    int e = errno;
    if (e == EINTR || e == EAGAIN || e == ENOENT) return true;
    if (e != ENODEV && e != ECONNABORTED) {
      error_ = e;
      log(kLogError, "splicing from /dev/fuse: %s", std::strerror(e));
    }
    return false;
  }
  size_t len = static_cast<size_t>(n);
  constexpr size_t kHdr = sizeof(fuse_in_header);
  constexpr size_t kWriteHdr = kHdr + sizeof(fuse_write_in);
  char* p = buf.get() + kRequestOffset;
  size_t head = len < kHdr ? len : kHdr;
  if (!readFull(pipe_[0], p, head)) {
    drainPipe(pipe_[0]);
    return true;
  }
  uint32_t opcode = 0;
  if (head == kHdr) std::memcpy(&opcode, p + offsetof(fuse_in_header, opcode), sizeof opcode);
  // WRITE data stays in the pipe for WriteData::writeTo to splice onwards.
  if (opcode == FUSE_WRITE && len > kWriteHdr) {
    if (!readFull(pipe_[0], p + kHdr, sizeof(fuse_write_in))) {
      drainPipe(pipe_[0]);
      return true;
    }
    Decoded d;
    DecodeStatus st = decodeSplicedWrite(s_.dctx, p, kWriteHdr, pipe_[0], len - kWriteHdr, d);
    processDecoded(s_, *channel_, st, d, nullptr);
    drainPipe(pipe_[0]);  // whatever the filesystem did not consume
    return true;
  }
  if (len > head && !readFull(pipe_[0], p + head, len - head)) {
    drainPipe(pipe_[0]);
    return true;
  }
  processBuffer(s_, *channel_, p, len, buf);
  if (buf.use_count() > 1) buf = pool_.get();
  return true;
}

}  // namespace lfp::detail
