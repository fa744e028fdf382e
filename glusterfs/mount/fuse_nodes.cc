// SPDX-License-Identifier: GPL-3.0-or-later
// FuseNodes: node id <-> inode with kernel lookup counts.
#include "glusterfs/mount/fuse_nodes.h"

#include <vector>

namespace gf {

InodePtr FuseNodes::get(uint64_t id) const {
  if (id == 1) return root_;
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : it->second.inode;
}

uint64_t FuseNodes::ref(const InodePtr& inode) {
  uint64_t id = idOf(inode);
  if (id == 1) return 1;
  std::lock_guard lock(mutex_);
  auto& n = nodes_[id];
  if (!n.inode) n.inode = inode;
  ++n.lookups;
  return id;
}

void FuseNodes::forget(uint64_t id, uint64_t count) {
  if (id == 1) return;
  InodePtr dropped;  // released after the lock: destroying an inode takes the table's lock
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(id);
  if (it == nodes_.end()) return;
  if (it->second.lookups <= count) {
    dropped = std::move(it->second.inode);
    nodes_.erase(it);
  } else {
    it->second.lookups -= count;
  }
}

size_t FuseNodes::size() const {
  std::lock_guard lock(mutex_);
  return nodes_.size();
}

}  // namespace gf
