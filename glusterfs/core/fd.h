// SPDX-License-Identifier: GPL-3.0-or-later
// Fd: an open file or directory as the graph sees it; FdTable: small integers for fds.
//
// The opener makes the Fd and passes it down in open/create/opendir; each layer hangs its own
// state on it (ctx()). Releasing the last reference releases every layer's state, so a layer's
// "release" is the destructor of its fd context.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "glusterfs/core/ctx_slots.h"
#include "glusterfs/core/inode.h"

namespace gf {

class Fd {
 public:
  Fd(InodePtr inode, int32_t flags, uint32_t pid = 0)
      : inode_(std::move(inode)), flags_(flags), pid_(pid) {}
  const InodePtr& inode() const { return inode_; }
  // For the creator only, before the fd is shared: a create may find that the inode table
  // already knew the new file under another Inode object; the fd must name that one.
  void rebind(InodePtr inode) { inode_ = std::move(inode); }
  int32_t flags() const { return flags_; }  // O_* flags of the open
  uint32_t pid() const { return pid_; }
  CtxSlots& ctx() { return ctx_; }

 private:
  InodePtr inode_;
  int32_t flags_;
  uint32_t pid_;
  CtxSlots ctx_;
};
using FdPtr = std::shared_ptr<Fd>;

inline FdPtr makeFd(InodePtr inode, int32_t flags, uint32_t pid = 0) {
  return std::make_shared<Fd>(std::move(inode), flags, pid);
}

// Maps small integers (FUSE file handles, wire fd numbers) to Fds. Numbers are reused after
// removal; a stale or forged number simply misses. Thread-safe.
class FdTable {
 public:
  uint64_t add(FdPtr fd);
  FdPtr get(uint64_t id) const;
  FdPtr remove(uint64_t id);
  std::vector<FdPtr> removeAll();
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::vector<FdPtr> slots_;
  std::vector<uint64_t> free_;
  size_t used_ = 0;
};

}  // namespace gf
