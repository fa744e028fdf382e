// SPDX-License-Identifier: GPL-3.0-or-later
// lfp::Session over libfuse3: fuse_session_new/mount/loop_mt (cloned fds) and its notifications.
#include "libfuse-patched/stock/stock_session.h"

#include <linux/fuse.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "libfuse-patched/common/caps.h"
#include "libfuse-patched/common/log.h"

namespace lfp {
namespace {

// Interrupts the thread blocked in fuse_session_loop_mt so it notices fuse_session_exit.
int wakeSignal() { return SIGRTMIN + 4; }
void noopHandler(int) {}

void installWakeHandler() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = noopHandler;  // no SA_RESTART: blocking calls return EINTR
  sigemptyset(&sa.sa_mask);
  sigaction(wakeSignal(), &sa, nullptr);
}

void atomicMax(std::atomic<uint64_t>& m, uint64_t v) {
  uint64_t cur = m.load(std::memory_order_relaxed);
  while (v > cur && !m.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

std::string mountOptionString(const MountOptions& m, bool debug) {
  std::vector<std::string> o;
  o.push_back("fsname=" + m.fsname);
  if (!m.subtype.empty()) o.push_back("subtype=" + m.subtype);
  if (m.allowOther) o.push_back("allow_other");
  if (m.defaultPermissions) o.push_back("default_permissions");
  if (m.readOnly) o.push_back("ro");
  if (m.maxRead) o.push_back("max_read=" + std::to_string(m.maxRead));
  if (debug) o.push_back("debug");
  for (const std::string& e : m.extra) o.push_back(e);
  std::string out;
  for (const std::string& s : o) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

}  // namespace

void Session::Impl::count(uint32_t opcode, uint64_t size) {
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

Session::Session(Operations& ops, SessionOptions opts) : impl_(std::make_unique<Impl>(ops, opts)) {
  impl_->exitFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

Session::~Session() {
  if (impl_->mounted) unmount();
  if (impl_->se) fuse_session_destroy(impl_->se);
  if (impl_->exitFd >= 0) ::close(impl_->exitFd);
}

bool Session::mount(const MountOptions& opts, std::string* error) {
  Impl& s = *impl_;
  if (s.se) {
    if (error) *error = "session already mounted";
    return false;
  }
  if (!detail::checkMountpoint(opts.mountpoint, error)) return false;
  std::string o = mountOptionString(opts, s.opts.debug);
  const char* argv[] = {"lfp-stock", "-o", o.c_str()};
  fuse_args args = FUSE_ARGS_INIT(3, const_cast<char**>(argv));
  s.se = fuse_session_new(&args, &detail::stockOps(), sizeof(fuse_lowlevel_ops), &s);
  if (!s.se) {
    if (error) *error = "fuse_session_new failed (bad mount options: " + o + ")";
    return false;
  }
  if (fuse_session_mount(s.se, opts.mountpoint.c_str()) != 0) {
    fuse_session_destroy(s.se);
    s.se = nullptr;
    if (error) *error = "mounting " + opts.mountpoint + " through libfuse3 failed";
    return false;
  }
  s.mountpoint = opts.mountpoint;
  s.mounted = true;
  return true;
}

int Session::loop() {
  Impl& s = *impl_;
  if (!s.se) return EINVAL;
  installWakeHandler();
  s.loopThread = pthread_self();
  s.loopRunning.store(true);
  // exit() only writes the eventfd (async-signal-safe). This thread then ends the session and
  // interrupts the loop's wait, repeating until the loop has returned: a signal that lands just
  // before the loop blocks, or inside a restarting handler on the loop thread, is not lost.
  std::thread watcher([&s] {
    pollfd p{s.exitFd, POLLIN, 0};
    while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
    if (!s.loopRunning.load()) return;
    fuse_session_exit(s.se);
    while (s.loopRunning.load()) {
      pthread_kill(s.loopThread, wakeSignal());
      usleep(20000);
    }
  });
  fuse_loop_config* cfg = fuse_loop_cfg_create();
  unsigned threads = s.opts.maxThreads;
  if (!threads) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    threads = cpus > 2 ? static_cast<unsigned>(2 * cpus) : 4;
  }
  fuse_loop_cfg_set_clone_fd(cfg, s.opts.cloneFd ? 1 : 0);
  fuse_loop_cfg_set_max_threads(cfg, threads);
  fuse_loop_cfg_set_idle_threads(cfg, threads);
  int rc = fuse_session_loop_mt(s.se, cfg);
  fuse_loop_cfg_destroy(cfg);
  s.loopRunning.store(false);
  uint64_t one = 1;
  (void)!::write(s.exitFd, &one, sizeof one);  // release the watcher if exit() never came
  watcher.join();
  uint64_t drain;
  (void)!::read(s.exitFd, &drain, sizeof drain);  // non-blocking: ready for the next loop()
  fuse_session_reset(s.se);
  if (rc < 0) return -rc == EINTR ? 0 : -rc;
  return 0;
}

void Session::exit() {
  uint64_t one = 1;
  if (impl_->exitFd >= 0) (void)!::write(impl_->exitFd, &one, sizeof one);
}

void Session::unmount() {
  Impl& s = *impl_;
  if (!s.mounted) return;
  fuse_session_unmount(s.se);  // lazy (MNT_DETACH / fusermount3 -u -z)
  s.mounted = false;
}

const ConnectionInfo& Session::conn() const { return impl_->conn; }
const std::string& Session::mountpoint() const { return impl_->mountpoint; }

int Session::notifyInvalInode(Ino ino, off_t off, off_t len) {
  return impl_->se ? fuse_lowlevel_notify_inval_inode(impl_->se, ino, off, len) : -ENOTCONN;
}

int Session::notifyInvalEntry(Ino parent, std::string_view name) {
  if (!impl_->se) return -ENOTCONN;
  std::string n(name);
  return fuse_lowlevel_notify_inval_entry(impl_->se, parent, n.c_str(), n.size());
}

int Session::notifyDelete(Ino parent, Ino child, std::string_view name) {
  if (!impl_->se) return -ENOTCONN;
  std::string n(name);
  return fuse_lowlevel_notify_delete(impl_->se, parent, child, n.c_str(), n.size());
}

int Session::notifyStore(Ino ino, off_t offset, const void* data, size_t size) {
  if (!impl_->se) return -ENOTCONN;
  fuse_bufvec bv = FUSE_BUFVEC_INIT(size);
  bv.buf[0].mem = const_cast<void*>(data);
  return fuse_lowlevel_notify_store(impl_->se, ino, offset, &bv,
                                    static_cast<fuse_buf_copy_flags>(0));
}

int Session::notifyRetrieve(Ino ino, off_t offset, size_t size, uint64_t cookie) {
  if (!impl_->se) return -ENOTCONN;
  return fuse_lowlevel_notify_retrieve(impl_->se, ino, size, offset,
                                       reinterpret_cast<void*>(cookie));
}

int Session::notifyPoll(uint64_t pollHandle) {
  auto* ph = reinterpret_cast<fuse_pollhandle*>(pollHandle);
  if (!ph) return -EINVAL;
  int rc = fuse_lowlevel_notify_poll(ph);
  fuse_pollhandle_destroy(ph);
  return rc;
}

int Session::registerBacking(int) { return -ENOSYS; }  // libfuse 3.14 has no passthrough
int Session::unregisterBacking(int) { return -ENOSYS; }

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
  st.malformed = 0;  // libfuse checks requests itself and does not report malformed ones
  return st;
}

SizeHistogram Session::histogram() const { return impl_->histogram.snapshot(); }

}  // namespace lfp
