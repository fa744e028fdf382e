// SPDX-License-Identifier: GPL-3.0-or-later
// lfp::Session for the native library: mount, the serving loop (INIT, then cloned-fd workers
// or io_uring queues), exit and unmount, and the request statistics.
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "libfuse-patched/common/caps.h"
#include "libfuse-patched/common/log.h"
#include "libfuse-patched/src/channel.h"
#include "libfuse-patched/src/kernel_abi.h"
#include "libfuse-patched/src/mount.h"
#include "libfuse-patched/src/uring.h"
#include "libfuse-patched/src/worker.h"

namespace lfp {
namespace {

void atomicMax(std::atomic<uint64_t>& m, uint64_t v) {
  uint64_t cur = m.load(std::memory_order_relaxed);
  while (v > cur && !m.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

unsigned defaultThreads() {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned n = cpus > 0 ? static_cast<unsigned>(2 * cpus) : 4;
  return n < 4 ? 4 : n;
}

// Reads requests on the master fd until INIT has been answered (or the mount went away).
int serveInit(Session::Impl& s, detail::BufferPool& pool) {
  std::shared_ptr<char> buf = pool.get();
  while (!s.initialized.load()) {
    if (s.stopping.load()) return 0;
    ssize_t n = ::read(s.fd, buf.get() + detail::kRequestOffset, s.bufSize);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ENOENT) continue;
      return errno;
    }
    detail::processBuffer(s, *s.master, buf.get() + detail::kRequestOffset, static_cast<size_t>(n),
                          buf);
    if (buf.use_count() > 1) buf = pool.get();
  }
  return 0;
}

// Buffered reads arrive in read-ahead sized requests; the kernel starts a FUSE mount at
// 128 KiB whatever was negotiated, so as root set it as asked.
void tuneReadahead(Session::Impl& s) {
  if (!s.opts.readahead || geteuid() != 0 || s.mountDevice.empty()) return;
  uint64_t bytes = s.opts.readahead;
  if (s.opts.readahead == SessionOptions::kReadaheadRequestSize)
    bytes = uint64_t{s.conn.maxPages} * static_cast<uint64_t>(getpagesize());
  std::string path = "/sys/class/bdi/" + s.mountDevice + "/read_ahead_kb";
  FILE* f = std::fopen(path.c_str(), "we");
  bool ok = f && std::fprintf(f, "%llu\n", static_cast<unsigned long long>(bytes / 1024)) > 0;
  if (f) ok = std::fclose(f) == 0 && ok;
  if (ok)
    s.conn.maxReadahead = static_cast<uint32_t>(bytes);
  else
    detail::log(kLogWarning, "could not set the read-ahead of %s", s.mountpoint.c_str());
}

}  // namespace

Session::Impl::Impl(Operations& o, SessionOptions so) : ops(o), opts(so) {
  exitFd = eventfd(0, EFD_CLOEXEC);
}

Session::Impl::~Impl() {
  if (exitFd >= 0) ::close(exitFd);
}

void Session::Impl::wake() {
  uint64_t one = 1;
  if (exitFd >= 0) (void)!::write(exitFd, &one, sizeof one);
}

void Session::Impl::countRequest(uint32_t opcode, uint64_t size) {
  requests.fetch_add(1, std::memory_order_relaxed);
  histogram.record(opcode, size);
  if (opcode == FUSE_READ) {
    readRequests.fetch_add(1, std::memory_order_relaxed);
    atomicMax(maxReadSize, size);
  } else if (opcode == FUSE_WRITE) {
    writeRequests.fetch_add(1, std::memory_order_relaxed);
    atomicMax(maxWriteSize, size);
  } else if (opcode == FUSE_READDIR || opcode == FUSE_READDIRPLUS) {
    readdirRequests.fetch_add(1, std::memory_order_relaxed);
    atomicMax(maxReaddirSize, size);
  }
}

Session::Session(Operations& ops, SessionOptions opts) : impl_(std::make_unique<Impl>(ops, opts)) {}

Session::~Session() {
  Impl& s = *impl_;
  if (s.mounted) detail::unmountFuse(s.mountpoint, s.viaFusermount, true, s.fd, s.mountDevice);
  s.uring.reset();
  s.master.reset();
  if (s.fd >= 0) ::close(s.fd);
}

bool Session::mount(const MountOptions& opts, std::string* error) {
  Impl& s = *impl_;
  if (s.mounted) {
    if (error) *error = "session already mounted";
    return false;
  }
  if (!detail::checkMountpoint(opts.mountpoint, error)) return false;
  // The kernel fixes a connection's page limit when it is mounted: raise it first.
  unsigned limit = abi::maxPagesLimit();
  if (s.opts.raiseMaxPagesLimit && s.opts.maxPages > limit && geteuid() == 0)
    limit = abi::raiseMaxPagesLimit(s.opts.maxPages);
  s.requestedPages = s.opts.maxPages && s.opts.maxPages < limit ? s.opts.maxPages : limit;
  s.bufSize = static_cast<size_t>(s.requestedPages) * static_cast<size_t>(getpagesize()) + 4096;
  if (s.bufSize < 8192 + 4096) s.bufSize = 8192 + 4096;
  detail::MountResult r = detail::mountFuse(opts, error);
  if (r.fd < 0) return false;
  s.fd = r.fd;
  s.viaFusermount = r.viaFusermount;
  s.mountDevice = r.device;
  s.master = std::make_unique<detail::Channel>(s.fd, false);
  s.mountOpts = opts;
  s.mountpoint = opts.mountpoint;
  s.mounted = true;
  return true;
}

int Session::loop() {
  Impl& s = *impl_;
  if (s.fd < 0) return EINVAL;
  detail::installWakeHandler();
  s.stopping = false;
  detail::BufferPool pool(detail::kRequestOffset + s.bufSize);
  if (int e = serveInit(s, pool)) return e == ENODEV ? 0 : e;
  tuneReadahead(s);
  if (s.opts.splice && (s.kernelFlags & FUSE_SPLICE_WRITE)) s.master->setSpliceThreshold(65536);

  std::vector<std::unique_ptr<detail::Worker>> workers;
  unsigned n = s.opts.maxThreads ? s.opts.maxThreads : defaultThreads();
  if (s.kernelFlags & abi::kOverIoUring) {
    s.uring = std::make_unique<detail::UringEngine>(s);
    std::string err;
    if (s.uring->start(&err)) {
      s.uringQueues = s.uring->queues();
      // Forgets and interrupts still come through /dev/fuse, as does anything sent before
      // every queue was registered.
      n = 2;
    } else {
      detail::log(kLogWarning, "io_uring unavailable, serving /dev/fuse instead: %s", err.c_str());
      s.uring.reset();
    }
  }
  for (unsigned i = 0; i < n; ++i) {
    std::unique_ptr<detail::Channel> clone;
    if (i > 0 && s.opts.cloneFd) {
      std::string err;
      clone = detail::Channel::cloneOf(s.fd, &err);
      if (!clone) detail::log(kLogWarning, "sharing the mount's fd: %s", err.c_str());
    }
    if (clone && s.opts.splice && (s.kernelFlags & FUSE_SPLICE_WRITE))
      clone->setSpliceThreshold(65536);
    workers.push_back(std::make_unique<detail::Worker>(s, s.master.get(), std::move(clone), pool));
    workers.back()->start();
  }
  // Sleep until exit() or a worker that saw the mount go away.
  uint64_t v;
  while (::read(s.exitFd, &v, sizeof v) < 0 && errno == EINTR) {
  }
  s.stopping = true;
  int rc = 0;
  for (auto& w : workers) {
    w->stopAndJoin();
    if (w->failed() && !rc) rc = w->error();
  }
  workers.clear();
  if (s.uring) s.uring->stop();
  if (!s.destroyed.exchange(true)) s.ops.destroy();
  return rc;
}

void Session::exit() { impl_->wake(); }

void Session::unmount() {
  Impl& s = *impl_;
  if (!s.mounted) return;
  detail::unmountFuse(s.mountpoint, s.viaFusermount, false, s.fd, s.mountDevice);
  s.mounted = false;
}

const ConnectionInfo& Session::conn() const { return impl_->conn; }
const std::string& Session::mountpoint() const { return impl_->mountpoint; }

Session::Stats Session::stats() const {
  const Impl& s = *impl_;
  Stats st;
  st.requests = s.requests.load();
  st.readRequests = s.readRequests.load();
  st.writeRequests = s.writeRequests.load();
  st.readdirRequests = s.readdirRequests.load();
  st.maxReadSize = s.maxReadSize.load();
  st.maxWriteSize = s.maxWriteSize.load();
  st.maxReaddirSize = s.maxReaddirSize.load();
  st.droppedWithoutReply = s.dropped.load();
  st.malformed = s.malformed.load();
  st.uringRequests = s.uringRequests.load();
  st.uringQueues = s.uringQueues.load();
  return st;
}

SizeHistogram Session::histogram() const { return impl_->histogram.snapshot(); }

}  // namespace lfp
