// SPDX-License-Identifier: GPL-3.0-or-later
// Notifications to the kernel (invalidate, delete, store, retrieve, poll) and passthrough
// backing-file registration, all on the mount's own /dev/fuse descriptor.
#include "libfuse-patched/src/notify.h"

#include <sys/ioctl.h>

#include <cerrno>

#include "libfuse-patched/src/channel.h"
#include "libfuse-patched/src/kernel_abi.h"

namespace lfp {
namespace detail {
namespace {

int notify(Session::Impl& s, int code, const iovec* iov, int count) {
  if (s.fd < 0) return -ENOTCONN;
  if (!s.initialized.load()) return -EAGAIN;
  return writeNotify(s.fd, code, iov, count);
}

}  // namespace

int notifyInvalInode(Session::Impl& s, Ino ino, off_t off, off_t len) {
  fuse_notify_inval_inode_out o{};
  o.ino = ino;
  o.off = off;
  o.len = len;
  iovec iov{&o, sizeof o};
  return notify(s, FUSE_NOTIFY_INVAL_INODE, &iov, 1);
}

int notifyInvalEntry(Session::Impl& s, Ino parent, std::string_view name) {
  fuse_notify_inval_entry_out o{};
  o.parent = parent;
  o.namelen = static_cast<uint32_t>(name.size());
  char nul = 0;
  iovec iov[3] = {{&o, sizeof o}, {const_cast<char*>(name.data()), name.size()}, {&nul, 1}};
  return notify(s, FUSE_NOTIFY_INVAL_ENTRY, iov, 3);
}

int notifyDelete(Session::Impl& s, Ino parent, Ino child, std::string_view name) {
  fuse_notify_delete_out o{};
  o.parent = parent;
  o.child = child;
  o.namelen = static_cast<uint32_t>(name.size());
  char nul = 0;
  iovec iov[3] = {{&o, sizeof o}, {const_cast<char*>(name.data()), name.size()}, {&nul, 1}};
  return notify(s, FUSE_NOTIFY_DELETE, iov, 3);
}

int notifyStore(Session::Impl& s, Ino ino, off_t offset, const void* data, size_t size) {
  fuse_notify_store_out o{};
  o.nodeid = ino;
  o.offset = static_cast<uint64_t>(offset);
  o.size = static_cast<uint32_t>(size);
  iovec iov[2] = {{&o, sizeof o}, {const_cast<void*>(data), size}};
  return notify(s, FUSE_NOTIFY_STORE, iov, size ? 2 : 1);
}

int notifyRetrieve(Session::Impl& s, Ino ino, off_t offset, size_t size, uint64_t cookie) {
  fuse_notify_retrieve_out o{};
  {
    std::lock_guard<std::mutex> g(s.retrieveMu);
    // Kept apart from the kernel's request uniques by the high bit.
    o.notify_unique = (uint64_t{1} << 63) | s.nextNotifyUnique++;
    s.retrieves[o.notify_unique] = cookie;
  }
  o.nodeid = ino;
  o.offset = static_cast<uint64_t>(offset);
  o.size = static_cast<uint32_t>(size);
  iovec iov{&o, sizeof o};
  int rc = notify(s, FUSE_NOTIFY_RETRIEVE, &iov, 1);
  if (rc < 0) {
    std::lock_guard<std::mutex> g(s.retrieveMu);
    s.retrieves.erase(o.notify_unique);
  }
  return rc;
}

int notifyPoll(Session::Impl& s, uint64_t pollHandle) {
  fuse_notify_poll_wakeup_out o{};
  o.kh = pollHandle;
  iovec iov{&o, sizeof o};
  return notify(s, FUSE_NOTIFY_POLL, &iov, 1);
}

}  // namespace detail

int Session::notifyInvalInode(Ino ino, off_t off, off_t len) {
  return detail::notifyInvalInode(*impl_, ino, off, len);
}
int Session::notifyInvalEntry(Ino parent, std::string_view name) {
  return detail::notifyInvalEntry(*impl_, parent, name);
}
int Session::notifyDelete(Ino parent, Ino child, std::string_view name) {
  return detail::notifyDelete(*impl_, parent, child, name);
}
int Session::notifyStore(Ino ino, off_t offset, const void* data, size_t size) {
  return detail::notifyStore(*impl_, ino, offset, data, size);
}
int Session::notifyRetrieve(Ino ino, off_t offset, size_t size, uint64_t cookie) {
  return detail::notifyRetrieve(*impl_, ino, offset, size, cookie);
}
int Session::notifyPoll(uint64_t pollHandle) { return detail::notifyPoll(*impl_, pollHandle); }

int Session::registerBacking(int fd) {
  Impl& s = *impl_;
  if (!(s.kernelFlags & abi::kPassthrough)) return -ENOSYS;
  abi::BackingMap map{};
  map.fd = fd;
  int id = ioctl(s.fd, abi::kIocBackingOpen, &map);
  return id < 0 ? -errno : id;
}

int Session::unregisterBacking(int backingId) {
  Impl& s = *impl_;
  if (!(s.kernelFlags & abi::kPassthrough)) return -ENOSYS;
  uint32_t id = static_cast<uint32_t>(backingId);
  return ioctl(s.fd, abi::kIocBackingClose, &id) < 0 ? -errno : 0;
}

}  // namespace lfp
