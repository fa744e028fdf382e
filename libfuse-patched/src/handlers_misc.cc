// SPDX-License-Identifier: GPL-3.0-or-later
// Handlers for locks, bmap, ioctl, poll, syncfs, and the protocol's housekeeping requests
// (INTERRUPT, NOTIFY_REPLY, DESTROY, and opcodes this library answers ENOSYS).
#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <climits>

#include "libfuse-patched/common/log.h"
#include "libfuse-patched/src/handlers.h"

namespace lfp::detail {
namespace {

struct flock toFlock(const fuse_file_lock& l) {
  struct flock f {};
  f.l_type = static_cast<short>(l.type);
  f.l_whence = SEEK_SET;
  f.l_start = static_cast<off_t>(l.start);
  f.l_len = l.end == static_cast<uint64_t>(LLONG_MAX) ? 0 : static_cast<off_t>(l.end - l.start + 1);
  f.l_pid = static_cast<pid_t>(l.pid);
  return f;
}

// The kernel always sends start <= end <= OFFSET_MAX; anything else is malformed.
bool validRange(Dispatch& d, const Decoded& in, const fuse_file_lock& l) {
  if (l.start <= l.end && l.end <= static_cast<uint64_t>(LLONG_MAX)) return true;
  d.request(in).replyErr(EINVAL);
  return false;
}

}  // namespace

void doGetlk(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_lk_in>();
  if (!validRange(d, in, a.lk)) return;
  d.ops().getlk(d.request(in), in.h.nodeid, fileInfo(a.fh, 0, a.owner), toFlock(a.lk));
}

// SETLK/SETLKW carry both fcntl locks and (with FUSE_LK_FLOCK) BSD flock()s.
void doSetlk(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_lk_in>();
  if (!validRange(d, in, a.lk)) return;
  bool sleep = in.h.opcode == FUSE_SETLKW;
  FileInfo fi = fileInfo(a.fh, 0, a.owner);
  if (a.lk_flags & FUSE_LK_FLOCK) {
    int op = a.lk.type == F_RDLCK ? LOCK_SH : a.lk.type == F_WRLCK ? LOCK_EX : LOCK_UN;
    if (!sleep) op |= LOCK_NB;
    d.ops().flock(d.request(in), in.h.nodeid, fi, op);
    return;
  }
  d.ops().setlk(d.request(in), in.h.nodeid, fi, toFlock(a.lk), sleep);
}

void doBmap(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_bmap_in>();
  d.ops().bmap(d.request(in), in.h.nodeid, a.blocksize, a.block);
}

void doIoctl(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_ioctl_in>();
  d.ops().ioctl(d.request(in), in.h.nodeid, a.cmd, reinterpret_cast<void*>(a.arg), fileInfo(a.fh),
                a.flags, in.payload, in.payloadSize, a.out_size);
}

void doPoll(Dispatch& d, const Decoded& in) {
  const auto& a = in.as<fuse_poll_in>();
  uint64_t handle = (a.flags & FUSE_POLL_SCHEDULE_NOTIFY) ? a.kh : 0;
  d.ops().poll(d.request(in), in.h.nodeid, fileInfo(a.fh), handle, a.events);
}

// Marks the target interrupted. If it is not (yet) being served, EAGAIN makes the kernel send
// the INTERRUPT again later; if it was already answered, the kernel ignores that reply.
void doInterrupt(Dispatch& d, const Decoded& in) {
  uint64_t target = in.as<fuse_interrupt_in>().unique;
  if (!d.session.inflight.interrupt(target)) d.sink.send(in.h.unique, -EAGAIN, nullptr, 0);
}

void doNotifyReply(Dispatch& d, const Decoded& in) {
  uint64_t cookie = 0;
  bool known = false;
  {
    std::lock_guard<std::mutex> g(d.session.retrieveMu);
    auto it = d.session.retrieves.find(in.h.unique);
    if (it != d.session.retrieves.end()) {
      cookie = it->second;
      known = true;
      d.session.retrieves.erase(it);
    }
  }
  if (!known) {
    log(kLogWarning, "NOTIFY_REPLY for unknown retrieve %llu ignored",
        static_cast<unsigned long long>(in.h.unique));
    return;
  }
  const auto& a = in.as<fuse_notify_retrieve_in>();
  d.ops().retrieveReply(cookie, in.h.nodeid, static_cast<off_t>(a.offset), in.payload,
                        in.payloadSize);
}

void doDestroy(Dispatch& d, const Decoded& in) {
  if (!d.session.destroyed.exchange(true)) d.ops().destroy();
  d.request(in).replyOk();
}

void doSyncfs(Dispatch& d, const Decoded& in) { d.ops().syncfs(d.request(in), in.h.nodeid); }

void doUnsupported(Dispatch& d, const Decoded& in) { d.request(in).replyErr(ENOSYS); }

}  // namespace lfp::detail
