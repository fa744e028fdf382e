// SPDX-License-Identifier: GPL-3.0-or-later
// FuseNodes: the kernel's node ids and lookup counts for our inodes.
//
// A node id is the Inode's address (the root is 1). Each id the kernel knows holds a strong
// reference, counted by the kernel's lookup count and dropped by FORGET, so an inode lives
// exactly as long as the kernel can name it (plus any fop in flight).
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "glusterfs/core/inode.h"

namespace gf {

class FuseNodes {
 public:
  explicit FuseNodes(InodePtr root) : root_(std::move(root)) {}

  uint64_t idOf(const InodePtr& inode) const {
    return inode->isRoot() ? 1 : reinterpret_cast<uint64_t>(inode.get());
  }
  // The inode behind a node id the kernel sent, or null for an id it should not have.
  InodePtr get(uint64_t id) const;
  // Counts one more kernel reference (a successful entry reply) and returns the id.
  uint64_t ref(const InodePtr& inode);
  void forget(uint64_t id, uint64_t count);
  size_t size() const;

 private:
  struct Node {
    InodePtr inode;
    uint64_t lookups = 0;
  };
  InodePtr root_;
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, Node> nodes_;
};

}  // namespace gf
